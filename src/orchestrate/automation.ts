/**
 * The real engine, through the Automation API: one stack per tenant, named by its slug, running the
 * project's own program (Pulumi.yaml), exactly what `pulumi up -s <slug>` runs by hand.
 * One failing tenant never stops the others: every stack's error is caught and reported.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineEvent, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { changesNothing, type Operation, type ResourceChange, type TenantRun } from "../report/runReport";
import { SECRET_TEXT } from "../core/compare/plannedStack";
import { UsageError } from "../core/errors";
import type { StackVerdict } from "../core/verdict";
import type { RunProgress } from "../report/progress";
import { ADOPT_ENV, consentValue, readStateNames } from "./adoptionConsent";
import { driftedProperties } from "./driftedProperties";
import { engineErrorMessage } from "./engineErrors";
import { DEFAULT_LOCK_TIMEOUT_MS, describeHolder, fileBackendDir, isStale, removeLock, stackLocks } from "./locks";
import { mapBounded } from "./pool";
import { projectName } from "./projectFile";

export interface EngineOptions {
  /** Where Pulumi.yaml is. */
  readonly projectDir: string;
  /** The tenants directory, passed to the program. */
  readonly tenantsDir: string;
  /** Stacks run at once. */
  readonly parallel: number;
  /**
   * What this run's validation of the fleet says of each stack (src/core/verdict.ts): handed to its program, which then
   * need not parse and validate the whole fleet again. Undefined: the program validates the fleet itself.
   */
  readonly verdict?: (slug: string) => StackVerdict | undefined;
  /**
   * Aborted on Ctrl-C or SIGTERM: no stack starts after it, and the running ones are cancelled through the engine
   * (it gets SIGINT, finishes what is in flight, saves state and releases its lock).
   */
  readonly signal?: AbortSignal;
  /** How long to wait for another run's lock on a stack. @default DEFAULT_LOCK_TIMEOUT_MS */
  readonly lockTimeoutMs?: number;
  /** Where progress goes (src/report/progress.ts: a live view on a terminal, timestamped lines elsewhere). */
  readonly progress?: RunProgress;
  /**
   * `tenantctl adopt`: the stacks import what exists under the names they would create, unless it differs (see
   * infra/adopt/adoptionPlan.ts). Without it, only a retained tenant's own objects are taken back.
   */
  readonly adopt?: boolean;
}

export interface StackWork {
  readonly slug: string;
  /** When set, the stack is not run and this is reported (an invalid file, an orphaned stack). */
  readonly skip?: string;
  /** When set, the stack is not run and the run counts as failed for it (its tenant files are invalid). */
  readonly refuse?: string;
}

const NOT_STARTED = "not started: the run was interrupted";

export async function runStacks(operation: Operation, work: readonly StackWork[], options: EngineOptions): Promise<TenantRun[]> {
  if (!existsSync(join(options.projectDir, "Pulumi.yaml"))) {
    throw new UsageError(`no Pulumi.yaml in ${options.projectDir}: run tenantctl from the project root`);
  }
  const automation = await import("@pulumi/pulumi/automation");
  // Readable only by this user: it holds the tenants' resolved values (no secrets, but nobody else's business).
  const verdicts = options.verdict ? mkdtempSync(join(tmpdir(), "tenantctl-verdicts-")) : undefined;
  try {
    return await mapBounded(work, options.parallel, (item) => runStack(automation, operation, item, options, verdicts));
  } finally {
    if (verdicts) rmSync(verdicts, { recursive: true, force: true });
  }
}

async function runStack(
  automation: typeof import("@pulumi/pulumi/automation"),
  operation: Operation,
  { slug, skip, refuse }: StackWork,
  options: EngineOptions,
  verdicts: string | undefined,
): Promise<TenantRun> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  if (refuse) return { slug, stack: slug, outcome: "failed", changes: {}, resources: [], message: refuse, seconds: 0 };
  if (skip) return { slug, stack: slug, outcome: "skipped", changes: {}, resources: [], message: skip, seconds: 0 };
  if (options.signal?.aborted) return { slug, stack: slug, outcome: "cancelled", changes: {}, resources: [], message: NOT_STARTED, seconds: 0 };
  const resources = new Map<string, ResourceChange>();
  const onEvent = (event: EngineEvent) => {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata || metadata.type === "pulumi:pulumi:Stack" || metadata.type.startsWith("pulumi:providers:")) return;
    options.progress?.step(slug, metadata.op, metadata.type, metadata.urn.split("::").pop() ?? metadata.urn);
    const properties = changesNothing(metadata.op) || metadata.op === "create" || metadata.op === "import" ? [] : driftedProperties(metadata);
    // The engine imports, then updates what differs from the files: one line, `import`, with what the update changes.
    const op = resources.get(metadata.urn)?.op === "import" ? "import" : metadata.op;
    resources.set(metadata.urn, { urn: metadata.urn, type: metadata.type, name: metadata.urn.split("::").pop() ?? metadata.urn, op, diffs: metadata.diffs ?? [], ...(properties.length > 0 ? { properties } : {}) });
  };
  try {
    const workspaceOptions = {
      // Absolute: the program runs in the directory of Pulumi.yaml's `main`, not in the project directory.
      envVars: { TENANTCTL_DIR: resolve(options.projectDir, options.tenantsDir), ...verdictEnv(slug, options, verdicts), ...backendWorkarounds(process.env) },
    };
    let stack: Stack;
    if (operation === "up" || operation === "preview") {
      try {
        stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: slug, workDir: options.projectDir }, workspaceOptions);
      } catch (error) {
        // Two runs of a new stack at once: the other one created it between our select and our init.
        if (!/already exists/.test(String((error as Error).message))) throw error;
        stack = await automation.LocalWorkspace.selectStack({ stackName: slug, workDir: options.projectDir }, workspaceOptions);
      }
    } else {
      try {
        stack = await automation.LocalWorkspace.selectStack({ stackName: slug, workDir: options.projectDir }, workspaceOptions);
      } catch (error) {
        if (error instanceof automation.StackNotFoundError) {
          return { slug, stack: slug, outcome: "skipped", changes: {}, resources: [], message: `stack ${slug} does not exist yet: nothing to ${operation === "drift" ? "compare" : "destroy"}`, seconds: seconds() };
        }
        throw error;
      }
    }
    if (options.signal?.aborted) return { slug, stack: slug, outcome: "cancelled", changes: {}, resources: [], message: NOT_STARTED, seconds: seconds() };
    if (options.adopt) stack.workspace.envVars[ADOPT_ENV] = consentValue(await readStateNames(stack), true);
    options.progress?.started(slug, operation);
    // A killed run of ours may have created objects it never recorded: its pending creates are imported, not made twice.
    const afterStaleLock = async () => {
      const names = await readStateNames(stack);
      if (names.pending.length === 0) return;
      options.progress?.note(`${slug}: the killed run was creating ${names.pending.join(", ")}: what of it exists is imported, not created again`);
      stack.workspace.envVars[ADOPT_ENV] = consentValue(names, options.adopt === true);
    };
    const { changes, outputs } = await waitingForLocks(slug, options, afterStaleLock, () => {
      resources.clear();
      return runOperation(stack, operation, onEvent, options.signal);
    });
    const changed = [...resources.values()].filter((r) => !changesNothing(r.op));
    const anyChange = changed.length > 0 || Object.entries(changes).some(([op, n]) => !changesNothing(op) && n > 0);
    const outcome = !anyChange ? "unchanged" : operation === "drift" ? "drift" : "changed";
    options.progress?.ended(slug, outcome);
    return { slug, stack: slug, outcome, changes, resources: changed, ...(outputs ? { outputs: publicOutputs(outputs) } : {}), seconds: seconds() };
  } catch (error) {
    if (options.signal?.aborted) {
      options.progress?.ended(slug, "cancelled");
      const done = [...resources.values()].filter((r) => !changesNothing(r.op));
      return { slug, stack: slug, outcome: "cancelled", changes: {}, resources: done, message: "cancelled while it ran: the engine stopped, saved the stack's state and released its lock", seconds: seconds() };
    }
    options.progress?.ended(slug, "failed");
    return { slug, stack: slug, outcome: "failed", changes: {}, resources: [...resources.values()].filter((r) => !changesNothing(r.op)), message: engineErrorMessage(error, slug), seconds: seconds() };
  }
}

async function runOperation(stack: Stack, operation: Operation, onEvent: (event: EngineEvent) => void, signal: AbortSignal | undefined): Promise<{ changes: Record<string, number>; outputs?: OutputMap }> {
  // `up` and `preview` refresh first: what the real world holds is compared with the program, so an `up`
  // restores what was changed behind the tool's back (managed settings are enforced, see the README), and a
  // preview shows exactly what that `up` would do.
  if (operation === "preview" || operation === "drift") {
    // For drift, a refreshing preview compares the program with the real world and writes no state.
    return { changes: (await stack.preview({ refresh: true, onEvent, color: "never", signal })).changeSummary };
  }
  if (operation === "up") {
    const result = await stack.up({ refresh: true, onEvent, color: "never", signal });
    return { changes: (result.summary.resourceChanges ?? {}) as Record<string, number>, outputs: result.outputs };
  }
  const result = await stack.destroy({ onEvent, color: "never", signal });
  return { changes: (result.summary.resourceChanges ?? {}) as Record<string, number> };
}

/**
 * Runs `work`, and while another run holds the stack's lock, tries again with backoff until the lock timeout. A lock
 * left by a process of this host that is gone (a run killed with SIGKILL) is cleared at once, with a notice.
 */
async function waitingForLocks<T>(slug: string, options: EngineOptions, afterStaleLock: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let wait = 1000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isLockError(error) || options.signal?.aborted) throw error;
      const backend = fileBackendDir(process.env);
      const locks = backend ? stackLocks(backend, projectName(options.projectDir), slug) : [];
      if (locks.length > 0 && locks.every(isStale)) {
        for (const lock of locks) {
          removeLock(lock);
          options.progress?.note(`${slug}: cleared a stale lock of ${describeHolder(lock)}: that process is gone`);
        }
        await afterStaleLock();
        continue;
      }
      if (Date.now() + wait > deadline) throw error;
      const holder = locks[0] ? describeHolder(locks[0]) : "another run";
      options.progress?.note(`${slug}: locked by ${holder}; trying again in ${wait / 1000} s`);
      await sleep(wait, options.signal);
      wait = Math.min(wait * 2, 15_000);
    }
  }
}

function isLockError(error: unknown): boolean {
  return /the stack is currently locked by \d+ lock/.test(String((error as Error | undefined)?.message ?? error));
}

/** Waits `ms`, or less when the run is interrupted meanwhile. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** TENANTCTL_VERDICT for the stack's program: a file of its own, when the run's validation lets the stack be deployed. */
function verdictEnv(slug: string, options: EngineOptions, verdicts: string | undefined): Record<string, string> {
  const verdict = verdicts ? options.verdict?.(slug) : undefined;
  if (!verdicts || !verdict) return {};
  const file = join(verdicts, `${slug}.json`);
  writeFileSync(file, JSON.stringify(verdict), { mode: 0o600 });
  return { TENANTCTL_VERDICT: file };
}

/**
 * The stacks of the project that exist in the backend, by stack name (no organization or project prefix), so
 * `--all` can report a stack whose tenant file is gone. Needs the same environment as the runs (the backend URL).
 */
export async function listStacks(projectDir: string): Promise<string[]> {
  const automation = await import("@pulumi/pulumi/automation");
  const workspace = await automation.LocalWorkspace.create({ workDir: projectDir, envVars: backendWorkarounds(process.env) });
  const stacks = await workspace.listStacks();
  return stacks.map((stack) => stack.name.split("/").pop() ?? stack.name).sort();
}

/**
 * Pulumi 3.248's PostgreSQL backend deadlocks listing stacks (`pulumi stack ls`, and every `--all`): each of its 10
 * listing workers holds a connection for its result rows while it asks, on another connection, for each row's
 * metadata (backend/diy/postgres/bucket.go, ListPaged), from a pool of GOMAXPROCS×2 connections. With 4 stacks on a
 * 2-core runner every connection is held and every worker waits, forever. One listing worker can always get its
 * second connection, so that is what a postgres:// backend gets unless the user chose a number.
 */
export function backendWorkarounds(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const postgres = /^postgres(ql)?:\/\//.test(env["PULUMI_BACKEND_URL"] ?? "");
  return postgres && env["PULUMI_DIY_BACKEND_PARALLEL"] === undefined ? { PULUMI_DIY_BACKEND_PARALLEL: "1" } : {};
}

/** Secret outputs never leave the engine: they are replaced, not dropped, so readers know they exist. */
export function publicOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? SECRET_TEXT : output.value]));
}
