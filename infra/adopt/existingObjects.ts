/**
 * What a database server already holds under the names a stack would create: read from the catalogs with `pg`, as
 * the admin, before the stack declares anything (see adoptionPlan.ts for what is done with it). One short connection
 * per stack run (two when the tenant's database is missing, or adopt looks at the other isolation); nothing is written.
 */
import type { Client } from "pg";
import type { DatabaseServer, Tenant } from "../../src/core/model";
import { withAdminClient } from "../context/adminClient";
import type { ResolvedDatabaseServer } from "../context/databaseServerConfig";
import { providerValues } from "../dynamic/providerValues";
import { settingsSemantics } from "../dynamic/settings/semantics";
import { settingsStore } from "../dynamic/settings/store";
import type { ExistingContainer, ExistingRole, ExistingTenantObjects } from "./adoptionPlan";

const values = providerValues();
const { SETTINGS_TABLE } = settingsStore(values, settingsSemantics(values));

/** Role attributes a tenant's role never has, by their pg_roles column. */
const POWERS = {
  rolsuper: "SUPERUSER",
  rolcreaterole: "CREATEROLE",
  rolcreatedb: "CREATEDB",
  rolreplication: "REPLICATION",
  rolbypassrls: "BYPASSRLS",
} as const;

export interface ExistingObjectsOptions {
  /** Also look for the tenant's objects under the other isolation (adopt reports a schema where the plan says database). */
  readonly otherIsolation: boolean;
}

export async function findExistingObjects(
  tenant: Tenant,
  server: ResolvedDatabaseServer,
  options: ExistingObjectsOptions,
): Promise<ExistingTenantObjects> {
  const { database } = tenant;
  // Under either isolation the tenant's database and schema are named like its role (src/core/naming.ts).
  const ownName = database.roleName;
  const ownDatabaseIsolation = database.isolation === "database";
  // pg_roles and pg_database are shared catalogs, the same from every database: one connection, to the database that
  // holds the tenant's data, answers everything a stack run needs. Only when that database is missing, or adopt asks
  // about the other isolation, is there a second one.
  const inContainer = await connected(server, database.databaseName, async (client) => ({
    role: await findRole(client, database.roleName),
    ownDatabase: await findDatabase(client, ownName),
    sharedSchema: ownDatabaseIsolation ? undefined : await findSchema(client, ownName),
    extensions: ownDatabaseIsolation
      ? (await client.query<{ extname: string }>("SELECT extname FROM pg_catalog.pg_extension")).rows.map(
          (row) => row.extname,
        )
      : [],
    settingsTable: await hasTable(client, database.schemaName, SETTINGS_TABLE),
  }));
  const found = inContainer ?? {
    ...((await connected(server, "postgres", async (client) => ({
      role: await findRole(client, database.roleName),
      ownDatabase: await findDatabase(client, ownName),
    }))) ?? {}),
    sharedSchema: undefined,
    extensions: [],
    settingsTable: false,
  };
  const sharedSchema =
    ownDatabaseIsolation && options.otherIsolation
      ? await connected(server, database.server.sharedDatabase, (client) => findSchema(client, ownName))
      : found.sharedSchema;
  return {
    ...(found.role ? { role: found.role } : {}),
    ...(found.ownDatabase ? { ownDatabase: found.ownDatabase } : {}),
    ...(sharedSchema ? { sharedSchema } : {}),
    extensions: found.extensions,
    settingsTable: found.settingsTable,
  };
}

/** The control-plane stack's view: whether the shared database exists, and whether tenants' schemas with settings live in it. */
export async function findSharedDatabase(
  server: DatabaseServer,
  resolved: ResolvedDatabaseServer,
): Promise<{ exists: boolean; holdsTenantSchemas: boolean }> {
  // Connecting to it says whether it exists (a missing database is undefined here).
  const holdsTenantSchemas = await connected(resolved, server.sharedDatabase, async (client) => {
    const result = await client.query(
      `SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = $1 AND c.relkind = 'r' AND n.nspname LIKE 'tenant\\_%' LIMIT 1`,
      [SETTINGS_TABLE],
    );
    return result.rowCount === 1;
  });
  return { exists: holdsTenantSchemas !== undefined, holdsTenantSchemas: holdsTenantSchemas ?? false };
}

/** A connection for looking; see adminClient.ts. */
function connected<T>(
  server: ResolvedDatabaseServer,
  database: string,
  work: (client: Client) => Promise<T>,
): Promise<T | undefined> {
  return withAdminClient(server, database, "looking for what already exists", work);
}

async function findRole(client: Client, name: string): Promise<ExistingRole | undefined> {
  const result = await client.query<Record<keyof typeof POWERS | "rolname" | "rolcanlogin", string & boolean>>(
    "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = $1",
    [name],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const powers = (Object.keys(POWERS) as (keyof typeof POWERS)[])
    .filter((column) => row[column])
    .map((column) => POWERS[column]);
  return { name: row.rolname, canLogin: row.rolcanlogin, powers };
}

async function findDatabase(client: Client, name: string): Promise<ExistingContainer | undefined> {
  const result = await client.query<{ datname: string; owner: string }>(
    "SELECT datname, pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = $1",
    [name],
  );
  const row = result.rows[0];
  return row ? { name: row.datname, owner: row.owner } : undefined;
}

async function findSchema(client: Client, name: string): Promise<ExistingContainer | undefined> {
  const result = await client.query<{ nspname: string; owner: string }>(
    "SELECT nspname, pg_catalog.pg_get_userbyid(nspowner) AS owner FROM pg_catalog.pg_namespace WHERE nspname = $1",
    [name],
  );
  const row = result.rows[0];
  return row ? { name: row.nspname, owner: row.owner } : undefined;
}

async function hasTable(client: Client, schema: string, table: string): Promise<boolean> {
  const result = await client.query(
    "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'",
    [schema, table],
  );
  return result.rowCount === 1;
}
