/** For e2e tests of `tenantctl sandbox --keep`: what a kept sandbox leaves, stopped after the file's tests, and its env.sh. */
import { execFileSync } from "node:child_process";
import { afterAll } from "vitest";
import type { TempProject } from "./pulumi";

export interface KeptSandbox {
  /** The project copy the sandbox runs in. */
  project?: TempProject;
  /** The stop command the sandbox printed; cleared by a test that ran it. */
  stop?: string;
}

/** Whatever the tests found, the kept servers do not outlive the file, nor does the project copy. */
export function keptSandbox(): KeptSandbox {
  const kept: KeptSandbox = {};
  afterAll(() => {
    if (kept.stop) execFileSync("sh", ["-c", kept.stop], { cwd: kept.project?.dir, stdio: "ignore" });
    kept.project?.remove();
  });
  return kept;
}

/** The stop command a `sandbox --keep` report prints under "Stop it and remove its data:". */
export function printedStopCommand(stdout: string): string | undefined {
  return /^Stop it and remove its data:\n\n {2}(.+)$/m.exec(stdout)?.[1];
}

/** Runs `command` in a shell in `projectDir` after `. .tenantctl/sandbox/env.sh`, as a user would; its stdout. */
export function inSandboxShell(projectDir: string, command: string): string {
  return execFileSync("sh", ["-c", `. .tenantctl/sandbox/env.sh && ${command}`], { cwd: projectDir, encoding: "utf8" });
}

/** The environment after `source env.sh` in a shell started with this process's environment. */
export function sourced(script: string): NodeJS.ProcessEnv {
  const output = execFileSync("sh", ["-c", `. "$1" && env -0`, "sh", script], { encoding: "utf8" });
  return Object.fromEntries(
    output
      .split("\0")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}
