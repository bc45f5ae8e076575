/** `tenantctl schemas` (hidden; `npm run schemas`): writes the editors' JSON Schema files generated from the zod schemas. */
import type { Outcome } from "../core/errors";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { JSON_SCHEMA_FILES, renderJsonSchema } from "../core/schema/jsonSchema";

export function writeSchemas(dir: string, out: (text: string) => void): Outcome {
  for (const [name, schema] of Object.entries(JSON_SCHEMA_FILES)) {
    const path = join(dir, name);
    writeFileSync(path, renderJsonSchema(schema));
    out(`wrote ${path}\n`);
  }
  return "ok";
}
