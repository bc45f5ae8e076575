/** JSON Schema files for editors (yaml-language-server), generated from the zod schemas so they never drift. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { controlPlaneSchema, tenantSchema } from "./schema";

export const JSON_SCHEMA_FILES = {
  "tenant.schema.json": tenantSchema,
  "control-plane.schema.json": controlPlaneSchema,
} as const;

export function renderJsonSchema(schema: z.ZodType): string {
  // `io: "input"` describes what users write (optional keys stay optional), not what the parser returns.
  return JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }), null, 2) + "\n";
}

export function writeJsonSchemas(dir: string): string[] {
  return Object.entries(JSON_SCHEMA_FILES).map(([name, schema]) => {
    const path = join(dir, name);
    writeFileSync(path, renderJsonSchema(schema));
    return path;
  });
}

if (require.main === module) {
  for (const path of writeJsonSchemas(process.argv[2] ?? "tenants")) process.stdout.write(`wrote ${path}\n`);
}
