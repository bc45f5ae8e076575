/** `tenantctl preview|up|drift|destroy`: select stacks, run them through the real engine, report. */
import { resolve } from "node:path";
import { CONTROL_PLANE_STACK } from "../core/naming";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { emitReport } from "../report/emit";
import { renderRunJson, renderRunMarkdown, renderRunTable } from "../report/renderRun";
import { exitCodeFor, type Operation, type RunReport, type TenantRun } from "../report/runReport";
import { changesSince } from "../orchestrate/select/fleetAtRef";
import { stopOrphanedPlugins } from "../orchestrate/run/orphans";
import { lineProgress, liveProgress } from "../report/progress";
import { SANDBOX_PROJECT_ENV } from "../sandbox/envScript";
import { errorsAffecting, type Fleet, loadFleet } from "../core/load";
import { UsageError } from "../core/errors";
import { didYouMean } from "../core/suggest";
import { stackVerdict } from "../core/verdict";
import { inShard, type Shard } from "../orchestrate/select/shard";
import { moveStep } from "../orchestrate/moves/tenantMoves";

export interface RunOptions {
  readonly dir: string;
  readonly all?: boolean;
  readonly changed?: boolean;
  readonly base?: string;
  readonly parallel: number;
  /** Only this part of the selected tenant stacks (never `control-plane`). */
  readonly shard?: Shard;
  /** How long to wait for another run's lock on a stack. */
  readonly lockTimeoutMs?: number;
  /** Progress as a live view on stderr (a terminal) rather than timestamped lines. */
  readonly liveProgress?: boolean;
  readonly format: "text" | "json" | "markdown";
  /** Write the report to these files instead of stdout (`*.json` and `*.md` in their own format). */
  readonly output?: readonly string[];
  /** `tenantctl adopt`: import what exists under tenantctl's names (see src/commands/adopt.ts). */
  readonly adopt?: boolean;
}

export interface Selection {
  readonly slugs: readonly string[];
  /** Stacks that are named but are left alone, with the reason (a stack whose tenant file is gone). */
  readonly skipped: ReadonlyMap<string, string>;
  /** Stacks that are named but cannot run because their files are invalid: a failure of the run. */
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * Which stacks an invocation names. Pure apart from reading the base fleet from git. `existingStacks` (the
 * stacks in the backend) lets `--all` report the stacks whose tenant file is gone, as skipped orphans.
 */
export function selectStacks(operation: Operation, slugs: readonly string[], options: RunOptions, fleet: Fleet, existingStacks: readonly string[] = []): Selection {
  checkSelectionFlags(operation, slugs, options);
  const known = new Set(fleet.slugs);
  const skipped = new Map<string, string>();
  const refused = new Map<string, string>();
  const invalid = (slug: string) => errorsAffecting(fleet, slug).length > 0;
  const orphanReason = (slug: string) => `no tenant file for stack ${slug}: its stack is left as it is; run \`tenantctl destroy ${slug}\` to bring it down (databases and schemas are retained)`;

  let selected: string[];
  if (options.all) {
    selected = [CONTROL_PLANE_STACK, ...fleet.slugs];
    for (const slug of existingStacks) {
      if (slug === CONTROL_PLANE_STACK || known.has(slug)) continue;
      skipped.set(slug, orphanReason(slug));
      selected.push(slug);
    }
  }
  else if (options.changed) {
    const { changes, templateChanged } = changesSince(options.base!, options.dir, fleet);
    if (operation === "destroy") selected = [...changes.removed];
    else {
      selected = [...(templateChanged ? [CONTROL_PLANE_STACK] : []), ...changes.added, ...changes.changed];
      for (const slug of changes.removed) skipped.set(slug, orphanReason(slug));
      selected.push(...changes.removed);
    }
  } else {
    selected = [...slugs];
    for (const slug of slugs) {
      if (slug === CONTROL_PLANE_STACK || known.has(slug)) continue;
      if (operation === "destroy" || operation === "drift") continue; // a stack can outlive its file
      const hint = didYouMean(slug, fleet.slugs);
      throw new UsageError(`no tenant file for \`${slug}\`${hint ? `: ${hint}` : ""}`);
    }
  }
  for (const slug of selected) {
    if (skipped.has(slug)) continue;
    // The control-plane stack is refused too when the template has an error (errorsAffecting covers it).
    if (invalid(slug) && operation !== "destroy") {
      refused.set(slug, `invalid tenant files: fix them first (\`tenantctl validate\`); nothing was run for this stack`);
    } else if (slug !== CONTROL_PLANE_STACK && !known.has(slug) && operation !== "destroy" && operation !== "drift") {
      skipped.set(slug, orphanReason(slug));
    }
  }
  const slugsInShard = [...new Set(selected)].filter((slug) => !options.shard || inShard(slug, options.shard));
  return { slugs: slugsInShard, skipped, refused };
}

/** The usage mistakes in how stacks are named, before anything is read or run. */
function checkSelectionFlags(operation: Operation, slugs: readonly string[], options: RunOptions): void {
  const modes = [slugs.length > 0, options.all === true, options.changed === true].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("name tenants, or pass --all, or --changed --base <ref> (exactly one of these)");
  if (options.changed && !options.base) throw new UsageError("--changed needs --base <git-ref>, e.g. --base origin/main");
  if (operation === "destroy" && options.all) throw new UsageError("destroy --all is refused: destroying a stack is an explicit act; name the tenants");
}

export async function runOperation(
  operation: Operation,
  slugs: readonly string[],
  options: RunOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  /** Aborted on Ctrl-C or SIGTERM (the CLI owns the signals). */
  interrupt?: AbortSignal,
): Promise<number> {
  // After `source .tenantctl/sandbox/env.sh`, stacks run in the sandbox's copy of the project (see envScript.ts).
  const projectDir = process.env[SANDBOX_PROJECT_ENV] ?? process.cwd();
  const report = await executeRun(operation, slugs, options, err, projectDir, interrupt);
  const renderers = { json: renderRunJson, markdown: renderRunMarkdown, text: renderRunTable };
  emitReport((format) => renderers[format](report), options.format, options.output ?? [], out);
  return exitCodeFor(report);
}

/**
 * Selects and runs the stacks and returns the report. Progress goes to
 * `err`. The engine runs with process.env; `options.dir` is relative to the working directory.
 */
export async function executeRun(
  operation: Operation,
  slugs: readonly string[],
  options: RunOptions,
  err: (text: string) => void,
  /** Where Pulumi.yaml is, when not in the working directory (the sandbox keeps its own project). */
  projectDir: string = process.cwd(),
  interrupt?: AbortSignal,
): Promise<RunReport> {
  // A usage mistake is reported as one (exit 2) before the fleet is read or the backend asked for its stacks.
  checkSelectionFlags(operation, slugs, options);
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  // Invalid files are reported here once; the stacks they affect are refused below (every stack, when the
  // template is invalid, except for `destroy`, which needs only the state) and the run still ends with its report.
  if (fleet.errors.length > 0) err(renderDiagnosticsText(fleet.errors, fleet.sources) + "\n");
  const { listStacks, runStacks } = await import("../orchestrate/run/automation");
  let existing: string[] = [];
  if (options.all && operation !== "destroy") {
    try {
      existing = await listStacks(projectDir);
    } catch (error) {
      err(`tenantctl: could not list the existing stacks, so stacks without a tenant file are not reported: ${(error as Error).message.split("\n")[0]}\n`);
    }
  }
  const selection = selectStacks(operation, slugs, options, fleet, existing);
  const started = Date.now();
  const work = selection.slugs.map((slug) => ({
    slug,
    ...(selection.skipped.has(slug) ? { skip: selection.skipped.get(slug)! } : {}),
    ...(selection.refused.has(slug) ? { refuse: selection.refused.get(slug)! } : {}),
  }));
  const progress = options.liveProgress ? liveProgress(process.stderr, selection.slugs.length) : lineProgress(err);
  const engineOptions = {
    projectDir,
    tenantsDir: resolve(process.cwd(), options.dir),
    parallel: options.parallel,
    // The fleet was validated once, here: each stack's program checks this verdict instead of validating it again.
    verdict: (slug: string) => stackVerdict(fleet, slug),
    ...(interrupt ? { signal: interrupt } : {}),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    ...(options.adopt ? { adopt: true } : {}),
    // `up` moves a tenant's data where its files put it before its stack switches there.
    ...(operation === "up" ? { aroundStack: moveStep(fleet, { projectDir, ...(interrupt ? { signal: interrupt } : {}), note: (line) => progress.note(line) }) } : {}),
    progress,
  };
  // Tenants use what the control plane creates (the shared database of schema-isolated tenants): on `up`, the
  // control-plane stack goes first, alone, and the tenants follow.
  const controlPlaneFirst = operation === "up" && work.some((w) => w.slug === CONTROL_PLANE_STACK && !w.skip && !w.refuse) && work.length > 1;
  let tenants: TenantRun[];
  try {
    tenants = controlPlaneFirst
      ? [
          ...(await runStacks(operation, work.filter((w) => w.slug === CONTROL_PLANE_STACK), engineOptions)),
          ...(await runStacks(operation, work.filter((w) => w.slug !== CONTROL_PLANE_STACK), engineOptions)),
        ]
      : await runStacks(operation, work, engineOptions);
  } finally {
    progress.close();
  }
  // A preview says how much each move has to copy, where the server's admin credentials are at hand.
  if (operation === "preview" && tenants.some((tenant) => tenant.move)) {
    const { adminCredentials, withDataSizes } = await import("../orchestrate/moves/dataSize");
    tenants = await withDataSizes(tenants, fleet.controlPlane?.databaseServers ?? [], adminCredentials(projectDir));
  }
  // A run killed before this one (SIGKILL of its process group) leaves its plugins running: they go now.
  stopOrphanedPlugins((line) => err(`tenantctl: ${line}\n`));
  return { operation, tenants, seconds: (Date.now() - started) / 1000, ...(interrupt?.aborted ? { interrupted: true } : {}) };
}
