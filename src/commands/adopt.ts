/**
 * `tenantctl adopt <slug>… [--dry-run]`: the named stacks import the databases, schemas, roles and extensions that
 * already exist under the names tenantctl would give them, and create the rest; `--dry-run` is the preview of that
 * (it shows `import` for each). What exists but differs from the tenant's files (another owner, the other isolation,
 * a role without LOGIN) is refused with what to do, never overwritten: see infra/adopt/adoptionPlan.ts.
 *
 * The tenant's role gets a new generated password, as with every stack: tenantctl owns the credentials of what it
 * manages, and the stack's `connectionString` is the one that works from then on.
 */
import type { Outcome } from "../core/errors";
import type { FleetRunOptions } from "../orchestrate/run/runFleet";
import { emitRunReport } from "../report/renderRun";
import { runOutcome } from "../report/runReport";
import { commandProjectDir } from "../sandbox/envScript";

export interface AdoptOptions extends Pick<FleetRunOptions, "dir" | "parallel" | "lockTimeoutMs" | "liveProgress"> {
  readonly dryRun?: boolean;
  readonly format: "text" | "json" | "markdown";
  readonly output?: readonly string[];
}

export async function adopt(
  slugs: readonly string[],
  options: AdoptOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<Outcome> {
  const { dryRun, format, output, ...run } = options;
  const { runFleet } = await import("../orchestrate/run/runFleet");
  const report = await runFleet(dryRun ? "preview" : "up", slugs, { ...run, adopt: true }, err, {
    projectDir: commandProjectDir(),
    ...(interrupt ? { interrupt } : {}),
  });
  emitRunReport(report, format, output ?? [], out);
  return runOutcome(report);
}
