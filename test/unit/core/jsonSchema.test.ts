import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_FILES, renderJsonSchema } from "../../../src/core/schema/jsonSchema";

const root = join(__dirname, "..", "..", "..");

describe("JSON Schema files for editors", () => {
  it.each(Object.entries(JSON_SCHEMA_FILES))(
    "tenants/%s is what the zod schema generates (run `npm run schemas`)",
    (name, schema) => {
      expect(readFileSync(join(root, "tenants", name), "utf8")).toBe(renderJsonSchema(schema));
    },
  );

  it("is strict like the zod schema: unknown keys are not allowed", () => {
    const tenant = JSON.parse(renderJsonSchema(JSON_SCHEMA_FILES["tenant.schema.json"]));
    expect(tenant.additionalProperties).toBe(false);
    expect(tenant.required).toEqual(["slug", "name"]);
    expect(tenant.properties.database.additionalProperties).toBe(false);
  });

  it("is referenced by the example files for yaml-language-server", () => {
    expect(readFileSync(join(root, "tenants", "acme.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\/tenant\.schema\.json$/m,
    );
    expect(readFileSync(join(root, "tenants", "_control-plane.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\/control-plane\.schema\.json$/m,
    );
  });
});
