/**
 * One `preview|up|drift|destroy` of a fleet, from the tenant files to the report: read and validate the fleet once,
 * select the stacks (select/selectStacks.ts), run them through the engine in order (on `up`, the control plane first,
 * alone, since tenants use what it creates), and clean up after a killed earlier run (orphans.ts).
 */
import { resolve } from "node:path";
import { renderDiagnosticsText } from "../../core/formatDiagnostics";
import { type Fleet, loadFleet } from "../../core/load";
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { stackVerdict } from "../../core/verdict";
import { moveStep } from "../moves/tenantMoves";
import { lineProgress, liveProgress } from "../../report/progress";
import type { Operation, RunReport, ScanSummary, TenantRun, UnmanagedObject } from "../../report/runReport";
import { checkSelectionFlags, selectStacks, type SelectionOptions } from "../select/selectStacks";
import type { EngineOptions, StackWork } from "./automation";
import { stopOrphanedPlugins } from "./orphans";
import { runStacksInWaves } from "../waves/stackWaves";

export interface FleetRunOptions extends SelectionOptions {
  readonly parallel: number;
  /** How long to wait for another run's lock on a stack. */
  readonly lockTimeoutMs?: number;
  /** Progress as a live view on stderr (a terminal) rather than timestamped lines. */
  readonly liveProgress?: boolean;
  /** `tenantctl adopt`: import what exists under tenantctl's names (see src/commands/adopt.ts). */
  readonly adopt?: boolean;
  /** `up --waves`: the tenant stacks in waves (src/orchestrate/waves/), the control plane first as ever. */
  readonly waves?: string;
  /** Failures a wave may end with and the next still start. @default 0 */
  readonly maxFailures?: number;
  readonly pauseMs?: number;
  /** `drift --engine`: every stack through the engine, without the scan first (src/orchestrate/scan/). */
  readonly engine?: boolean;
  /** `drift --unmanaged all`: list every non-system object no tenant file owns, not only those under tenantctl's names. */
  readonly unmanaged?: "names" | "all";
}

export interface FleetRunPlace {
  /** Where Pulumi.yaml is. @default the working directory (the sandbox keeps its own copy of the project) */
  readonly projectDir?: string;
  /** Aborted on Ctrl-C or SIGTERM (the CLI owns the signals). */
  readonly interrupt?: AbortSignal;
  /** What the run sets on top of process.env for the engine and the program (automation.ts, EngineOptions.env). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Selects and runs the stacks and returns the report. Progress goes to `err`. `options.dir` is relative to the
 * working directory.
 */
export async function runFleet(
  operation: Operation,
  slugs: readonly string[],
  options: FleetRunOptions,
  err: (text: string) => void,
  { projectDir = process.cwd(), interrupt, env }: FleetRunPlace = {},
): Promise<RunReport> {
  // A usage mistake is reported as one (exit 2) before the fleet is read or the backend asked for its stacks.
  checkSelectionFlags(operation, slugs, options);
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  // Invalid files are reported here once; the stacks they affect are refused below (every stack, when the
  // template is invalid, except for `destroy`, which needs only the state) and the run still ends with its report.
  if (fleet.errors.length > 0) err(`${renderDiagnosticsText(fleet.errors, fleet.sources)}\n`);
  const { listStacks, runStacks } = await import("./automation");
  let existing: string[] = [];
  if (options.all && operation !== "destroy") {
    try {
      existing = await listStacks(projectDir, env);
    } catch (error) {
      err(
        `tenantctl: could not list the existing stacks, so stacks without a tenant file are not reported: ${(error as Error).message.split("\n")[0]}\n`,
      );
    }
  }
  const selection = selectStacks(operation, slugs, options, fleet, existing);
  const started = Date.now();
  let work: StackWork[] = selection.slugs.map((slug) => ({
    slug,
    ...(selection.skipped.has(slug) ? { skip: selection.skipped.get(slug)! } : {}),
    ...(selection.refused.has(slug) ? { refuse: selection.refused.get(slug)! } : {}),
  }));
  const progress = options.liveProgress ? liveProgress(process.stderr, selection.slugs.length) : lineProgress(err);
  const engineOptions: EngineOptions = {
    projectDir,
    tenantsDir: resolve(process.cwd(), options.dir),
    parallel: options.parallel,
    // The fleet was validated once, here: each stack's program checks this verdict instead of validating it again.
    verdict: (slug: string) => stackVerdict(fleet, slug),
    ...(interrupt ? { signal: interrupt } : {}),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    ...(options.adopt ? { adopt: true } : {}),
    ...(env ? { env } : {}),
    // `up` moves a tenant's data where its files put it before its stack switches there.
    ...(operation === "up"
      ? {
          aroundStack: moveStep(fleet, {
            projectDir,
            env: { ...process.env, ...env },
            ...(interrupt ? { signal: interrupt } : {}),
            note: (line) => progress.note(line),
          }),
        }
      : {}),
    progress,
  };
  let tenants: TenantRun[];
  let scanned: ScannedFleet | undefined;
  try {
    tenants = [];
    // `drift --all` scans the fleet in bulk first: only what the scan flags or cannot read goes to the engine. The
    // control plane, which the scan does not read, goes to the engine meanwhile.
    if (operation === "drift" && options.all && !options.engine && fleet.controlPlane) {
      const [scan, controlPlane] = await Promise.all([
        scanFirst(fleet, work, options, { projectDir, env: { ...process.env, ...env } }, (line) => progress.note(line)),
        runStacks(
          operation,
          work.filter((w) => w.slug === CONTROL_PLANE_STACK),
          engineOptions,
        ),
      ]);
      scanned = scan;
      tenants.push(...controlPlane);
      work = work.filter((w) => w.slug !== CONTROL_PLANE_STACK && !scanned?.clean.has(w.slug));
    }
    for (const batch of inRunOrder(operation, work)) {
      const inWaves = options.waves !== undefined && !batch.some((w) => w.slug === CONTROL_PLANE_STACK);
      tenants.push(
        ...(inWaves
          ? await runStacksInWaves(fleet, batch, options, (wave) => runStacks(operation, wave, engineOptions), {
              ...(interrupt ? { signal: interrupt } : {}),
              note: (line) => progress.note(line),
            })
          : await runStacks(operation, batch, engineOptions)),
      );
    }
  } finally {
    progress.close();
  }
  if (scanned) tenants = withScan(selection.slugs, tenants, scanned);
  // A preview says how much each move has to copy, where the server's admin credentials are at hand.
  if (operation === "preview" && tenants.some((tenant) => tenant.move)) {
    const { adminCredentials, withDataSizes } = await import("../moves/dataSize");
    tenants = await withDataSizes(
      tenants,
      fleet.controlPlane?.databaseServers ?? [],
      adminCredentials(projectDir, { ...process.env, ...env }),
    );
  }
  // A run killed before this one (SIGKILL of its process group) leaves its plugins running: they go now.
  stopOrphanedPlugins((line) => err(`tenantctl: ${line}\n`));
  return {
    operation,
    tenants,
    seconds: (Date.now() - started) / 1000,
    ...(interrupt?.aborted ? { interrupted: true } : {}),
    ...(scanned ? { unmanaged: scanned.unmanaged, scan: scanned.summary } : {}),
  };
}

interface ScannedFleet {
  readonly clean: ReadonlySet<string>;
  readonly flagged: ReadonlyMap<string, readonly string[]>;
  readonly unmanaged: readonly UnmanagedObject[];
  readonly summary: ScanSummary;
}

/**
 * The scan of the tenant stacks that would run (not the control plane: one stack of shared objects, it always goes to
 * the engine). A scan that fails as a whole sends every stack to the engine, with a notice: it never fails the run.
 */
async function scanFirst(
  fleet: Fleet,
  work: readonly StackWork[],
  options: FleetRunOptions,
  place: { projectDir: string; env: Readonly<Record<string, string | undefined>> },
  note: (line: string) => void,
): Promise<ScannedFleet | undefined> {
  const slugs = work
    .filter(
      (w) => !w.skip && !w.refuse && w.slug !== CONTROL_PLANE_STACK && fleet.tenants.some((t) => t.slug === w.slug),
    )
    .map((w) => w.slug);
  try {
    const { scanFleet } = await import("../scan/scanFleet");
    const result = await scanFleet(fleet, slugs, { ...place, unmanaged: options.unmanaged ?? "names" });
    note(
      `scan: ${slugs.length} tenant stacks in ${result.seconds.toFixed(1)} s: ${result.clean.length} as the files say, ${result.flagged.size} to the engine`,
    );
    for (const line of result.notListed) note(`scan: not listed for unmanaged objects: ${line}`);
    return {
      clean: new Set(result.clean),
      flagged: result.flagged,
      // Every shard sees the same servers: the first one lists what no tenant file owns, once for the fleet.
      unmanaged: options.shard && options.shard.index !== 1 ? [] : result.unmanaged,
      summary: {
        scanned: slugs.length,
        clean: result.clean.length,
        toEngine: result.flagged.size,
        seconds: result.seconds,
        ...(result.notListed.length > 0 ? { notListed: result.notListed } : {}),
      },
    };
  } catch (error) {
    note(`scan: failed (${(error as Error).message.split("\n")[0]}): every stack goes to the engine`);
    return undefined;
  }
}

/** The engine's runs and the scan's clean stacks, in the selection's order; flagged stacks say why they were sent. */
function withScan(order: readonly string[], ran: readonly TenantRun[], scanned: ScannedFleet): TenantRun[] {
  const bySlug = new Map(ran.map((run) => [run.slug, run]));
  return order.flatMap((slug): TenantRun[] => {
    if (scanned.clean.has(slug))
      return [{ slug, stack: slug, outcome: "unchanged", changes: {}, resources: [], seconds: 0 }];
    const run = bySlug.get(slug);
    if (!run) return [];
    const findings = scanned.flagged.get(slug);
    return [findings ? { ...run, scan: findings } : run];
  });
}

/**
 * The batches a run goes through, one after the other. Tenants use what the control plane creates (the shared database
 * of schema-isolated tenants): on `up`, the control-plane stack goes first, alone, and the tenants follow.
 */
export function inRunOrder(operation: Operation, work: readonly StackWork[]): StackWork[][] {
  const controlPlaneFirst =
    operation === "up" && work.some((w) => w.slug === CONTROL_PLANE_STACK && !w.skip && !w.refuse) && work.length > 1;
  if (!controlPlaneFirst) return [[...work]];
  return [work.filter((w) => w.slug === CONTROL_PLANE_STACK), work.filter((w) => w.slug !== CONTROL_PLANE_STACK)];
}
