import { describe, expect, it } from "vitest";
import { selectStacks } from "../../../src/commands/run";
import { fleetWith } from "../../support/fleetFixture";

const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\n", "globex.yaml": "slug: globex\nname: Globex\n" });
const options = { dir: "tenants", all: true, parallel: 2, format: "text" as const };

describe("selectStacks --all", () => {
  it("runs the control plane and every tenant file", () => {
    const selection = selectStacks("up", [], options, fleet);
    expect(selection.slugs).toEqual(["control-plane", "acme", "globex"]);
    expect(selection.skipped.size).toBe(0);
  });

  it("reports a stack that exists without a tenant file as skipped, and never runs it", () => {
    const selection = selectStacks("up", [], options, fleet, ["acme", "control-plane", "globex", "hooli"]);
    expect(selection.slugs).toEqual(["control-plane", "acme", "globex", "hooli"]);
    expect([...selection.skipped.keys()]).toEqual(["hooli"]);
    expect(selection.skipped.get("hooli")).toMatch(/^no tenant file for stack hooli: .*tenantctl destroy hooli/);
  });

  it("skips orphans on drift and preview too", () => {
    for (const operation of ["drift", "preview"] as const) {
      expect([...selectStacks(operation, [], options, fleet, ["hooli"]).skipped.keys()]).toEqual(["hooli"]);
    }
  });
});
