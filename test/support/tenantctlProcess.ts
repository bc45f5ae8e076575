/**
 * tenantctl in a process of its own, as a CI job or a user's shell runs it: the built CLI, with `--format json`.
 *
 * It runs in a process group of its own, like a CI job's. A run that outlives its time limit is killed with its whole
 * group (and the caller sees code null and why); so is one still running when the test that started it ends, so a
 * hang costs one time limit, never the suite.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { descendantsOf, killQuietly } from "./processes";

/** Long enough for the slowest run of the e2e (an `up --all` of the example fleet takes ~40 s on a busy 2-core box). */
export const DEFAULT_PROCESS_TIMEOUT_MS = 180_000;

export interface ProcessRun {
  /** Null when the process was killed by a signal. */
  readonly code: number | null;
  readonly stderr: string;
  /** The JSON report; no tenants when it printed none. */
  readonly report: { tenants: { slug: string; outcome: string; message?: string }[] };
  /** When the SIGINT of `interruptWhen` was sent, and when the process ended (`performance.now()`). */
  readonly interruptedAt?: number;
  readonly endedAt: number;
}

export interface ProcessOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Sends the process SIGINT once its progress (stderr) matches, as Ctrl-C at a terminal. */
  readonly interruptWhen?: RegExp;
  /** Called each time its progress (stderr) grows, with the process (the leader of its own process group). */
  readonly onProgress?: (stderr: string, child: ChildProcess) => void;
  /** @default DEFAULT_PROCESS_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export function tenantctlProcess(
  repoRoot: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "tenantctl.js"), ...args, "--format", "json"], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let interruptedAt: number | undefined;
    let ended = false;
    // The group, and the engine's plugins, which run in process groups of their own below it.
    const killGroup = () => {
      if (ended) return;
      const plugins = descendantsOf(child.pid!);
      killQuietly(-child.pid!);
      for (const plugin of plugins) killQuietly(plugin.pid);
    };
    const timeoutMs = options.timeoutMs ?? DEFAULT_PROCESS_TIMEOUT_MS;
    const timer = setTimeout(() => {
      stderr += `\n[test] tenantctl ${args.join(" ")} did not finish within ${timeoutMs / 1000} s: its process group was killed\n`;
      killGroup();
      // A grandchild still holding its output open must not keep the test waiting.
      setTimeout(finish, 5_000, null).unref();
    }, timeoutMs);
    try {
      onTestFinished(killGroup);
    } catch {
      // started outside a test (a beforeAll): the time limit alone bounds it
    }
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.interruptWhen && interruptedAt === undefined && options.interruptWhen.test(stderr)) {
        interruptedAt = performance.now();
        child.kill("SIGINT");
      }
      options.onProgress?.(stderr, child);
    });
    const finish = (code: number | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      let report: ProcessRun["report"] = { tenants: [] };
      try {
        report = JSON.parse(stdout) as ProcessRun["report"];
      } catch {
        // no report: the caller's assertions say so
      }
      resolve({
        code,
        stderr,
        report,
        endedAt: performance.now(),
        ...(interruptedAt === undefined ? {} : { interruptedAt }),
      });
    };
    child.on("close", finish);
  });
}

/** `{slug: outcome}` of a run's report. */
export function outcomesOf(run: ProcessRun): Record<string, string> {
  return Object.fromEntries(run.report.tenants.map((t) => [t.slug, t.outcome]));
}
