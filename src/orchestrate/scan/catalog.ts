/**
 * What one database server holds, read in bulk as its administrator: a few catalog queries for the whole server (roles
 * with their attributes, settings and memberships; databases with owners and privileges), then one round trip per
 * database the fleet uses (schemas with owners and privileges, default privileges, extensions, and the tenants'
 * settings tables). Privileges are read as PostgreSQL applies them: a NULL ACL is the built-in default (acldefault).
 */
import type { Client, QueryResult } from "pg";
import type { MigrationFile } from "../../core/migrations/migrationFiles";
import type { Tenant } from "../../core/model";
import { type MigrationDrift, migrationDriftIn } from "../migrations/migrationDrift";
import { adminPgClient } from "../../../infra/context/adminConnection";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { mapBounded } from "../run/pool";

/** One privilege as aclexplode gives it: `grantee` is `public` for PUBLIC. */
export interface Privilege {
  readonly grantee: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

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

const ACL_JSON = (acl: string) => `coalesce((SELECT json_agg(json_build_array(
    CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable))
  FROM aclexplode(${acl}) a), '[]'::json)`;

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
         ${ACL_JSON("coalesce(d.datacl, acldefault('d', d.datdba))")} AS acl
    FROM pg_database d`;

const SCHEMAS = `
  SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner,
         ${ACL_JSON("coalesce(n.nspacl, acldefault('n', n.nspowner))")} AS acl
    FROM pg_namespace n`;

/** Database-wide defaults (no schema) for functions and types: a role without a row has the built-in defaults. */
const DEFAULT_PRIVILEGES = `
  SELECT r.rolname AS owner, t.objtype,
         ${ACL_JSON("coalesce(d.defaclacl, acldefault(t.objtype, r.oid))")} AS acl
    FROM pg_roles r CROSS JOIN (VALUES ('f'::"char"), ('T'::"char")) AS t (objtype)
    LEFT JOIN pg_default_acl d ON d.defaclrole = r.oid AND d.defaclnamespace = 0 AND d.defaclobjtype = t.objtype
   WHERE r.rolname = ANY($1::text[])`;

const EXTENSIONS = `
  SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`;

const SETTINGS_TABLES = `
  SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relname = 'tenant_settings' AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])`;

type Row = Record<string, unknown>;

/** What to read in one database: the settings tables of these schemas, the default privileges of these owners. */
export interface DatabaseWanted {
  readonly settingsSchemas: readonly string[];
  readonly owners: readonly string[];
  /** The tenants whose applied migrations are compared with the template's files. */
  readonly migrations?: { readonly tenants: readonly Tenant[]; readonly files: readonly MigrationFile[] };
}

function privilegesOf(acl: unknown): Privilege[] {
  return ((acl as [string, string, boolean][] | null) ?? []).map(([grantee, privilege, grantable]) => ({
    grantee,
    privilege,
    grantable,
  }));
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
            privileges: privilegesOf(d["acl"]),
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
      return { ok: true, value: await readDatabase(server, name, asked.get(name)!) } as const;
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
): Promise<DatabaseContents> {
  return withClient(server, database, async (client) => {
    // One round trip for the four (a connection per database is the scan's main cost on a fleet of databases): the
    // arrays are written as escaped literals, since a query of several statements takes no parameters.
    const textArray = (values: readonly string[]) =>
      `ARRAY[${values.map((value) => client.escapeLiteral(value)).join(", ")}]::text[]`;
    const [schemas, defaults, extensions, tables] = (await client.query<Row>(
      [
        SCHEMAS,
        DEFAULT_PRIVILEGES.replace("$1::text[]", textArray(wanted.owners)),
        EXTENSIONS,
        SETTINGS_TABLES.replace("$1::text[]", textArray(wanted.settingsSchemas)),
      ].join(";\n"),
    )) as unknown as [QueryResult<Row>, QueryResult<Row>, QueryResult<Row>, QueryResult<Row>];
    const withTable = tables.rows.map((row) => String(row["schema"]));
    const settings = new Map<string, Map<string, { value: unknown; seedOnly: boolean }>>(
      withTable.map((schema) => [schema, new Map()]),
    );
    if (withTable.length > 0) {
      // One statement for every settings table of the database: the tenants of a shared database in one round trip.
      const union = withTable
        .map(
          (schema, i) =>
            `SELECT ${i}::int AS i, key, value::text AS value, seed_only FROM ${client.escapeIdentifier(schema)}.tenant_settings`,
        )
        .join(" UNION ALL ");
      for (const row of (await client.query<Row>(union)).rows) {
        settings.get(withTable[Number(row["i"])]!)!.set(String(row["key"]), {
          value: JSON.parse(String(row["value"])) as unknown,
          seedOnly: row["seed_only"] === true,
        });
      }
    }
    // One query for every tenant of the database (migrationDriftIn), as for the settings tables.
    const migrationDrift = wanted.migrations
      ? await migrationDriftIn(client, wanted.migrations.tenants, wanted.migrations.files)
      : undefined;
    return {
      ...(migrationDrift ? { migrationDrift } : {}),
      schemas: new Map(
        schemas.rows.map((s) => [String(s["name"]), { owner: String(s["owner"]), privileges: privilegesOf(s["acl"]) }]),
      ),
      defaultPrivileges: new Map(
        defaults.rows.map((d) => [`${String(d["owner"])}/${String(d["objtype"])}`, privilegesOf(d["acl"])]),
      ),
      extensions: new Map(
        extensions.rows.map((e) => [String(e["name"]), { schema: String(e["schema"]), version: String(e["version"]) }]),
      ),
      settings,
    };
  });
}
