import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/core/errors";
import { inShard, parseShard, stackHash } from "../../../../src/orchestrate/select/shard";

const fleet = Array.from({ length: 1000 }, (_, i) => `t${String(i).padStart(5, "0")}-acme`);

describe("--shard i/n", () => {
  it("parses i/n and refuses anything else as a usage error", () => {
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
    for (const bad of ["0/3", "4/3", "1/0", "1", "a/b", "1/2/3", "-1/2", "1.5/3", ""]) {
      expect(() => parseShard(bad), bad).toThrow(UsageError);
    }
    expect(() => parseShard("4/3")).toThrow("--shard 4/3: expected i/n with 1 ≤ i ≤ n, e.g. --shard 1/4");
  });

  it("puts every tenant stack in exactly one shard, and control-plane in none", () => {
    for (const count of [1, 2, 3, 7]) {
      const shards = Array.from({ length: count }, (_, i) =>
        fleet.filter((stack) => inShard(stack, { index: i + 1, count })),
      );
      expect(shards.flat().sort()).toEqual([...fleet].sort());
      // Spread evenly enough that no runner gets much more than its share.
      for (const shard of shards) expect(shard.length).toBeLessThan((fleet.length / count) * 1.25);
      for (let i = 1; i <= count; i++) expect(inShard("control-plane", { index: i, count })).toBe(false);
    }
  });

  it("is a stable hash of the name: the same on every machine, unmoved by other tenants", () => {
    // FNV-1a 32-bit reference values.
    expect(stackHash("")).toBe(0x811c9dc5);
    expect(stackHash("a")).toBe(0xe40c292c);
    expect(stackHash("foobar")).toBe(0xbf9cf968);
  });
});
