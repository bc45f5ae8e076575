/**
 * `tenantctl adopt <slug>… [--dry-run]`: the named stacks import the databases, schemas, roles and extensions that
 * already exist under the names tenantctl would give them, and create the rest; `--dry-run` is the preview of that
 * (it shows `import` for each). What exists but differs from the tenant's files (another owner, the other isolation,
 * a role without LOGIN) is refused with what to do, never overwritten: see infra/adopt/adoptionPlan.ts.
 *
 * The tenant's role gets a new generated password, as with every stack: tenantctl owns the credentials of what it
 * manages, and the stack's `connectionString` is the one that works from then on.
 */
import { runOperation, type RunOptions } from "./run";

export interface AdoptOptions extends Pick<RunOptions, "dir" | "parallel" | "lockTimeoutMs" | "liveProgress" | "format" | "output"> {
  readonly dryRun?: boolean;
}

export function adopt(
  slugs: readonly string[],
  options: AdoptOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<number> {
  const { dryRun, ...run } = options;
  return runOperation(dryRun ? "preview" : "up", slugs, { ...run, adopt: true }, out, err, interrupt);
}
