/**
 * What `tenantctl migrate` reports: each tenant's version before and after and what it applied, each wave and how it
 * ended, and the rollout's halt. Plain data (no secret enters it); the renderers (renderMigrate.ts) and the outcome
 * (hence the exit code) are computed from it alone.
 */
import type { Outcome } from "../core/errors";

export type MigrationOutcome =
  /** Migrations were applied: the tenant is now at `to`. */
  | "changed"
  /** Already at the target: nothing to apply. */
  | "unchanged"
  /** A migration failed, the tenant was refused (invalid files, edited migration), or its lock was not had. */
  | "failed"
  /** Not run: a wave before it halted the rollout, or no wave of `--waves` reaches it. */
  | "skipped"
  /** Ctrl-C or SIGTERM: not started, or stopped between two migrations. */
  | "cancelled";

export interface TenantMigration {
  readonly slug: string;
  readonly outcome: MigrationOutcome;
  /** The version before the run (absent when it was not read). */
  readonly from?: number;
  /** The version after the run. */
  readonly to?: number;
  /** The files applied by this run, in order. */
  readonly applied: readonly string[];
  /** 1-based wave the tenant belongs to (absent: in none). */
  readonly wave?: number;
  /** Why it failed or was skipped: names the file, the line and the database's error. */
  readonly message?: string;
  readonly seconds: number;
}

export interface WaveReport {
  readonly index: number;
  readonly name: string;
  readonly tenants: readonly string[];
  readonly failed: number;
  readonly status: "done" | "halted" | "not started";
}

export interface MigrateReport {
  readonly operation: "migrate";
  /** The version every selected tenant is brought to (`--to`, or the latest file). */
  readonly target: number;
  readonly waves: readonly WaveReport[];
  readonly tenants: readonly TenantMigration[];
  /** The wave after which the rollout stopped, and why. */
  readonly halted?: { readonly wave: number; readonly failures: number; readonly maxFailures: number };
  readonly seconds: number;
  readonly interrupted?: boolean;
}

export function summarizeMigrations(report: MigrateReport): Record<MigrationOutcome, number> {
  const counts: Record<MigrationOutcome, number> = { changed: 0, unchanged: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const tenant of report.tenants) counts[tenant.outcome]++;
  return counts;
}

/** 0 when every selected tenant is at the target, 1 when one failed or a wave halted the rollout, 130 interrupted. */
export function migrateOutcome(report: MigrateReport): Outcome {
  if (report.interrupted) return "interrupted";
  if (report.halted || summarizeMigrations(report).failed > 0) return "failed";
  return "ok";
}
