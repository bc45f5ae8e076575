import { describe, expect, it } from "vitest";
import { selectStacks } from "../../../../src/orchestrate/select/selectStacks";
import { fleetWith } from "../../../support/fleetFixture";

const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\n", "globex.yaml": "slug: globex\nname: Globex\n" });
const options = { dir: "tenants", all: true };

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

describe("selectStacks refuses invalid tenants and usage mistakes", () => {
  const broken = fleetWith({
    "acme.yaml": "slug: acme\nname: Acme\n",
    "globex.yaml": "slug: globex\nname: Globex\nplan: basik\n",
  });

  it("refuses a tenant whose file is invalid, and runs the others", () => {
    const selection = selectStacks("up", [], options, broken);
    expect(selection.slugs).toEqual(["control-plane", "acme", "globex"]);
    expect([...selection.refused.keys()]).toEqual(["globex"]);
    expect(selection.refused.get("globex")).toMatch(/^invalid tenant files/);
  });

  it("refuses every tenant when the template has an error (here: the connection budget is exceeded)", () => {
    const overBudget = fleetWith(
      Object.fromEntries(
        ["a", "b", "c"].map((slug) => [`${slug}.yaml`, `slug: ${slug}\nname: ${slug}\nplan: enterprise\n`]),
      ),
    );
    expect([...selectStacks("up", [], options, overBudget).refused.keys()]).toEqual(["control-plane", "a", "b", "c"]);
  });

  it("asks for exactly one way of naming stacks, and never destroys --all", () => {
    expect(() => selectStacks("up", ["acme"], options, fleet)).toThrow(/exactly one of these/);
    expect(() => selectStacks("up", [], { ...options, all: false }, fleet)).toThrow(/exactly one of these/);
    expect(() => selectStacks("up", [], { ...options, all: false, changed: true }, fleet)).toThrow(
      /--changed needs --base/,
    );
    expect(() => selectStacks("destroy", [], options, fleet)).toThrow(/destroy --all is refused/);
    expect(() => selectStacks("up", ["acmee"], { ...options, all: false }, fleet)).toThrow(
      "no tenant file for `acmee`: did you mean `acme`?",
    );
  });
});

describe("selectStacks --shard", () => {
  const many = fleetWith(
    Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}.yaml`, `slug: t${i}\nname: T${i}\n`])),
  );
  it("splits --all into parts that cover every tenant once, without the control plane", () => {
    const parts = [1, 2, 3].map(
      (index) => selectStacks("up", [], { ...options, shard: { index, count: 3 } }, many).slugs,
    );
    expect(parts.flat().sort()).toEqual([...many.slugs].sort());
    expect(parts.flat()).not.toContain("control-plane");
  });
});
