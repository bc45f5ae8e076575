/**
 * `tenantctl archive <slug> [--to <dir>]`: a verified custom-format dump of a decommissioned tenant's database or
 * schema (src/archive/archiveTenant.ts), before anyone drops it. Refused for an active or suspended tenant: their data
 * is still changing, and an archive is the last word on a tenant that has left. Nothing is ever dropped.
 */
import { resolve } from "node:path";
import {
  adminCredentialsEnv,
  type DatabaseServerSettings,
  type ResolvedDatabaseServer,
  resolveDatabaseServer,
} from "../../infra/context/databaseServerConfig";
import type { DatabaseServer } from "../core/model";
import { archiveTenant } from "../archive/archiveTenant";
import { type Outcome, SetupError } from "../core/errors";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { errorsAffecting, loadFleet } from "../core/load";
import { humanBytes } from "../core/location";
import { noTenantFile, tenantOf } from "../core/tenantLookup";
import { commandProjectDir } from "../sandbox/envScript";

export interface ArchiveOptions {
  readonly dir: string;
  /** @default "archives" */
  readonly to: string;
  /** text: what was written, for a person; json: the archive's manifest (the `.json` beside it). @default "text" */
  readonly format?: "text" | "json";
}

export async function archive(
  slug: string,
  options: ArchiveOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<Outcome> {
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  const tenant = tenantOf(fleet, slug);
  const blocking = errorsAffecting(fleet, slug);
  if (blocking.length > 0) {
    err(
      `${renderDiagnosticsText(blocking, fleet.sources)}\ntenantctl archive: fix the tenant files first (\`tenantctl validate\`); nothing was archived\n`,
    );
    return "failed";
  }
  if (!tenant)
    throw noTenantFile(slug, fleet.slugs, {
      after: ` (archive reads where the data is from ${options.dir}/${slug}.yaml)`,
    });
  if (tenant.status !== "decommissioned") {
    err(
      `tenantctl archive: tenant ${slug} is ${tenant.status}, and archive is for decommissioned tenants (their data no longer changes): ` +
        `set \`status: decommissioned\` in ${tenant.file} and \`tenantctl up ${slug}\` first; nothing was archived\n`,
    );
    return "failed";
  }
  const server = await adminOf(slug, tenant.database.server);
  const made = await archiveTenant(tenant, server, options.to);
  if (options.format === "json") {
    out(`${JSON.stringify(made, null, 2)}\n`);
    return "ok";
  }
  const what = made.schema ? `schema ${made.schema} of database ${made.database}` : `database ${made.database}`;
  out(
    [
      `archived tenant ${slug}: ${what} on server ${server.name} (PostgreSQL ${made.serverVersion})`,
      `  file:     ${made.file}`,
      `  size:     ${made.bytes} bytes (${humanBytes(made.bytes)})`,
      `  sha256:   ${made.sha256}`,
      `  checked:  pg_restore --list read ${made.entries} entries, the data of ${made.tables.length} table${made.tables.length === 1 ? "" : "s"} (${made.tables.join(", ")})`,
      `  beside it: ${made.file}.sha256 (sha256sum -c), ${made.file}.json`,
      `  restore:  createdb <scratch> && pg_restore --no-owner --dbname <scratch> ${made.file}`,
      `nothing was dropped: dropping ${what} stays a database administrator's explicit act`,
      "",
    ].join("\n"),
  );
  return "ok";
}

/** The server's admin credentials as a stack run gets them: the environment, else the tenant stack's config. */
async function adminOf(slug: string, server: DatabaseServer): Promise<ResolvedDatabaseServer> {
  const env = adminCredentialsEnv(process.env);
  const fromEnv: DatabaseServerSettings = { config: undefined, env };
  try {
    return resolveDatabaseServer(server, fromEnv);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
  }
  const { databaseServersConfigOf } = await import("../orchestrate/engine/stackConfig");
  const config = await databaseServersConfigOf(resolve(commandProjectDir()), slug);
  return resolveDatabaseServer(server, { config, env });
}
