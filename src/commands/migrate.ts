/** `tenantctl migrate`: apply the migrations to the selected tenants, in waves (orchestrate/migrations), and report. */
import type { Outcome } from "../core/errors";
import type { MigrateOptions } from "../orchestrate/migrations/migrateFleet";
import { migrateOutcome } from "../report/migrateReport";
import { emitMigrateReport } from "../report/renderMigrate";
import { commandProjectDir } from "../sandbox/envScript";

export interface MigrateCommandOptions extends MigrateOptions {
  readonly format: "text" | "json" | "markdown";
  readonly output?: readonly string[];
}

export async function migrate(
  slugs: readonly string[],
  options: MigrateCommandOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<Outcome> {
  const { migrateFleet } = await import("../orchestrate/migrations/migrateFleet");
  const report = await migrateFleet(slugs, options, err, {
    projectDir: commandProjectDir(),
    ...(interrupt ? { interrupt } : {}),
  });
  emitMigrateReport(report, options.format, options.output ?? [], out);
  return migrateOutcome(report);
}
