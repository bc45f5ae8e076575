/**
 * `tenantctl plan [slug…] [--base <ref>]`: what each selected stack declares, rendered offline by the real program
 * code (src/orchestrate/plan/offlinePlan/); with `--base`, what changed against that ref (src/orchestrate/plan/planStacks.ts).
 * No engine, no credentials, no network: a reviewer without cloud access can read it.
 */
import type { Outcome } from "../core/errors";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { type Fleet, loadFleet } from "../core/load";
import { compareMigrations } from "../core/migrations/compareMigrations";
import { loadFleetAt } from "../orchestrate/select/fleetAtRef";
import { planStacks, selectPlanStacks } from "../orchestrate/plan/planStacks";
import { projectName } from "../orchestrate/engine/projectFile";
import type { Shard } from "../orchestrate/select/shard";
import { emitReport } from "../report/emit";
import {
  type PlanMigrations,
  type PlanReport,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanText,
} from "../report/renderPlan";

export interface PlanOptions {
  readonly dir: string;
  readonly base?: string;
  /** Only this part of the tenant stacks (never `control-plane`). */
  readonly shard?: Shard;
  readonly format: "text" | "json" | "markdown";
  /** Write the report to these files instead of stdout (`*.json` and `*.md` in their own format). */
  readonly output?: readonly string[];
}

export async function plan(
  slugs: readonly string[],
  options: PlanOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<Outcome> {
  const cwd = process.cwd();
  const fleet = loadFleet({ dir: options.dir, cwd });
  const templateErrors = fleet.errors.filter((d) => d.file === fleet.controlPlaneFile);
  const controlPlane = fleet.controlPlane;
  if (!controlPlane || templateErrors.length > 0) {
    err(
      `${renderDiagnosticsText(fleet.errors, fleet.sources)}\nthe control-plane template is invalid: nothing was rendered\n`,
    );
    return "failed";
  }
  const base =
    options.base !== undefined ? { ref: options.base, fleet: loadFleetAt(options.base, options.dir) } : undefined;
  const selected = selectPlanStacks(slugs, fleet, base?.fleet, options.shard);
  if (fleet.errors.length > 0) err(`${renderDiagnosticsText(fleet.errors, fleet.sources)}\n`);

  const started = Date.now();
  const { renderStack } = await import("../orchestrate/plan/offlinePlan/renderStack");
  const project = projectName(cwd);
  const stacks = await planStacks(selected, {
    fleet: { ...fleet, controlPlane },
    ...(base ? { base } : {}),
    render: (template, target) => renderStack(template, target, { project }),
  });

  const migrations = base ? migrationChanges(fleet, base.fleet) : undefined;
  const report: PlanReport = {
    ...(base ? { base: base.ref } : {}),
    ...(migrations ? { migrations } : {}),
    stacks,
    seconds: (Date.now() - started) / 1000,
  };
  const renderers = { json: renderPlanJson, markdown: renderPlanMarkdown, text: renderPlanText };
  emitReport((format) => renderers[format](report), options.format, options.output ?? [], out);
  const failed = stacks.some((stack) => stack.error !== undefined);
  return fleet.errors.length > 0 || failed ? "failed" : "ok";
}

/** Which migration files are new, edited or gone since the base, and on how many tenants they will run; none changed: undefined. */
function migrationChanges(fleet: Fleet, base: Fleet): PlanMigrations | undefined {
  const changes = compareMigrations(base.controlPlane?.migrations ?? [], fleet.controlPlane?.migrations ?? []);
  if (changes.added.length + changes.edited.length + changes.removed.length === 0) return undefined;
  return {
    added: changes.added.map((file) => file.fileName),
    edited: changes.edited.map((file) => file.fileName),
    removed: [...changes.removed],
    tenants: fleet.tenants.length,
  };
}
