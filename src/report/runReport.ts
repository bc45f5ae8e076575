/**
 * One RunReport per command run, whatever the operation: the renderers (table, Markdown, JSON) and the outcome
 * (hence the exit code) are computed from it alone. Plain data: no secret ever enters it (outputs are filtered before).
 */
import type { Outcome } from "../core/errors";
import type { DataLocation } from "../core/location";
import type { TenantMove } from "./moves";

export type Operation = "preview" | "up" | "drift" | "destroy";

export type TenantOutcome =
  /** The operation ran and had nothing to do. */
  | "unchanged"
  /** preview: changes are pending; up/destroy: changes were applied. */
  | "changed"
  /** drift: the real world differs from the stack. */
  | "drift"
  /** The engine failed, or the stack was refused because its tenant files are invalid. */
  | "failed"
  /** Not run, on purpose: a stack with no tenant file left, or one not deployed yet. */
  | "skipped"
  /** The run was interrupted (Ctrl-C, SIGTERM): cancelled through the engine, or not started; `message` says which. */
  | "cancelled";

/**
 * Engine operations that change nothing in the real world: not a change, not drift, not worth a line. An `import`
 * changes nothing out there either, but it changes what the stack owns, so it is shown (adopt, a tenant come back).
 */
const NO_OP: ReadonlySet<string> = new Set(["same", "read", "refresh", "discard"]);

export function changesNothing(op: string): boolean {
  return NO_OP.has(op);
}

export interface ResourceChange {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** create | update | replace | delete | … as the engine names it. */
  readonly op: string;
  /** Property names that differ. */
  readonly diffs: readonly string[];
  /** Each property that differs; secrets `[secret]`. */
  readonly properties?: readonly PropertyDifference[];
}

/**
 * One property that differs, by where each value comes from, whatever the operation: the text and Markdown reports
 * order the two by the report's direction (direction.ts), the JSON keeps these names (docs/output.md).
 */
export interface PropertyDifference {
  /** Dotted: `connectionLimit`, `settings.branding.primaryColor`. */
  readonly path: string;
  /** What the tenant files declare: what a preview or an up makes it. */
  readonly expected: unknown;
  /** What the real world holds: for a preview or an up, what is there before it runs. */
  readonly actual: unknown;
}

/** A tenant's data that `up` moved (src/orchestrate/moves/): copied, verified, switched; JSON `moved` of the tenant. */
export interface MovedData {
  readonly from: DataLocation;
  readonly to: DataLocation;
  readonly rows: number;
  readonly tables: number;
  readonly bytes: number;
  /** From the login taken away to the login back. */
  readonly secondsWithoutWrites: number;
  /** Where the old copy is kept, out of the tenant's reach. */
  readonly oldCopy: string;
  /** The statement an administrator runs to drop the old copy once satisfied. */
  readonly drop: string;
}

export interface TenantRun {
  readonly slug: string;
  readonly stack: string;
  readonly outcome: TenantOutcome;
  /** Counts by operation (`create`, `update`, `delete`, `same`, …). */
  readonly changes: Readonly<Record<string, number>>;
  readonly resources: readonly ResourceChange[];
  /**
   * The tenant's data location as deployed (the stack's `dataLocation` output) differs from the files': a move
   * (DESIGN.md, "Moves"); on `preview`, with the old location's size when the server could be asked.
   */
  readonly move?: TenantMove;
  /** Non-secret stack outputs (after `up`). */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Why it failed or was skipped, in one paragraph; after a move, what moved. */
  readonly message?: string;
  /** `up` moved the tenant's data (src/orchestrate/moves/tenantMoves.ts): from, to, rows, bytes, seconds without writes, the old copy. */
  readonly moved?: MovedData;
  /** `tenantctl rotate`: the role whose password this run renewed (never the password). */
  readonly rotated?: string;
  readonly seconds: number;
}

export interface RunReport {
  readonly operation: Operation;
  readonly tenants: readonly TenantRun[];
  readonly seconds: number;
  /** Ctrl-C or SIGTERM stopped the run: no new stack started, the running ones were cancelled. */
  readonly interrupted?: boolean;
}

export function summarize(report: RunReport): Record<TenantOutcome, number> {
  const counts: Record<TenantOutcome, number> = {
    unchanged: 0,
    changed: 0,
    drift: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  };
  for (const tenant of report.tenants) counts[tenant.outcome]++;
  return counts;
}

/**
 * How a run ended (src/cli/exitCodes.ts gives the code, docs/output.md): `failed` when any stack failed (including one
 * refused for invalid files), `drift` when drift was found (drift only), `interrupted` after Ctrl-C or SIGTERM.
 */
export function runOutcome(report: RunReport): Outcome {
  if (report.interrupted) return "interrupted";
  const counts = summarize(report);
  if (counts.failed > 0) return "failed";
  if (report.operation === "drift" && counts.drift > 0) return "drift";
  return "ok";
}
