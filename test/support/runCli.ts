/** Runs the CLI in-process, as `tenantctl <args>` in `cwd`, capturing what it prints and its exit code. */
import { vi } from "vitest";
import { main } from "../../src/cli/main";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], cwd: string): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const cwdSpy = vi.spyOn(process, "cwd").mockReturnValue(cwd);
  const previousExitCode = process.exitCode;
  try {
    await main(args);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = previousExitCode;
    outSpy.mockRestore();
    errSpy.mockRestore();
    cwdSpy.mockRestore();
  }
}
