/**
 * `tenantctl rotate <slug>…|--all [--runtime]`: new passwords, through the fleet runner (locks, progress, the report,
 * exit codes), as Pulumi secrets: each run hands the stacks a rotation token (TENANTCTL_ROTATE, infra/context/rotation.ts)
 * that the password resource carries out once, in place, and the role's password update follows it.
 *
 * - Tenant roles (the named tenants, every tenant with `--all`): one `up` of their stacks with the token; each role's
 *   password changes and its stack's `connectionString` follows.
 * - The runtime role (`--runtime`, or `--all`), in two steps so that an app following the documented pattern never
 *   fails to connect: `up control-plane` *stages* a next password beside the current one (the role is unchanged), the
 *   credentials file becomes `[next, current]`; `up control-plane` *commits* it (every server's `tenantctl_runtime` gets
 *   it), the file becomes `[next]`. An app tries the file's passwords in order and reads the file again when all fail,
 *   so at every moment one of the passwords it has works.
 *
 * The report names the roles that got a new password; no password is printed, only written to the 0600 file.
 */
import type { Outcome } from "../../core/errors";
import { UsageError } from "../../core/errors";
import { loadFleet } from "../../core/load";
import { CONTROL_PLANE_STACK, tenantIdentifier } from "../../core/naming";
import { RUNTIME_ROLE } from "../../core/registry";
import type { RunReport, TenantRun } from "../../report/runReport";
import type { FleetRunOptions, FleetRunPlace } from "../run/runFleet";
import { RUNTIME_CREDENTIALS_FILE_ENV, writeCredentialsFile } from "./credentialsFile";
import { registryCredentialsOf } from "./registryCredentials";

export interface RotateOptions extends Pick<FleetRunOptions, "dir" | "parallel" | "lockTimeoutMs" | "liveProgress"> {
  /** Every tenant's role, and the runtime role. */
  readonly all?: boolean;
  /** The runtime role (also without tenants). */
  readonly runtime?: boolean;
  /** Where apps read the runtime role's passwords. @default TENANTCTL_RUNTIME_CREDENTIALS_FILE */
  readonly credentialsFile?: string;
}

/** The token a run hands its stacks: unique per run, so a rerun rotates again and a retried stack does not. */
export function rotationToken(now: Date = new Date()): string {
  return `rotate-${now.toISOString()}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function rotate(
  slugs: readonly string[],
  options: RotateOptions,
  err: (text: string) => void,
  place: FleetRunPlace & { readonly projectDir: string },
): Promise<{ report: RunReport; outcome: Outcome }> {
  const { all, runtime: runtimeFlag, credentialsFile: fileOption, ...run } = options;
  if (all && slugs.length > 0) throw new UsageError("give tenant slugs or --all, not both");
  if (slugs.includes(CONTROL_PLANE_STACK))
    throw new UsageError("the control-plane stack has no tenant role: use --runtime for the runtime role's password");
  const runtime = all === true || runtimeFlag === true;
  const tenants = all ? loadFleet({ dir: run.dir, cwd: process.cwd() }).slugs : slugs;
  if (!runtime && tenants.length === 0) throw new UsageError("name the tenants to rotate, or give --all or --runtime");
  const { runFleet } = await import("../run/runFleet");
  const { runOutcome } = await import("../../report/runReport");
  const token = rotationToken();
  const runEnv = { ...process.env, ...place.env };
  const credentialsFile = fileOption ?? runEnv[RUNTIME_CREDENTIALS_FILE_ENV];
  const started = Date.now();
  const withRotation = (rotation: object) => ({
    ...place,
    env: { ...place.env, TENANTCTL_ROTATE: JSON.stringify({ token, ...rotation }) },
  });
  const entries: TenantRun[] = [];
  let interrupted = false;

  if (runtime) {
    const entry = await rotateRuntime();
    if (entry) entries.push(entry);
  }
  if (tenants.length > 0 && !interrupted) {
    const report = await runFleet("up", tenants, run, err, withRotation({ tenantRoles: true }));
    interrupted ||= report.interrupted === true;
    entries.push(...report.tenants.map((tenant) => named(tenant, tenantRoleOf(tenant))));
  }

  const report: RunReport = {
    operation: "up",
    tenants: entries,
    seconds: (Date.now() - started) / 1000,
    ...(interrupted ? { interrupted: true } : {}),
  };
  const rotated = entries.flatMap((entry) => (entry.rotated ? [`${entry.rotated} (${entry.slug})`] : []));
  err(`rotate: new passwords for ${rotated.length > 0 ? rotated.join(", ") : "no role"}\n`);
  return { report, outcome: runOutcome(report) };

  /** Stage, publish [next, current], commit, publish [next]: the control-plane stack's entry, or why it stopped. */
  async function rotateRuntime(): Promise<TenantRun | undefined> {
    const stage = await runFleet("up", [CONTROL_PLANE_STACK], run, err, withRotation({ runtime: "stage" }));
    const staged = stage.tenants[0];
    interrupted ||= stage.interrupted === true;
    if (!staged || staged.outcome === "failed" || staged.outcome === "cancelled") return staged;
    if (credentialsFile) {
      const credentials = await registryCredentialsOf(place.projectDir, runEnv);
      if (!credentials)
        return failed(
          staged,
          "the control-plane stack has no runtimeCredentials output: is the registry switched off?",
        );
      // Before the role changes: apps that connect now find the current password second.
      writeCredentialsFile(credentialsFile, credentials.runtime);
    } else {
      err(
        `rotate: no credentials file (${RUNTIME_CREDENTIALS_FILE_ENV} or --credentials-file): apps learn the new password from the control-plane stack's runtimeCredentials output\n`,
      );
    }
    const commit = await runFleet("up", [CONTROL_PLANE_STACK], run, err, withRotation({ runtime: "commit" }));
    const committed = commit.tenants[0];
    interrupted ||= commit.interrupted === true;
    if (!committed) return staged;
    if (committed.outcome === "failed" || committed.outcome === "cancelled") return committed;
    if (credentialsFile) {
      const credentials = await registryCredentialsOf(place.projectDir, runEnv);
      if (credentials) writeCredentialsFile(credentialsFile, credentials.runtime);
    }
    const changed = [...staged.resources, ...committed.resources];
    return named(
      {
        ...committed,
        changes: sumChanges(staged.changes, committed.changes),
        resources: changed,
        seconds: staged.seconds + committed.seconds,
      },
      RUNTIME_ROLE,
    );
  }
}

/** The entry with the role it gave a new password to, when its password resource was updated. */
function named(entry: TenantRun, role: string): TenantRun {
  const renewed = entry.resources.some((resource) => resource.name.endsWith("-password") && resource.op === "update");
  if (!renewed || entry.outcome !== "changed") return entry;
  return {
    ...entry,
    rotated: role,
    message: [entry.message, `new password for role ${role}`].filter(Boolean).join("; "),
  };
}

function tenantRoleOf(entry: TenantRun): string {
  return tenantIdentifier(entry.slug);
}

function failed(entry: TenantRun, message: string): TenantRun {
  return { ...entry, outcome: "failed", message };
}

function sumChanges(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [op, count] of Object.entries(b)) sum[op] = (sum[op] ?? 0) + count;
  return sum;
}
