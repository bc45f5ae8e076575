/**
 * The repository's GitHub workflows, run for real on this machine by nektos/act (built by tools/ensure-act.sh): jobs
 * on the host (`-P ubuntu-latest=-self-hosted`, no Docker), the repository's own checkout copied by act, and every
 * other `uses:` mapped to a local stand-in under test/support/actions/ (nothing is fetched from GitHub).
 *
 * act runs in a process group of its own and is awaited asynchronously: the stand-in GitHub API the workflows call
 * (test/support/githubApi.ts) answers from this very process. A run that outlives its time limit is killed with its
 * whole group, and so is one still running when its test ends.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { descendantsOf, killQuietly } from "./processes";

/** The `uses:` of the workflows that act cannot fetch here, and the local stand-in of each. */
export const STAND_IN_ACTIONS: Readonly<Record<string, string>> = {
  "actions/setup-node@v4.4.0": "setup-node",
  "actions/upload-artifact@v4.6.2": "upload-artifact",
  "actions/download-artifact@v4.3.0": "download-artifact",
};

/** The directory holding act, built by tools/ensure-act.sh when it is not cached yet (a failed build throws). */
export function ensureAct(repoRoot: string): string {
  try {
    return execFileSync("bash", [join(repoRoot, "tools", "ensure-act.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 900_000,
    }).trim();
  } catch (error) {
    const { status, stderr } = error as { status?: number; stderr?: string };
    throw new Error(
      status === 3
        ? "the workflow tests need act, built from its Go module by tools/ensure-act.sh, and `go` is not on PATH: " +
            "install Go (https://go.dev/dl/), or leave the e2e tests out: TENANTCTL_TEST_SKIP=e2e"
        : `tools/ensure-act.sh failed (exit ${status}):\n${stderr}`,
    );
  }
}

export interface WorkflowRunOptions {
  /** The event name (`pull_request`, `push`, `schedule`) and its payload (github.event). */
  readonly event: string;
  readonly payload: Record<string, unknown>;
  /** The workflow file under .github/workflows/. */
  readonly workflow: string;
  /** `secrets.*` of the run. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Variables act adds to every step's environment (the runner's environment: GITHUB_API_URL, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Only these matrix values (act's `--matrix key:value`), e.g. `{ shard: "2" }`. */
  readonly matrix?: Readonly<Record<string, string>>;
  /** @default 900_000 */
  readonly timeoutMs?: number;
}

export interface WorkflowRun {
  /** act's exit code: 0 when every job succeeded; null when it was killed. */
  readonly code: number | null;
  /** What act printed (every step's output, prefixed with `[workflow/job]`). */
  readonly log: string;
  /** Where the upload-artifact stand-in put each artifact: `<artifacts>/<name>/`. */
  readonly artifacts: string;
  readonly durationMs: number;
}

/**
 * Runs one workflow of `repoDir` (a git repository: act copies its working tree, .git included, as the checkout)
 * under act, with `runnerEnv` as the host's environment (PATH must hold node, npm, git and the Pulumi engine).
 */
export function runWorkflow(
  actBinDir: string,
  repoDir: string,
  standInsDir: string,
  runnerEnv: NodeJS.ProcessEnv,
  options: WorkflowRunOptions,
): Promise<WorkflowRun> {
  const scratch = mkdtempSync(join(tmpdir(), "tenantctl-act-run-"));
  const artifacts = join(scratch, "artifacts");
  const home = join(scratch, "home");
  mkdirSync(artifacts);
  mkdirSync(home);
  const eventFile = join(scratch, "event.json");
  writeFileSync(eventFile, JSON.stringify(options.payload));
  const args = [
    options.event,
    "--workflows",
    join(".github", "workflows", options.workflow),
    "--eventpath",
    eventFile,
    "--platform",
    "ubuntu-latest=-self-hosted",
    "--action-offline-mode",
    "--action-cache-path",
    join(scratch, "act-cache"),
    "--no-cache-server",
    ...Object.entries(STAND_IN_ACTIONS).flatMap(([uses, dir]) => [
      "--local-repository",
      `${uses}=${join(standInsDir, dir)}`,
    ]),
    ...Object.entries(options.secrets ?? {}).flatMap(([key, value]) => ["--secret", `${key}=${value}`]),
    ...Object.entries(options.env ?? {}).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
    ...Object.entries(options.matrix ?? {}).flatMap(([key, value]) => ["--matrix", `${key}:${value}`]),
  ];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(join(actBinDir, "act"), args, {
      cwd: repoDir,
      // act keeps its settings (.actrc) in HOME; the jobs' npm uses the host's cache, as setup-node's `cache: npm`
      // restores one on GitHub. No version check: it would ask GitHub.
      env: { ...runnerEnv, HOME: home, TENANTCTL_ACT_ARTIFACTS: artifacts, ACT_DISABLE_VERSION_CHECK: "1" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    let ended = false;
    const killGroup = () => {
      if (ended) return;
      const below = descendantsOf(child.pid!);
      killQuietly(-child.pid!);
      for (const process of below) killQuietly(process.pid);
    };
    const timeoutMs = options.timeoutMs ?? 900_000;
    const timer = setTimeout(() => {
      log += `\n[test] act did not finish within ${timeoutMs / 1000} s: killed\n`;
      killGroup();
    }, timeoutMs);
    onTestFinished(killGroup);
    // The run's copy of the repository, act's cache and the artifacts: read by the test, gone after it.
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
    child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.on("close", (code) => {
      ended = true;
      clearTimeout(timer);
      resolve({ code, log, artifacts, durationMs: performance.now() - started });
    });
  });
}

/**
 * The lines one job printed. act prefixes each with `[<workflow>/<job>]`, the job's name padded with spaces to the
 * longest name of the run so far, and names the jobs of a matrix `<job>-1`, `<job>-2`, … (just `<job>` when act's
 * `--matrix` leaves one).
 */
export function jobLog(log: string, job: string): string {
  const prefix = new RegExp(`/${job.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} *\\] `);
  return log
    .split("\n")
    .filter((line) => prefix.test(line))
    .join("\n");
}

/** The outcome act reported for each step of a job: `Success - Main validate` → { "validate": "Success" }. */
export function stepOutcomes(log: string, job: string): Record<string, string> {
  const outcomes: Record<string, string> = {};
  for (const match of jobLog(log, job).matchAll(/(✅ {2}Success|❌ {2}Failure) - Main ([^\n[]+?)(?: \[[^\]]*\])?$/gm))
    outcomes[match[2]!.trim()] = match[1]!.includes("Success") ? "Success" : "Failure";
  return outcomes;
}
