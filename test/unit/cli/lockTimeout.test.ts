import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_LOCK_TIMEOUT_MS } from "../../../src/orchestrate/run/locks";

// The command is replaced by a recorder: this test is about what the CLI hands it, not about a run.
const handed = vi.hoisted(() => [] as { operation: string; lockTimeoutMs: unknown }[]);
vi.mock("../../../src/commands/run", () => ({
  runOperation: async (operation: string, _slugs: readonly string[], options: { lockTimeoutMs?: unknown }) => {
    handed.push({ operation, lockTimeoutMs: options.lockTimeoutMs });
    return "ok";
  },
}));

import { main } from "../../../src/cli/main";

afterEach(() => {
  handed.length = 0;
  process.exitCode = undefined;
});

describe("--lock-timeout reaches the run in milliseconds", () => {
  it("90s is 90,000 ms for every stack-running command", async () => {
    for (const operation of ["preview", "up", "drift", "destroy"]) {
      await main([operation, "acme", "--lock-timeout", "90s"]);
    }
    expect(handed).toEqual(
      ["preview", "up", "drift", "destroy"].map((operation) => ({ operation, lockTimeoutMs: 90_000 })),
    );
    expect(process.exitCode).toBe(0);
  });

  it("without the flag, the documented default (5m)", async () => {
    await main(["up", "acme"]);
    expect(handed).toEqual([{ operation: "up", lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS }]);
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBe(300_000);
  });
});
