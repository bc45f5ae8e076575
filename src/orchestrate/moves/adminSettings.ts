/**
 * Where a move finds the database servers' admin credentials, as the tenant's stack program would: the run's
 * environment (TENANTCTL_DATABASE_SERVERS, PGUSER/PGPASSWORD), else the tenant stack's `tenantctl:databaseServers`
 * config, which costs a CLI call and is read only then. The move step and the preview's data size both use it.
 */
import { resolve } from "node:path";
import { adminCredentialsEnv, type DatabaseServerSettings } from "../../../infra/context/databaseServerConfig";

export async function adminSettingsOf(
  slug: string,
  projectDir: string,
  runEnv: Readonly<Record<string, string | undefined>>,
): Promise<DatabaseServerSettings> {
  const env = adminCredentialsEnv(runEnv);
  const fromEnv: DatabaseServerSettings = { config: undefined, env };
  if (env.TENANTCTL_DATABASE_SERVERS || (env.PGUSER && env.PGPASSWORD !== undefined)) return fromEnv;
  const { databaseServersConfigOf } = await import("../engine/stackConfig");
  return { config: await databaseServersConfigOf(resolve(projectDir), slug), env };
}
