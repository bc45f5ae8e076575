/**
 * The verdict a run hands its stack programs: only for stacks the fleet lets be deployed, and only while the files
 * are the ones it was made from. Anything else sends the program back to validating the whole fleet itself.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/core/load";
import { fleetFingerprint } from "../../../src/core/read/fingerprint";
import { stackVerdict, verdictFor } from "../../../src/core/verdict";
import { writeFleet } from "../../support/fleetFixture";

const files = {
  "acme.yaml": "slug: acme\nname: Acme\nplan: enterprise\n",
  "globex.yaml": "slug: globex\nname: Globex\ndomains: { custom: [{ hostname: shop.acme.com }] }\n",
  "initech.yaml": "slug: initech\nname: Initech\ndomains: { custom: [{ hostname: SHOP.acme.com }] }\n",
  "_notes.yaml": "not: a tenant\n",
};

describe("stack verdicts", () => {
  it("carry the resolved tenant, as the loader resolved it, and the fingerprint of the files", () => {
    const cwd = writeFleet(files);
    const dir = join(cwd, "tenants");
    const fleet = loadFleet({ dir: "tenants", cwd });
    expect(fleet.fingerprint).toBe(fleetFingerprint(dir));
    const verdict = stackVerdict(fleet, "acme")!;
    const answer = verdictFor(JSON.stringify(verdict), dir, "acme");
    const acme = fleet.tenants.find((tenant) => tenant.slug === "acme")!;
    expect(answer?.tenant).toEqual(acme);
    expect(answer?.tenant?.provenance.get("limits.dbConnections")).toEqual(acme.provenance.get("limits.dbConnections"));
    expect(answer?.controlPlane).toEqual(fleet.controlPlane);
    expect(verdictFor(JSON.stringify(stackVerdict(fleet, "control-plane")), dir, "control-plane")).toEqual({ controlPlane: fleet.controlPlane });
  });

  it("are not given to a stack the fleet refuses: a tenant that clashes with another gets none", () => {
    const cwd = writeFleet(files);
    const fleet = loadFleet({ dir: "tenants", cwd });
    expect(fleet.errors.map((d) => d.rule)).toEqual(["noDuplicateHostnames"]);
    expect(stackVerdict(fleet, "initech")).toBeUndefined();
    expect(stackVerdict(fleet, "globex")).toBeDefined();
  });

  it("stop counting once any file the loader reads changes, and are for one stack only", () => {
    const cwd = writeFleet(files);
    const dir = join(cwd, "tenants");
    const fleet = loadFleet({ dir: "tenants", cwd });
    const text = JSON.stringify(stackVerdict(fleet, "globex"));
    expect(verdictFor(text, dir, "acme")).toBeUndefined();
    // A file that is not read (`_notes.yaml`) does not matter; a tenant's or the template's does.
    writeFileSync(join(dir, "_notes.yaml"), "still: not a tenant\n");
    expect(verdictFor(text, dir, "globex")).toBeDefined();
    writeFileSync(join(dir, "hooli.yaml"), "slug: hooli\nname: Hooli\ndomains: { custom: [{ hostname: shop.acme.com }] }\n");
    expect(verdictFor(text, dir, "globex")).toBeUndefined();
    expect(verdictFor("not json", dir, "globex")).toBeUndefined();
  });
});
