/** tenantctl in a process of its own, as a CI job or a user's shell runs it: the built CLI, with `--format json`. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface ProcessRun {
  /** Null when the process was killed by a signal. */
  readonly code: number | null;
  readonly stderr: string;
  /** The JSON report; no tenants when it printed none. */
  readonly report: { tenants: { slug: string; outcome: string; message?: string }[] };
}

export interface ProcessOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Sends the process SIGINT once its progress (stderr) matches, as Ctrl-C at a terminal. */
  readonly interruptWhen?: RegExp;
}

export function tenantctlProcess(repoRoot: string, args: readonly string[], options: ProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "tenantctl.js"), ...args, "--format", "json"], { cwd: options.cwd, env: options.env });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.on("close", (code) => {
      let report: ProcessRun["report"] = { tenants: [] };
      try {
        report = JSON.parse(stdout) as ProcessRun["report"];
      } catch {
        // no report: the caller's assertions say so
      }
      resolve({ code, stderr, report });
    });
  });
}

/** `{slug: outcome}` of a run's report. */
export function outcomesOf(run: ProcessRun): Record<string, string> {
  return Object.fromEntries(run.report.tenants.map((t) => [t.slug, t.outcome]));
}
