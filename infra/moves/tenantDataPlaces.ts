/**
 * Where a tenant's data is on its database server, as the catalogs say: the databases and schemas that carry
 * tenantctl's mark (the `tenant_settings` table, in a database or schema the tenant's role owns), and the move journal
 * on the role's comment (moveJournal.ts). Read with `pg`, as the admin; nothing is written. Used before a stack
 * declares anything: by tenantctl's move step, which copies the data where the files put it, and by the program run by
 * hand, which refuses to deploy a tenant whose data is elsewhere (moveGuard.ts).
 *
 * The real world, not the stack's last outputs, says where the data is: it is also right for a stack destroyed with its
 * data retained, a stack made before outputs named the location, and a run killed halfway.
 */
import type { Client } from "pg";
import type { DataLocation } from "../../src/core/location";
import type { DatabaseServer, Tenant } from "../../src/core/model";
import { withAdminClient } from "../context/adminClient";
import type { ResolvedDatabaseServer } from "../context/databaseServerConfig";
import { providerValues } from "../dynamic/providerValues";
import { settingsSemantics } from "../dynamic/settings/semantics";
import { settingsStore } from "../dynamic/settings/store";
import { type MoveJournal, parseJournal } from "./moveJournal";

const values = providerValues();
const { SETTINGS_TABLE } = settingsStore(values, settingsSemantics(values));

export interface TenantRoleState {
  readonly login: boolean;
  /** The role's comment as it is (null: none). */
  readonly comment: string | null;
  /** The journal of a move under way, when the comment holds one. */
  readonly journal?: MoveJournal;
}

export interface TenantDataPlaces {
  /** The tenant's role on this server, when it exists. */
  readonly role?: TenantRoleState;
  /** The databases and schemas holding the tenant's marked data (normally one). */
  readonly marked: readonly DataLocation[];
}

/**
 * Looks at the tenant's own database (`tenant_<slug>`, its `public` schema) and its schema in the server's shared
 * database, whatever the files say its isolation is: one connection to the shared database, and one to the tenant's
 * database when it exists and is the role's. `on`: another server of the template than the files' (a server move).
 */
export async function findTenantData(
  tenant: Tenant,
  server: ResolvedDatabaseServer,
  on: DatabaseServer = tenant.database.server,
): Promise<TenantDataPlaces> {
  const { roleName } = tenant.database;
  const { sharedDatabase } = on;
  const look = <T>(database: string, work: (client: Client) => Promise<T>) =>
    withAdminClient(server, database, "looking for where the tenant's data is", work);
  const inShared = await look(sharedDatabase, async (client) => ({
    role: await roleState(client, roleName),
    ownDatabaseOwner: await databaseOwner(client, roleName),
    sharedSchema: await schemaMarked(client, roleName, roleName),
  }));
  // No shared database yet (the control plane is not up): the role and the tenant's database are still seen from `postgres`.
  const seen = inShared ?? {
    ...(await look("postgres", async (client) => ({
      role: await roleState(client, roleName),
      ownDatabaseOwner: await databaseOwner(client, roleName),
    })))!,
    sharedSchema: false,
  };
  const marked: DataLocation[] = [];
  if (seen.sharedSchema) marked.push({ server: server.name, database: sharedDatabase, schema: roleName });
  if (
    seen.ownDatabaseOwner === roleName &&
    (await look(roleName, (client) => schemaMarked(client, "public", roleName)))
  ) {
    marked.push({ server: server.name, database: roleName, schema: "public" });
  }
  return { ...(seen.role ? { role: seen.role } : {}), marked };
}

async function roleState(client: Client, role: string): Promise<TenantRoleState | undefined> {
  const result = await client.query<{ rolcanlogin: boolean; comment: string | null }>(
    "SELECT rolcanlogin, pg_catalog.shobj_description(oid, 'pg_authid') AS comment FROM pg_catalog.pg_roles WHERE rolname = $1",
    [role],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const journal = parseJournal(row.comment);
  return { login: row.rolcanlogin, comment: row.comment, ...(journal ? { journal } : {}) };
}

async function databaseOwner(client: Client, database: string): Promise<string | undefined> {
  const result = await client.query<{ owner: string }>(
    "SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = $1",
    [database],
  );
  return result.rows[0]?.owner;
}

/** Whether `schema` of the connected database is the role's and holds the settings table. */
async function schemaMarked(client: Client, schema: string, role: string): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'
        AND pg_catalog.pg_get_userbyid(CASE WHEN n.nspname = 'public' THEN (SELECT datdba FROM pg_catalog.pg_database WHERE datname = current_database()) ELSE n.nspowner END) = $3`,
    [schema, SETTINGS_TABLE, role],
  );
  return result.rowCount === 1;
}
