/**
 * The verdict a run hands its stack programs, in its own process: only for stacks the fleet lets be deployed, and the
 * very values the loader resolved (no copy, no round trip: the program gets them as they are).
 */
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/core/load";
import { stackVerdict } from "../../../src/core/verdict";
import { writeFleet } from "../../support/fleetFixture";

const files = {
  "acme.yaml": "slug: acme\nname: Acme\nplan: enterprise\n",
  "globex.yaml": "slug: globex\nname: Globex\ndomains: { custom: [{ hostname: shop.acme.com }] }\n",
  "initech.yaml": "slug: initech\nname: Initech\ndomains: { custom: [{ hostname: SHOP.acme.com }] }\n",
  "_notes.yaml": "not: a tenant\n",
};

describe("stack verdicts", () => {
  it("carry the resolved tenant and template as the loader resolved them, provenance and all", () => {
    const cwd = writeFleet(files);
    const fleet = loadFleet({ dir: "tenants", cwd });
    const acme = fleet.tenants.find((tenant) => tenant.slug === "acme")!;
    const verdict = stackVerdict(fleet, "acme")!;
    expect(verdict.tenant).toBe(acme);
    expect(verdict.tenant?.provenance.get("limits.dbConnections")).toMatchObject({
      layer: "plans.enterprise",
      filePath: "plans.enterprise.limits.dbConnections",
    });
    expect(verdict.controlPlane).toBe(fleet.controlPlane);
    expect(stackVerdict(fleet, "control-plane")).toEqual({ controlPlane: fleet.controlPlane });
  });

  it("are not given to a stack the fleet refuses, nor to a stack with no tenant file", () => {
    const cwd = writeFleet(files);
    const fleet = loadFleet({ dir: "tenants", cwd });
    expect(fleet.errors.map((d) => d.rule)).toEqual(["noDuplicateHostnames"]);
    expect(stackVerdict(fleet, "initech")).toBeUndefined();
    expect(stackVerdict(fleet, "globex")).toBeDefined();
    expect(stackVerdict(fleet, "hooli")).toBeUndefined();
  });
});
