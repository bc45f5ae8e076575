/**
 * How much data a move has to copy, for `preview`: the tables of the tenant's old location and their size with
 * indexes and TOAST, asked of its server as administrator. Only where credentials exist (the environment, else the
 * tenant stack's config); without them, or when the server cannot be reached, the move is reported without a size.
 */
import { type ResolvedDatabaseServer, resolveDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { withAdminClient } from "../../../infra/context/adminClient";
import { adminSettingsOf } from "./adminSettings";
import type { DataLocation, DataSize } from "../../core/location";
import type { DatabaseServer } from "../../core/model";
import type { TenantRun } from "../../report/runReport";

/**
 * The tables (ordinary and partitioned) of one schema, or, for a tenant's own database (`public`), of every schema
 * but the system's, with their total size.
 */
const SIZE_QUERY = `
  SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables,
         coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'm')), 0)::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'm')
     AND CASE WHEN $1::text = 'public'
              THEN n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
              ELSE n.nspname = $1::text END`;

/** What `location` holds on `server`; undefined when its database is gone. */
export async function measureData(
  server: ResolvedDatabaseServer,
  location: DataLocation,
): Promise<DataSize | undefined> {
  return withAdminClient(server, location.database, "measuring a tenant's data before its move", async (client) => {
    const { rows } = await client.query<{ tables: number; bytes: string }>(SIZE_QUERY, [location.schema]);
    const row = rows[0]!;
    return { tables: row.tables, bytes: Number(row.bytes) };
  });
}

/** Where the admin credentials of `server` come from, for a tenant's stack; undefined when there are none. */
export type AdminCredentials = (slug: string, server: DatabaseServer) => Promise<ResolvedDatabaseServer | undefined>;

/** The admin credentials a stack run would get (adminSettings.ts); undefined without, or when they do not resolve. */
export function adminCredentials(projectDir: string, env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  return async (slug, server) => {
    try {
      return resolveDatabaseServer(server, await adminSettingsOf(slug, projectDir, env));
    } catch {
      return undefined;
    }
  };
}

/**
 * The preview's moves with the size of the data they copy. The old location's server is looked up by name in the
 * template; a server the template no longer names, missing credentials or a failed connection leave the move as it is.
 */
export async function withDataSizes(
  tenants: readonly TenantRun[],
  servers: readonly DatabaseServer[],
  credentials: AdminCredentials,
): Promise<TenantRun[]> {
  return Promise.all(
    tenants.map(async (tenant) => {
      const move = tenant.move;
      const server = move ? servers.find((candidate) => candidate.name === move.from.server) : undefined;
      if (!move || !server) return tenant;
      try {
        const admin = await credentials(tenant.slug, server);
        const data = admin ? await measureData(admin, move.from) : undefined;
        return data ? { ...tenant, move: { ...move, data } } : tenant;
      } catch {
        return tenant;
      }
    }),
  );
}
