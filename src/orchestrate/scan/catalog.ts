/**
 * What one database server holds, read in bulk as its administrator: a few catalog queries for the whole server (roles
 * with their attributes, settings and memberships; databases with owners and privileges), then two round trips per
 * database the fleet uses: its catalog (schemas with owners and privileges, default privileges, extensions, which
 * settings and migrations tables exist), then the rows of those tables. Privileges are read as PostgreSQL applies
 * them: a NULL ACL is the built-in default (acldefault), and ACLs come as text, parsed by aclText.ts.
 *
 * A tenant database's read is mostly the server starting a backend for it (`npm run bench:scan-floor` prints the read
 * next to a bare connection), so the rest is kept to plain catalog columns: each function a query calls costs a fresh
 * backend catalog cache loads.
 */
import type { Client, QueryResult } from "pg";
import type { MigrationFile } from "../../core/migrations/migrationFiles";
import type { Tenant } from "../../core/model";
import { MIGRATIONS_TABLE, type MigrationDrift, migrationDriftOf } from "../migrations/migrationDrift";
import { adminPgClient } from "../../../infra/context/adminConnection";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { mapBounded } from "../run/pool";
import { builtInDefaultPrivileges, type Privilege, privilegesOfAcl } from "./aclText";

export type { Privilege } from "./aclText";

export interface CatalogRole {
  readonly login: boolean;
  readonly connectionLimit: number;
  readonly superuser: boolean;
  readonly createDatabase: boolean;
  readonly createRole: boolean;
  readonly inherit: boolean;
  readonly replication: boolean;
  readonly bypassRowLevelSecurity: boolean;
  /** null: no expiry. */
  readonly validUntil: string | null;
  /** Role settings for every database (`ALTER ROLE … SET`), by name. */
  readonly settings: Readonly<Record<string, string>>;
  /** Roles this role is a member of. */
  readonly memberOf: readonly string[];
  /** Those of them it holds WITH ADMIN OPTION (may grant them on). */
  readonly memberWithAdmin: readonly string[];
}

export interface CatalogDatabase {
  readonly owner: string;
  readonly allowConnections: boolean;
  readonly connectionLimit: number;
  readonly isTemplate: boolean;
  readonly privileges: readonly Privilege[];
}

export interface DatabaseContents {
  readonly schemas: ReadonlyMap<string, { readonly owner: string; readonly privileges: readonly Privilege[] }>;
  /** Default privileges for objects `owner` creates anywhere in the database (no schema), by `owner/objtype`. */
  readonly defaultPrivileges: ReadonlyMap<string, readonly Privilege[]>;
  readonly extensions: ReadonlyMap<string, { readonly schema: string; readonly version: string }>;
  /** The rows of each schema's `tenant_settings` table that was asked for; absent: no such table. */
  readonly settings: ReadonlyMap<string, ReadonlyMap<string, { readonly value: unknown; readonly seedOnly: boolean }>>;
  /**
   * The tenants of the database whose applied migrations differ from the files, by slug (absent: as the files say);
   * the whole field is absent when no migrations were asked for.
   */
  readonly migrationDrift?: ReadonlyMap<string, MigrationDrift>;
}

export type Readable<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface ServerCatalog {
  readonly roles: ReadonlyMap<string, CatalogRole>;
  readonly databases: ReadonlyMap<string, CatalogDatabase>;
  /** Only the databases asked for. */
  readonly contents: ReadonlyMap<string, Readable<DatabaseContents>>;
}

const ROLES = `
  SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolconnlimit AS connlimit, r.rolsuper AS superuser,
         r.rolcreatedb AS createdb, r.rolcreaterole AS createrole, r.rolinherit AS inherit,
         r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
         CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL ELSE r.rolvaliduntil::text END AS validuntil,
         coalesce((SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0), '{}'::text[]) AS config,
         coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid), '{}'::text[]) AS member_of,
         coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid AND m.admin_option), '{}'::text[]) AS member_admin
    FROM pg_roles r`;

const DATABASES = `
  SELECT d.datname AS name, pg_get_userbyid(d.datdba) AS owner, d.datallowconn AS allowconn,
         d.datconnlimit AS connlimit, d.datistemplate AS istemplate,
         coalesce(d.datacl, acldefault('d', d.datdba))::text[] AS acl
    FROM pg_database d`;

const SCHEMAS = `
  SELECT n.oid, n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner,
         coalesce(n.nspacl, acldefault('n', n.nspowner))::text[] AS acl
    FROM pg_namespace n`;

/**
 * Database-wide defaults (no schema) for functions and types, as set: an owner without a row has the built-in defaults
 * (builtInDefaultPrivileges).
 */
const DEFAULT_PRIVILEGES = `
  SELECT pg_get_userbyid(d.defaclrole) AS owner, d.defaclobjtype AS objtype, d.defaclacl::text[] AS acl
    FROM pg_default_acl d WHERE d.defaclnamespace = 0 AND d.defaclobjtype IN ('f', 'T')`;

const EXTENSIONS =
  "SELECT e.extname AS name, e.extnamespace AS schema_oid, e.extversion AS version FROM pg_extension e";

/** The settings and migrations tables of a database, in every schema (few: the scan picks the wanted ones). */
const TABLES = `
  SELECT c.relname AS table, c.relnamespace AS schema_oid FROM pg_class c
   WHERE c.relname IN ('tenant_settings', '${MIGRATIONS_TABLE}') AND c.relkind IN ('r', 'p')`;

type Row = Record<string, unknown>;

/** What to read in one database: the settings tables of these schemas, the default privileges of these owners. */
export interface DatabaseWanted {
  readonly settingsSchemas: readonly string[];
  readonly owners: readonly string[];
  /** The tenants whose applied migrations are compared with the template's files. */
  readonly migrations?: { readonly tenants: readonly Tenant[]; readonly files: readonly MigrationFile[] };
}

/** `{search_path=a, b,statement_timeout=0}` → `{search_path: "a, b", statement_timeout: "0"}`. */
function settingsOf(config: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    config.map((entry) => {
      const at = entry.indexOf("=");
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

async function withClient<T>(
  server: ResolvedDatabaseServer,
  database: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = adminPgClient(server, database, "tenantctl drift scan");
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Reads `server`: roles and databases once, then `databases` (with the settings tables of `settingsSchemas[db]` and
 * the default privileges of `owners`), `connections` at a time. A database that cannot be read is reported as such,
 * not thrown: the tenants in it go to the engine.
 */
export async function readServerCatalog(
  server: ResolvedDatabaseServer,
  wanted: {
    readonly databases: ReadonlyMap<string, DatabaseWanted>;
    readonly connections?: number;
    /** Also every other database that accepts connections (`--unmanaged all` lists their schemas). */
    readonly everyDatabase?: boolean;
  },
): Promise<ServerCatalog> {
  const { roles, databases } = await withClient(server, "postgres", async (client) => {
    const roleRows = (await client.query<Row>(ROLES)).rows;
    const databaseRows = (await client.query<Row>(DATABASES)).rows;
    return {
      roles: new Map(
        roleRows.map((r) => [
          String(r["name"]),
          {
            login: r["login"] === true,
            connectionLimit: Number(r["connlimit"]),
            superuser: r["superuser"] === true,
            createDatabase: r["createdb"] === true,
            createRole: r["createrole"] === true,
            inherit: r["inherit"] === true,
            replication: r["replication"] === true,
            bypassRowLevelSecurity: r["bypassrls"] === true,
            validUntil: (r["validuntil"] as string | null) ?? null,
            settings: settingsOf(r["config"] as string[]),
            memberOf: r["member_of"] as string[],
            memberWithAdmin: r["member_admin"] as string[],
          } satisfies CatalogRole,
        ]),
      ),
      databases: new Map(
        databaseRows.map((d) => [
          String(d["name"]),
          {
            owner: String(d["owner"]),
            allowConnections: d["allowconn"] === true,
            connectionLimit: Number(d["connlimit"]),
            isTemplate: d["istemplate"] === true,
            privileges: privilegesOfAcl(d["acl"] as string[] | null),
          } satisfies CatalogDatabase,
        ]),
      ),
    };
  });
  const asked = new Map(wanted.databases);
  if (wanted.everyDatabase)
    for (const [name, database] of databases)
      if (!asked.has(name) && database.allowConnections && !database.isTemplate)
        asked.set(name, { settingsSchemas: [], owners: [] });
  const names = [...asked.keys()].filter((name) => databases.get(name)?.allowConnections !== false);
  const read = await mapBounded(names, wanted.connections ?? 8, async (name) => {
    if (!databases.has(name)) return { ok: false, reason: `database ${name} does not exist` } as const;
    try {
      return { ok: true, value: await readDatabase(server, name, asked.get(name)!, roles) } as const;
    } catch (error) {
      return { ok: false, reason: `database ${name} could not be read: ${(error as Error).message}` } as const;
    }
  });
  const contents = new Map<string, Readable<DatabaseContents>>();
  for (const [i, name] of names.entries()) contents.set(name, read[i]!);
  for (const name of asked.keys())
    if (!contents.has(name)) contents.set(name, { ok: false, reason: `database ${name} does not allow connections` });
  return { roles, databases, contents };
}

async function readDatabase(
  server: ResolvedDatabaseServer,
  database: string,
  wanted: DatabaseWanted,
  roles: ReadonlyMap<string, CatalogRole>,
): Promise<DatabaseContents> {
  return withClient(server, database, async (client) => {
    const [schemaRows, defaultRows, extensionRows, tableRows] = (await client.query<Row>(
      [SCHEMAS, DEFAULT_PRIVILEGES, EXTENSIONS, TABLES].join(";\n"),
    )) as unknown as [QueryResult<Row>, QueryResult<Row>, QueryResult<Row>, QueryResult<Row>];
    const schemaName = new Map(schemaRows.rows.map((s) => [String(s["oid"]), String(s["name"])]));
    const tablesIn = (table: string, among: readonly string[]) => {
      const wantedSchemas = new Set(among);
      return tableRows.rows
        .filter((t) => t["table"] === table)
        .map((t) => schemaName.get(String(t["schema_oid"])) ?? "")
        .filter((schema) => wantedSchemas.has(schema));
    };
    const withSettings = tablesIn("tenant_settings", wanted.settingsSchemas);
    const withMigrations = wanted.migrations
      ? tablesIn(
          MIGRATIONS_TABLE,
          wanted.migrations.tenants.map((t) => t.database.schemaName),
        )
      : [];

    // One more round trip for the rows of those tables, every tenant of the database at once.
    const statements: string[] = [];
    if (withSettings.length > 0)
      statements.push(
        withSettings
          .map(
            (schema, i) =>
              `SELECT ${i}::int AS i, key, value::text AS value, seed_only FROM ${client.escapeIdentifier(schema)}.tenant_settings`,
          )
          .join(" UNION ALL "),
      );
    if (withMigrations.length > 0)
      statements.push(
        withMigrations
          .map(
            (schema) =>
              `SELECT ${client.escapeLiteral(schema)}::text AS schema, version, name, sha256 FROM ${client.escapeIdentifier(schema)}.${MIGRATIONS_TABLE}`,
          )
          .join(" UNION ALL "),
      );
    const results: QueryResult<Row>[] =
      statements.length === 0
        ? []
        : statements.length === 1
          ? [await client.query<Row>(statements[0]!)]
          : ((await client.query<Row>(statements.join(";\n"))) as unknown as QueryResult<Row>[]);
    const settingsRows = withSettings.length > 0 ? results[0]!.rows : [];
    const migrationRows = withMigrations.length > 0 ? results[results.length - 1]!.rows : [];

    const settings = new Map<string, Map<string, { value: unknown; seedOnly: boolean }>>(
      withSettings.map((schema) => [schema, new Map()]),
    );
    for (const row of settingsRows)
      settings.get(withSettings[Number(row["i"])]!)!.set(String(row["key"]), {
        value: JSON.parse(String(row["value"])) as unknown,
        seedOnly: row["seed_only"] === true,
      });
    // A tenant whose schema or table does not exist applied nothing: migrationDriftOf calls every file missing.
    const migrationDrift = wanted.migrations
      ? migrationDriftOf(
          wanted.migrations.tenants,
          wanted.migrations.files,
          migrationRows.map((row) => ({
            schema: String(row["schema"]),
            version: Number(row["version"]),
            name: String(row["name"]),
            sha256: String(row["sha256"]),
          })),
        )
      : undefined;

    const defaultPrivileges = new Map<string, readonly Privilege[]>();
    const set = new Map(defaultRows.rows.map((d) => [`${String(d["owner"])}/${String(d["objtype"])}`, d["acl"]]));
    for (const owner of wanted.owners) {
      if (!roles.has(owner)) continue; // no such role: nothing to read (compare.ts reports it)
      for (const objtype of ["f", "T"]) {
        const key = `${owner}/${objtype}`;
        defaultPrivileges.set(
          key,
          set.has(key) ? privilegesOfAcl(set.get(key) as string[] | null) : builtInDefaultPrivileges(objtype, owner),
        );
      }
    }
    return {
      ...(migrationDrift ? { migrationDrift } : {}),
      schemas: new Map(
        schemaRows.rows.map((s) => [
          String(s["name"]),
          { owner: String(s["owner"]), privileges: privilegesOfAcl(s["acl"] as string[] | null) },
        ]),
      ),
      defaultPrivileges,
      extensions: new Map(
        extensionRows.rows.map((e) => [
          String(e["name"]),
          { schema: schemaName.get(String(e["schema_oid"])) ?? "", version: String(e["version"]) },
        ]),
      ),
      settings,
    };
  });
}
