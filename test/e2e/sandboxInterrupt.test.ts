/**
 * Ctrl-C before the sandbox's run has started (while it finds the engine, or starts its servers): an interruption
 * (exit 130 through the CLI), never a failure, and nothing of the sandbox left behind. The CLI owns the signal; the
 * session only sees it aborted.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { exitForError } from "../../src/cli/exitCodes";
import { InterruptedError } from "../../src/core/errors";
import { runSandbox } from "../../src/sandbox/session";
import { pulumiEngine, tempProject } from "../support/pulumi";

const engine = pulumiEngine();

describe("tenantctl sandbox, interrupted before its run", () => {
  const project = tempProject(engine.repoRoot, "tenantctl-sandbox-interrupt-");
  afterAll(() => project.remove());

  it("stops at once with an InterruptedError (exit 130), and leaves no .tenantctl/ behind", async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const printed: string[] = [];
    const cwd = vi.spyOn(process, "cwd").mockReturnValue(project.dir);
    try {
      const error = await runSandbox(
        { dir: "tenants" },
        (text) => printed.push(text),
        (text) => printed.push(text),
        interrupt.signal,
      ).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(exitForError(error, {})).toEqual({
        message: "tenantctl: sandbox: interrupted before the sandbox started anything\n",
        code: 130,
      });
    } finally {
      cwd.mockRestore();
    }
    expect(printed.join("")).not.toContain("starting a throwaway PostgreSQL");
    expect(existsSync(join(project.dir, ".tenantctl"))).toBe(false);
  });
});
