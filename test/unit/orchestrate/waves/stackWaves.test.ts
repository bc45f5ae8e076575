/** `up --waves`: the stacks of a run in waves; a failed canary wave leaves the others skipped, saying why. */
import { describe, expect, it } from "vitest";
import type { TenantRun } from "../../../../src/report/runReport";
import { runStacksInWaves } from "../../../../src/orchestrate/waves/stackWaves";
import { fleetWith } from "../../../support/fleetFixture";

const fleet = fleetWith({
  "acme.yaml": "slug: acme\nname: Acme\n",
  "globex.yaml": "slug: globex\nname: Globex\n",
  "initech.yaml": "slug: initech\nname: Initech\nrollout: { group: canary }\n",
});

const run = (failing: string) => async (wave: { slug: string }[]) =>
  wave.map(
    ({ slug }): TenantRun => ({
      slug,
      stack: slug,
      outcome: slug === failing ? "failed" : "changed",
      changes: {},
      resources: [],
      seconds: 1,
    }),
  );

describe("runStacksInWaves", () => {
  const work = ["acme", "globex", "initech"].map((slug) => ({ slug }));

  it("runs the canary group first and stops there when it fails", async () => {
    const ran: string[] = [];
    const results = await runStacksInWaves(
      fleet,
      work,
      { waves: "canary,100%" },
      async (wave) => {
        ran.push(...wave.map((w) => w.slug));
        return run("initech")(wave);
      },
      {},
    );
    expect(ran).toEqual(["initech"]);
    expect(results.map((r) => `${r.slug} ${r.outcome}`).sort()).toEqual([
      "acme skipped",
      "globex skipped",
      "initech failed",
    ]);
    expect(results.find((r) => r.slug === "acme")?.message).toBe(
      "wave 2 (100%) did not start: wave 1 (canary) ended with 1 failed (--max-failures 0)",
    );
  });

  it("runs every wave when the canary passes", async () => {
    const results = await runStacksInWaves(fleet, work, { waves: "canary,100%" }, run("nobody"), {});
    expect(results.map((r) => r.outcome)).toEqual(["changed", "changed", "changed"]);
  });
});
