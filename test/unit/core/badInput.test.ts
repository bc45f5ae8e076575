import { describe, expect, it } from "vitest";
import { fleetWith, where } from "../../support/fleetFixture";

const ok = "slug: acme\nname: Acme\n";

describe("bad input is a diagnostic, never a crash", () => {
  it("reports a YAML syntax error at its line and column", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: [unclosed\nplan: basic\n" });
    expect(fleet.errors).toHaveLength(1);
    expect(fleet.errors[0]).toMatchObject({ file: "tenants/acme.yaml", rule: "yaml", severity: "error" });
    expect(fleet.errors[0]!.message).toMatch(/YAML syntax error/);
    expect(fleet.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("reports a duplicate key at the second occurrence", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: A\nname: B\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:3:1  yaml"]);
    expect(fleet.errors[0]!.message).toMatch(/duplicated mapping key/);
  });

  it("reports an empty file and a comments-only file", () => {
    const fleet = fleetWith({ "acme.yaml": "", "globex.yaml": "# nothing yet\n\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:1:1  yaml", "tenants/globex.yaml:1:1  yaml"]);
    expect(fleet.errors.map((d) => d.message)).toEqual(["the file is empty", "the file is empty"]);
  });

  it("reports a document that is not a map, at its first line of content", () => {
    const fleet = fleetWith({ "acme.yaml": "# a list\n- slug: acme\n", "globex.yaml": "just text\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:2:1  yaml", "tenants/globex.yaml:1:1  yaml"]);
    expect(fleet.errors[0]!.message).toBe("the document is a list, not a map of keys");
    expect(fleet.errors[1]!.message).toBe("the document is a string, not a map of keys");
  });

  it("reports a file that is not UTF-8", () => {
    const fleet = fleetWith({ "acme.yaml": new Uint8Array([0x73, 0x6c, 0x75, 0x67, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:1:1  yaml"]);
    expect(fleet.errors[0]!.fix).toBe("save the file as UTF-8");
  });

  it("reports two documents in one file", () => {
    const fleet = fleetWith({ "acme.yaml": `${ok}---\n${ok}` });
    expect(fleet.errors).toHaveLength(1);
    expect(fleet.errors[0]).toMatchObject({ file: "tenants/acme.yaml", rule: "yaml" });
  });

  it("reports a missing control-plane template and still checks tenant schemas", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nnmae: Acme\n" }, null);
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:1:1  controlPlaneExists",
      "tenants/acme.yaml:1:1 name schema",
      "tenants/acme.yaml:2:1 nmae schema",
    ]);
  });

  it("ignores files starting with `_` other than the template, and non-YAML files", () => {
    const fleet = fleetWith({ "_notes.yaml": "not: [valid", "README.md": "# hi", "acme.yaml": ok });
    expect(fleet.errors).toEqual([]);
    expect(fleet.slugs).toEqual(["acme"]);
  });

  it("accepts a byte order mark and .yml files", () => {
    const fleet = fleetWith({ "acme.yml": `\uFEFF${ok}` });
    expect(fleet.errors).toEqual([]);
    expect(fleet.tenants.map((t) => t.slug)).toEqual(["acme"]);
  });
});
