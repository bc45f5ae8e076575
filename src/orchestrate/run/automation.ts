/**
 * The real engine, through the Automation API: one stack per tenant, named by its slug, running the project's
 * program (the function Pulumi.yaml's program exports, in this process: see engineSession.ts), exactly what
 * `pulumi up -s <slug>` runs by hand. One failing tenant never stops the others: every stack's error is caught and
 * reported. What a run shares between its stacks (one CLI version check, the program, the dynamic providers) is in
 * engineSession.ts; per stack, only the operation itself starts the engine.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineEvent, LocalWorkspace, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { changesNothing, type Operation, type ResourceChange, type TenantRun } from "../../report/runReport";
import { SECRET_TEXT } from "../../core/compare/plannedStack";
import type { NotAppliedChange } from "../../core/compare/notApplied";
import { type DataLocation, dataLocationOf, moveBetween, parseDataLocation } from "../../core/location";
import { UsageError } from "../../core/errors";
import type { VerdictForStack } from "../../core/verdict";
import { type AdoptionConsent, NO_CONSENT } from "../../../infra/adopt/adoptionPlan";
import type { RunProgress } from "../../report/progress";
import { consentFrom, readStateNames } from "./adoptionConsent";
import { driftedProperties } from "./driftedProperties";
import { notAppliedSettings } from "./notAppliedSettings";
import { fileBackendStacks } from "./fileBackendStacks";
import { engineErrorMessage } from "./engineErrors";
import { DEFAULT_LOCK_TIMEOUT_MS, describeHolder, fileBackendDir, isStale, removeLock, stackLocks } from "./locks";
import { mapBounded } from "./pool";
import { type EngineSession, stackStateExists, startEngineSession } from "../engine/engineSession";
import { projectName } from "../engine/projectFile";
import { pulumiAutomation } from "../engine/sdkPatches";
import { projectWorkspace } from "../engine/workspace";

/** The engine's steps of one replacement, reported as one `replace`. */
const REPLACEMENT_STEPS = new Set(["replace", "create-replacement", "delete-replaced"]);

export interface EngineOptions {
  /** Where Pulumi.yaml is. */
  readonly projectDir: string;
  /** The tenants directory, for Pulumi.yaml's program (a stack without a verdict: see engineSession.ts). */
  readonly tenantsDir: string;
  /** Stacks run at once. */
  readonly parallel: number;
  /**
   * What this run's validation of the fleet says of each stack (src/core/verdict.ts): handed to its program, which then
   * need not parse and validate the whole fleet again. Undefined: the program validates the fleet itself.
   */
  readonly verdict?: (slug: string) => VerdictForStack | undefined;
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
  /**
   * What this run sets on top of process.env for the engine and the program (the sandbox's backend, passphrase and
   * database servers), without changing process.env for the whole process.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Runs around each stack's operation that is not skipped or refused: `up`'s move step (moves/tenantMoves.ts), which
   * moves a tenant's data before its stack runs and gives the login back after.
   */
  readonly aroundStack?: (slug: string, run: () => Promise<TenantRun>) => Promise<TenantRun>;
}

export interface StackWork {
  readonly slug: string;
  /** When set, the stack is not run and this is reported (an invalid file, an orphaned stack). */
  readonly skip?: string;
  /** When set, the stack is not run and the run counts as failed for it (its tenant files are invalid). */
  readonly refuse?: string;
}

const NOT_STARTED = "not started: the run was interrupted";

export async function runStacks(
  operation: Operation,
  work: readonly StackWork[],
  options: EngineOptions,
): Promise<TenantRun[]> {
  if (!existsSync(join(options.projectDir, "Pulumi.yaml"))) {
    throw new UsageError(`no Pulumi.yaml in ${options.projectDir}: run tenantctl from the project root`);
  }
  // Nothing to run (every stack refused for its files, or skipped): no engine is started, so an invalid file is
  // reported as such even where the Pulumi CLI is missing.
  const settled = work.map(settledWithoutEngine);
  if (settled.every((run) => run !== undefined)) return settled;
  const session = await startEngineSession(options.projectDir, options.env);
  try {
    const { aroundStack } = options;
    return await mapBounded(work, options.parallel, (item) =>
      aroundStack && !item.skip && !item.refuse
        ? aroundStack(item.slug, () => runStack(session, operation, item, options))
        : runStack(session, operation, item, options),
    );
  } finally {
    session.close();
  }
}

/** The run of a stack refused for its files or skipped: decided before the engine, which never sees it. */
function settledWithoutEngine({ slug, skip, refuse }: StackWork): TenantRun | undefined {
  if (refuse) return { slug, stack: slug, outcome: "failed", changes: {}, resources: [], message: refuse, seconds: 0 };
  if (skip) return { slug, stack: slug, outcome: "skipped", changes: {}, resources: [], message: skip, seconds: 0 };
  return undefined;
}

async function runStack(
  session: EngineSession,
  operation: Operation,
  { slug, skip, refuse }: StackWork,
  options: EngineOptions,
): Promise<TenantRun> {
  const { automation } = session;
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const settled = settledWithoutEngine({ slug, skip, refuse });
  if (settled) return settled;
  if (options.signal?.aborted)
    return { slug, stack: slug, outcome: "cancelled", changes: {}, resources: [], message: NOT_STARTED, seconds: 0 };
  const resources = new Map<string, ResourceChange>();
  const notApplied = new Map<string, NotAppliedChange[]>();
  const summary = new RunSummary();
  const onEvent = (event: EngineEvent) => {
    summary.take(event);
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata || metadata.type === "pulumi:pulumi:Stack" || metadata.type.startsWith("pulumi:providers:")) return;
    options.progress?.step(slug, metadata.op, metadata.type, metadata.urn.split("::").pop() ?? metadata.urn);
    const seedOnly = notAppliedSettings(operation, metadata);
    if (seedOnly.length > 0) notApplied.set(metadata.urn, seedOnly);
    const properties =
      changesNothing(metadata.op) || metadata.op === "create" || metadata.op === "import"
        ? []
        : driftedProperties(metadata).filter((property) => !seedOnly.some((edit) => edit.path === property.path));
    const earlier = resources.get(metadata.urn);
    // The engine imports, then updates what differs from the files: one line, `import`, with what the update changes.
    // A replacement comes as three steps of one resource (create-replacement, replace, delete-replaced), and only the
    // first two carry the properties that force it: one line, `replace`, with those.
    const replacing = REPLACEMENT_STEPS.has(metadata.op);
    const op = earlier?.op === "import" ? "import" : replacing ? "replace" : metadata.op;
    const shown = replacing && properties.length === 0 ? (earlier?.properties ?? []) : properties;
    resources.set(metadata.urn, {
      urn: metadata.urn,
      type: metadata.type,
      name: metadata.urn.split("::").pop() ?? metadata.urn,
      op,
      diffs: metadata.diffs?.length ? metadata.diffs : replacing ? (earlier?.diffs ?? []) : [],
      ...(shown.length > 0 ? { properties: shown } : {}),
    });
  };
  try {
    // Absolute: Pulumi.yaml's program (a stack without a verdict) runs in the directory of `main`, not of the project.
    const envVars = { TENANTCTL_DIR: resolve(options.projectDir, options.tenantsDir) };
    // What this run consents to import (infra/adopt/adoptionPlan.ts): the program takes it when the operation runs it,
    // so a consent given after a stale lock was cleared still counts.
    let consent: AdoptionConsent = NO_CONSENT;
    const verdict = options.verdict?.(slug);
    const { stack, workspace } = await session.stack(
      slug,
      envVars,
      verdict ? { verdict, consent: () => consent } : undefined,
    );
    if (options.signal?.aborted)
      return {
        slug,
        stack: slug,
        outcome: "cancelled",
        changes: {},
        resources: [],
        message: NOT_STARTED,
        seconds: seconds(),
      };
    if (options.adopt) consent = consentFrom(await readStateNames(stack, automation), true);
    options.progress?.started(slug, operation);
    // A killed run of ours may have created objects it never recorded: its pending creates are imported, not made twice.
    const afterStaleLock = async () => {
      const names = await readStateNames(stack, automation);
      if (names.pending.length === 0) return;
      options.progress?.note(
        `${slug}: the killed run was creating ${names.pending.join(", ")}: what of it exists is imported, not created again`,
      );
      consent = consentFrom(names, options.adopt === true);
    };
    const attempt = () =>
      waitingForLocks(slug, options, afterStaleLock, () => {
        resources.clear();
        notApplied.clear();
        summary.clear();
        return runOperation(stack, operation, onEvent, summary, options.signal);
      });
    const createsStacks = operation === "up" || operation === "preview";
    if (
      createsStacks &&
      stackStateExists(fileBackendDir(runEnv(options)), projectName(options.projectDir), slug) === false
    )
      await createStack(workspace, slug, automation);
    let result: { changes: Record<string, number>; outputs?: OutputMap };
    try {
      result = await attempt();
    } catch (error) {
      // The stack was not selected first (engineSession.ts): a stack that does not exist shows here.
      if (!(error instanceof automation.StackNotFoundError)) throw error;
      if (operation === "drift" || operation === "destroy") {
        options.progress?.ended(slug, "skipped");
        return {
          slug,
          stack: slug,
          outcome: "skipped",
          changes: {},
          resources: [],
          message: `stack ${slug} does not exist yet: nothing to ${operation === "drift" ? "compare" : "destroy"}`,
          seconds: seconds(),
        };
      }
      await createStack(workspace, slug, automation);
      result = await attempt();
    }
    const { changes, outputs } = result;
    const changed = [...resources.values()].filter((r) => !changesNothing(r.op));
    const anyChange = changed.length > 0 || Object.entries(changes).some(([op, n]) => !changesNothing(op) && n > 0);
    const outcome = !anyChange ? "unchanged" : operation === "drift" ? "drift" : "changed";
    options.progress?.ended(slug, outcome);
    const move = movedData(slug, summary.deployedLocation(), options);
    const edits = [...notApplied.values()].flat();
    return {
      slug,
      stack: slug,
      outcome,
      changes,
      ...(move ? { move } : {}),
      resources: changed,
      ...(edits.length > 0 ? { notApplied: edits } : {}),
      ...(outputs ? { outputs: publicOutputs(outputs) } : {}),
      seconds: seconds(),
    };
  } catch (error) {
    if (options.signal?.aborted) {
      options.progress?.ended(slug, "cancelled");
      const done = [...resources.values()].filter((r) => !changesNothing(r.op));
      return {
        slug,
        stack: slug,
        outcome: "cancelled",
        changes: {},
        resources: done,
        message: "cancelled while it ran: the engine stopped, saved the stack's state and released its lock",
        seconds: seconds(),
      };
    }
    options.progress?.ended(slug, "failed");
    return {
      slug,
      stack: slug,
      outcome: "failed",
      changes: {},
      resources: [...resources.values()].filter((r) => !changesNothing(r.op)),
      message: engineErrorMessage(error, slug),
      seconds: seconds(),
    };
  }
}

/**
 * The move between where the stack last put the tenant's data and where its files put it now; undefined for a stack
 * never deployed (or deployed before it had a `dataLocation` output), the control plane, or data that stays put.
 */
function movedData(
  slug: string,
  deployed: DataLocation | undefined,
  options: EngineOptions,
): { from: DataLocation; to: DataLocation } | undefined {
  const tenant = options.verdict?.(slug)?.tenant;
  if (!deployed || !tenant) return undefined;
  const move = moveBetween(slug, deployed, dataLocationOf(tenant));
  return move ? { from: move.from, to: move.to } : undefined;
}

async function createStack(
  workspace: LocalWorkspace,
  slug: string,
  automation: EngineSession["automation"],
): Promise<void> {
  try {
    await workspace.createStack(slug);
  } catch (error) {
    // Two runs of a new stack at once: the other one created it between our look and our init.
    if (!(error instanceof automation.StackAlreadyExistsError)) throw error;
  }
}

async function runOperation(
  stack: Stack,
  operation: Operation,
  onEvent: (event: EngineEvent) => void,
  summary: RunSummary,
  signal: AbortSignal | undefined,
): Promise<{ changes: Record<string, number>; outputs?: OutputMap }> {
  // `up` and `destroy` of the Automation API end with `pulumi stack output` twice and `pulumi stack history` (three
  // more CLI starts, each decrypting the stack's secrets) for what the events of the run already said: answered from
  // those instead.
  stack.outputs = async () => summary.outputs();
  stack.info = async () => undefined;
  // Ctrl-C while the stack was being prepared (its stack created, its lock waited for): nothing of it runs.
  if (signal?.aborted) throw new Error("interrupted before the engine started");
  const engine = abortOnceRunning(signal);
  const heard = (event: EngineEvent) => {
    engine.running();
    onEvent(event);
  };
  // `up` and `preview` refresh first: what the real world holds is compared with the program, so an `up`
  // restores what was changed behind the tool's back (managed settings are enforced, see the README), and a
  // preview shows exactly what that `up` would do.
  if (operation === "preview" || operation === "drift") {
    // For drift, a refreshing preview compares the program with the real world and writes no state.
    return {
      changes: (
        await stack.preview({
          refresh: true,
          onEvent: heard,
          onOutput: engine.running,
          color: "never",
          signal: engine.signal,
        })
      ).changeSummary,
    };
  }
  if (operation === "up") {
    const result = await stack.up({
      refresh: true,
      onEvent: heard,
      onOutput: engine.running,
      color: "never",
      signal: engine.signal,
    });
    return { changes: summary.changes(), outputs: result.outputs };
  }
  await stack.destroy({ onEvent: heard, onOutput: engine.running, color: "never", signal: engine.signal });
  return { changes: summary.changes() };
}

/**
 * The Automation API passes an abort to the `pulumi` process (SIGINT: the engine cancels, saves and unlocks) only if
 * it comes after the process started: one that comes between our last look and that start would go unheard, and the
 * stack would run to its end. So the engine's own signal is aborted once the process is known to run (its first
 * output or event), whenever Ctrl-C came.
 */
function abortOnceRunning(interrupt: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  running: () => void;
} {
  if (!interrupt) return { signal: undefined, running: () => undefined };
  const engine = new AbortController();
  let running = false;
  const relay = () => {
    if (running && interrupt.aborted && !engine.signal.aborted) engine.abort();
  };
  interrupt.addEventListener("abort", relay, { once: true });
  return {
    signal: engine.signal,
    running: () => {
      running = true;
      relay();
    },
  };
}

/**
 * What a run's engine events say at its end: the change summary (the summary event) and the stack's outputs (the
 * outputs event of the `pulumi:pulumi:Stack` resource), secret values as the engine shows them ("[secret]") — exactly
 * what `pulumi stack output --json` without and with `--show-secrets` tell the Automation API apart by.
 */
export class RunSummary {
  private resourceChanges: Record<string, number> = {};
  private stackOutputs: Record<string, unknown> = {};
  private deployed: DataLocation | undefined;

  take(event: EngineEvent): void {
    if (event.summaryEvent)
      this.resourceChanges = { ...(event.summaryEvent.resourceChanges as Record<string, number>) };
    const metadata = event.resOutputsEvent?.metadata;
    if (metadata?.type === "pulumi:pulumi:Stack") this.stackOutputs = { ...(metadata.new?.outputs ?? {}) };
    // The stack resource's state before this run holds the outputs of the last deployment: where it put the data.
    const step = event.resourcePreEvent?.metadata ?? metadata;
    if (step?.type === "pulumi:pulumi:Stack")
      this.deployed = parseDataLocation(step.old?.outputs?.["dataLocation"]) ?? this.deployed;
  }

  clear(): void {
    this.resourceChanges = {};
    this.stackOutputs = {};
    this.deployed = undefined;
  }

  /** The `dataLocation` output of the stack's last deployment, when the engine's events showed it. */
  deployedLocation(): DataLocation | undefined {
    return this.deployed;
  }

  changes(): Record<string, number> {
    return { ...this.resourceChanges };
  }

  outputs(): OutputMap {
    return Object.fromEntries(
      Object.entries(this.stackOutputs).map(([key, value]) => {
        const masked = maskSecrets(value);
        return [key, { value: masked, secret: masked === SECRET_TEXT }];
      }),
    );
  }
}

/** The engine's events show a secret as `{<secret signature>: ..., ciphertext: "[secret]"}`, at any depth: "[secret]". */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== "object") return value;
  if (SECRET_SIGNATURE in value) return SECRET_TEXT;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskSecrets(inner)]));
}

/**
 * Runs `work`, and while another run holds the stack's lock, tries again with backoff until the lock timeout. A lock
 * left by a process of this host that is gone (a run killed with SIGKILL) is cleared at once, with a notice.
 */
async function waitingForLocks<T>(
  slug: string,
  options: EngineOptions,
  afterStaleLock: () => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + (options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let wait = 1000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isLockError(error) || options.signal?.aborted) throw error;
      const backend = fileBackendDir(runEnv(options));
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

/**
 * The stacks of the project that exist in the backend, by stack name (no organization or project prefix), so
 * `--all` can report a stack whose tenant file is gone. Needs the same environment as the runs (the backend URL).
 */
export async function listStacks(
  projectDir: string,
  envOverrides: Readonly<Record<string, string>> = {},
): Promise<string[]> {
  const fromFiles = fileBackendStacks(runEnv({ env: envOverrides }), projectName(projectDir));
  if (fromFiles) return fromFiles;
  const workspace = await projectWorkspace(
    await pulumiAutomation(),
    projectDir,
    { envVars: { ...envOverrides } },
    runEnv({ env: envOverrides }),
  );
  const stacks = await workspace.listStacks();
  return stacks.map((stack) => stack.name.split("/").pop() ?? stack.name).sort();
}

/** The environment a run's engine sees: process.env with what the run sets on top of it. */
function runEnv(options: Pick<EngineOptions, "env">): Readonly<Record<string, string | undefined>> {
  return options.env ? { ...process.env, ...options.env } : process.env;
}

/** Secret outputs never leave the engine: they are replaced, not dropped, so readers know they exist. */
export function publicOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([key, output]) => [key, output.secret ? SECRET_TEXT : output.value]),
  );
}
