/** Runs the CLI in-process, as `tenantctl <args>` in `cwd`, capturing what it prints and its exit code. */
import { vi } from "vitest";
import { main } from "../../src/cli/main";
import { descendantsOf, killQuietly } from "./processes";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Long enough for the slowest in-process run of the e2e (`sandbox --keep` deploys the whole example fleet). */
export const DEFAULT_CLI_TIMEOUT_MS = 240_000;

/**
 * Past `timeoutMs` the run fails the test, naming itself, and the processes it started (the engine, its plugins) are
 * killed: in-process, they are the descendants this test worker did not have before the run.
 */
export async function runCli(
  args: readonly string[],
  cwd: string,
  timeoutMs = DEFAULT_CLI_TIMEOUT_MS,
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const outSpy = vi
    .spyOn(process.stdout, "write")
    .mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const cwdSpy = vi.spyOn(process, "cwd").mockReturnValue(cwd);
  const previousExitCode = process.exitCode;
  // What the worker ran before (a PostgreSQL a test started) is not the run's to kill.
  const before = new Set(descendantsOf(process.pid).map((child) => child.pid));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const child of descendantsOf(process.pid)) if (!before.has(child.pid)) killQuietly(child.pid);
      reject(
        new Error(
          `tenantctl ${args.join(" ")} did not finish within ${timeoutMs / 1000} s; the processes it started were killed.\n${stderr}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([main(args), timedOut]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    clearTimeout(timer);
    process.exitCode = previousExitCode;
    outSpy.mockRestore();
    errSpy.mockRestore();
    cwdSpy.mockRestore();
  }
}
