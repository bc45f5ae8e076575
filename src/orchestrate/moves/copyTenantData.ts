/**
 * The copy of a move: `pg_dump -Fc | pg_restore --single-transaction` of the server's major version, streamed (no file
 * of the customer's data on this machine), and the renames that put the copy's schema where the files say. Everything
 * the tenant owns travels the way PostgreSQL's own tools carry it: tables and rows, sequences with their values,
 * indexes, constraints, views, functions, types, owners and grants, and the settings table with the tenant's values.
 *
 * The dump names the schema it came from, and pg_restore cannot rename it; so:
 * - schema → database: the new database gets the extensions the schema's objects use (in `public`, where the stack
 *   keeps them), the schema is restored under its name, then the extensions move into it, the empty `public` goes, and
 *   the schema is renamed `public`;
 * - database → schema: the database is restored into a staging database, whose `public` is renamed to the tenant's
 *   schema (its extensions set aside under `public`), and that schema is copied into the shared database, then the
 *   staging database is dropped.
 * The old location is only read.
 */
import { spawn } from "node:child_process";
import type { Client } from "pg";
import type { DataLocation } from "../../core/location";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import type { ClientTools } from "../../postgres/clientTools";
import { containerOf } from "./movedName";
import { ident, inTransaction, libpqEnv, withAdmin } from "./adminSql";

export interface CopyPlan {
  readonly from: DataLocation;
  readonly to: DataLocation;
  readonly fromServer: ResolvedDatabaseServer;
  readonly toServer: ResolvedDatabaseServer;
  /** The tenant's role: owner of the new database or schema. */
  readonly role: string;
  /** Extensions the tenant file asks for, created in a new database whatever the old location used. */
  readonly extensions: readonly string[];
  /** The staging database of a database → schema move (the journal names it, so a rollback drops it). */
  readonly staging: string;
  readonly tools: ClientTools;
  readonly signal?: AbortSignal;
  /**
   * Called once the old location has been read in full (its pg_dump ended), while pg_restore may still be building
   * indexes: the verification can start reading the old location then.
   */
  readonly onSourceRead?: () => void;
}

/** Schemas a tenant's own database holds that are PostgreSQL's, not the tenant's. */
const SYSTEM_SCHEMAS = "nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";

export async function copyTenantData(plan: CopyPlan): Promise<void> {
  const from = containerOf(plan.from);
  const to = containerOf(plan.to);
  if (to.kind === "database") {
    await createDatabase(plan.toServer, to.database, plan.role);
    if (from.kind === "schema") {
      const used = await withAdmin(plan.fromServer, plan.from.database, (client) =>
        extensionsUsedBy(client, plan.from.schema),
      );
      await withAdmin(plan.toServer, to.database, (client) =>
        createExtensions(client, [...new Set([...plan.extensions, ...used])]),
      );
      await dumpInto(
        plan,
        plan.fromServer,
        ["--schema", plan.from.schema, plan.from.database],
        plan.toServer,
        to.database,
        plan.onSourceRead,
      );
      await withAdmin(plan.toServer, to.database, (client) => renameSchemaToPublic(client, plan.from.schema));
    } else {
      await dumpInto(plan, plan.fromServer, [plan.from.database], plan.toServer, to.database, plan.onSourceRead);
    }
    return;
  }
  if (from.kind === "schema") {
    // A schema to a schema of the same name, in another server's shared database.
    const used = await withAdmin(plan.fromServer, plan.from.database, (client) =>
      extensionsUsedBy(client, plan.from.schema),
    );
    await withAdmin(plan.toServer, plan.to.database, (client) => createExtensions(client, used));
    await dumpInto(
      plan,
      plan.fromServer,
      ["--schema", plan.from.schema, plan.from.database],
      plan.toServer,
      plan.to.database,
      plan.onSourceRead,
    );
    return;
  }
  await createDatabase(plan.toServer, plan.staging, plan.role);
  await dumpInto(plan, plan.fromServer, [plan.from.database], plan.toServer, plan.staging, plan.onSourceRead);
  const used = await withAdmin(plan.toServer, plan.staging, async (client) => {
    await renamePublicTo(client, plan.to.schema, plan.role);
    return extensionsUsedBy(client, plan.to.schema);
  });
  await withAdmin(plan.toServer, plan.to.database, (client) => createExtensions(client, used));
  await dumpInto(plan, plan.toServer, ["--schema", plan.to.schema, plan.staging], plan.toServer, plan.to.database);
  await dropStaging(plan.toServer, plan.staging);
}

export async function dropStaging(server: ResolvedDatabaseServer, staging: string): Promise<void> {
  await withAdmin(server, "postgres", (client) =>
    client.query(`DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`),
  );
}

/** Like the stack's own (template0, owned by the tenant's role), so that it imports it as it would have made it. */
async function createDatabase(server: ResolvedDatabaseServer, name: string, owner: string): Promise<void> {
  await withAdmin(server, "postgres", (client) =>
    client.query(`CREATE DATABASE ${ident(name)} OWNER ${ident(owner)} TEMPLATE template0`),
  );
}

async function createExtensions(client: Client, extensions: readonly string[]): Promise<void> {
  for (const extension of extensions)
    await client.query(`CREATE EXTENSION IF NOT EXISTS ${ident(extension)} SCHEMA public`);
}

/**
 * The extensions whose objects the schema's objects depend on (a column's type, a default's function, an index's
 * operator class, a view): the copy cannot be restored without them.
 */
async function extensionsUsedBy(client: Client, schema: string): Promise<string[]> {
  const result = await client.query<{ extname: string }>(
    `WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
     SELECT DISTINCT e.extname
       FROM pg_catalog.pg_depend d
       JOIN pg_catalog.pg_depend m ON m.classid = d.refclassid AND m.objid = d.refobjid AND m.deptype = 'e'
       JOIN pg_catalog.pg_extension e ON e.oid = m.refobjid
      WHERE d.deptype IN ('n', 'a') AND (SELECT oid FROM ns) = CASE d.classid
        WHEN 'pg_catalog.pg_class'::regclass THEN (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = d.objid)
        WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid)
        WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
        WHEN 'pg_catalog.pg_proc'::regclass THEN (SELECT pronamespace FROM pg_catalog.pg_proc WHERE oid = d.objid)
        WHEN 'pg_catalog.pg_type'::regclass THEN (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = d.objid)
        WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT connamespace FROM pg_catalog.pg_constraint WHERE oid = d.objid)
        WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid WHERE t.oid = d.objid)
      END
      ORDER BY 1`,
    [schema],
  );
  return result.rows.map((row) => row.extname);
}

/** In a new database: the restored schema becomes `public`, taking the extensions with it. All or nothing. */
async function renameSchemaToPublic(client: Client, schema: string): Promise<void> {
  await inTransaction(client, async () => {
    const extensions = await client.query<{ extname: string }>(
      "SELECT extname FROM pg_catalog.pg_extension WHERE extnamespace = 'public'::regnamespace",
    );
    for (const { extname } of extensions.rows)
      await client.query(`ALTER EXTENSION ${ident(extname)} SET SCHEMA ${ident(schema)}`);
    // Plain DROP: it fails rather than take anything with it, should the new database's `public` not be empty.
    await client.query("DROP SCHEMA public");
    await client.query(`ALTER SCHEMA ${ident(schema)} RENAME TO public`);
  });
}

/** In the staging database: `public` becomes the tenant's schema, owned by its role, PUBLIC stripped; extensions stay in `public`. */
async function renamePublicTo(client: Client, schema: string, role: string): Promise<void> {
  const others = await client.query<{ nspname: string }>(
    `SELECT nspname FROM pg_catalog.pg_namespace WHERE ${SYSTEM_SCHEMAS} AND nspname <> 'public' ORDER BY 1`,
  );
  if (others.rows.length > 0) {
    const names = others.rows.map((row) => row.nspname).join(", ");
    throw new Error(
      `the tenant's database holds schemas besides public (${names}), and a tenant with isolation: schema has one schema: move their objects into public, or keep isolation: database`,
    );
  }
  await inTransaction(client, async () => {
    await client.query("CREATE SCHEMA tenantctl_move_extensions");
    const extensions = await client.query<{ extname: string }>(
      "SELECT extname FROM pg_catalog.pg_extension WHERE extnamespace = 'public'::regnamespace",
    );
    for (const { extname } of extensions.rows)
      await client.query(`ALTER EXTENSION ${ident(extname)} SET SCHEMA tenantctl_move_extensions`);
    await client.query(`ALTER SCHEMA public RENAME TO ${ident(schema)}`);
    await client.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(role)}`);
    await client.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
    await client.query(`COMMENT ON SCHEMA ${ident(schema)} IS NULL`);
    await client.query("ALTER SCHEMA tenantctl_move_extensions RENAME TO public");
  });
}

/**
 * `pg_dump -Fc <dumpArgs> | pg_restore --single-transaction --exit-on-error -d <database>`: the restore commits all
 * of it or nothing. Owners and grants are restored as they were (the same roles, on the same server or one the move
 * gave the role to).
 */
async function dumpInto(
  plan: CopyPlan,
  fromServer: ResolvedDatabaseServer,
  dumpArgs: readonly string[],
  toServer: ResolvedDatabaseServer,
  database: string,
  onDumped?: () => void,
): Promise<void> {
  const dump = spawn(plan.tools.pgDump, ["--format=custom", "--no-password", ...dumpArgs], {
    env: libpqEnv(fromServer),
    stdio: ["ignore", "pipe", "pipe"],
    ...(plan.signal ? { signal: plan.signal } : {}),
  });
  const restore = spawn(
    plan.tools.pgRestore,
    ["--no-password", "--single-transaction", "--exit-on-error", `--dbname=${database}`],
    { env: libpqEnv(toServer), stdio: ["pipe", "ignore", "pipe"], ...(plan.signal ? { signal: plan.signal } : {}) },
  );
  dump.stdout.pipe(restore.stdin);
  // A restore that ends first (an error) must not leave pg_dump writing into a closed pipe unnoticed.
  restore.stdin.on("error", () => undefined);
  const dumping = finished(dump, "pg_dump").then((result) => {
    if (result.code === 0) onDumped?.();
    return result;
  });
  const [dumped, restored] = await Promise.all([dumping, finished(restore, "pg_restore")]);
  if (dumped.code !== 0 || restored.code !== 0) {
    const failed = dumped.code !== 0 ? dumped : restored;
    throw new Error(
      `${failed.tool} failed (${failed.code === null ? "killed" : `exit ${failed.code}`}): ${failed.stderr.trim().split("\n").slice(0, 5).join("; ")}`,
    );
  }
}

function finished(
  child: ReturnType<typeof spawn>,
  tool: string,
): Promise<{ tool: string; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => (stderr += (error as Error).message));
    child.on("close", (code) => resolve({ tool, code, stderr }));
  });
}
