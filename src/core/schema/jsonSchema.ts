/** JSON Schema files for editors (yaml-language-server), generated from the zod schemas so they never drift. */
import { z } from "zod";
import { controlPlaneSchema, tenantSchema } from "./schema";

export const JSON_SCHEMA_FILES = {
  "tenant.schema.json": tenantSchema,
  "control-plane.schema.json": controlPlaneSchema,
} as const;

export function renderJsonSchema(schema: z.ZodType): string {
  // `io: "input"` describes what users write (optional keys stay optional), not what the parser returns.
  return `${JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }), null, 2)}\n`;
}
