/** Waves: how `--waves` parses, which tenants each wave takes, and how a failed wave halts the later ones. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/core/errors";
import { parseWaves, planWaves, runWaves } from "../../../../src/orchestrate/waves/waves";

const slugs = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);

describe("parseWaves", () => {
  it("reads counts, cumulative shares and rollout groups", () => {
    expect(parseWaves("1, 5%,canary,100%", new Set(["canary"]))).toEqual([
      { kind: "count", count: 1, text: "1" },
      { kind: "share", percent: 5, text: "5%" },
      { kind: "group", group: "canary", text: "canary" },
      { kind: "share", percent: 100, text: "100%" },
    ]);
  });

  it("names what is wrong: an empty part, a share above 100%, a group no file declares", () => {
    expect(() => parseWaves("1,,100%", new Set())).toThrow(UsageError);
    expect(() => parseWaves("150%", new Set())).toThrow(/150% is not a share between 0% and 100%/);
    expect(() => parseWaves("canery,100%", new Set(["canary"]))).toThrow(
      /no tenant file declares rollout group canery \(did you mean `canary`\?\)/,
    );
  });
});

describe("planWaves", () => {
  it("takes counts and shares cumulatively, each tenant once, in the same order every run", () => {
    const { waves, left } = planWaves(slugs, parseWaves("1,5%,25%,100%", new Set()), () => undefined);
    expect(waves.map((w) => w.slugs.length)).toEqual([1, 1, 8, 30]);
    expect(new Set(waves.flatMap((w) => w.slugs)).size).toBe(40);
    expect(left).toEqual([]);
    const again = planWaves([...slugs].reverse(), parseWaves("1,5%,25%,100%", new Set()), () => undefined);
    expect(again.waves.map((w) => w.slugs)).toEqual(waves.map((w) => w.slugs));
  });

  it("puts a group's members first, and leaves out what no step reaches", () => {
    const group = (slug: string) => (slug === "tenant-7" || slug === "tenant-30" ? "canary" : undefined);
    const { waves, left } = planWaves(slugs, parseWaves("canary,10%", new Set(["canary"])), group);
    expect([...waves[0]!.slugs].sort()).toEqual(["tenant-30", "tenant-7"]);
    expect(waves[1]!.slugs.length).toBe(2);
    expect(left.length).toBe(36);
  });
});

describe("runWaves", () => {
  const waves = planWaves(["a", "b", "c", "d"], parseWaves("1,2,100%", new Set()), () => undefined).waves;

  it("halts the later waves when a wave ends with more failures than allowed", async () => {
    const ran: string[] = [];
    const outcome = await runWaves(
      waves,
      async (wave) => {
        ran.push(...wave.slugs);
        return wave.slugs.map((slug) => ({ slug, failed: wave.index === 2 }));
      },
      (r) => r.failed,
    );
    expect(outcome.halted).toMatchObject({ wave: { index: 2 }, failures: 1, maxFailures: 0 });
    expect(ran.length).toBe(2);
  });

  it("goes on within --max-failures", async () => {
    const outcome = await runWaves(
      waves,
      async (wave) => wave.slugs.map((slug) => ({ slug, failed: wave.index === 2 })),
      (r) => r.failed,
      { maxFailures: 1 },
    );
    expect(outcome.halted).toBeUndefined();
    expect(outcome.results.flat().length).toBe(4);
  });
});
