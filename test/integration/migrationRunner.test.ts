/**
 * The migration runner (infra/dynamic/migrations/runner.ts) and the stack's migrations resource (provider.ts, loaded
 * from the source that ships) against the real PostgreSQL of the global setup. Tenant roles and schemas are made with
 * plain SQL, as TenantDatabase declares them.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantMigrationsProvider as provider } from "../../infra/dynamic/migrations/provider";
import { migrationRunner, type MigrationToApply } from "../../infra/dynamic/migrations/runner";
import type { MigrationFile } from "../../src/core/migrations/migrationFiles";
import { migrationDriftIn } from "../../src/orchestrate/migrations/migrationDrift";
import { connect, testPostgres } from "../support/postgres";
import { buildTenant } from "../support/tenantFixtures";

const DATABASE = "integration_migrations";
const runner = migrationRunner();
let superuser: Client;
let db: Client;

function migration(version: number, name: string, sql: string): MigrationToApply {
  return {
    version,
    name,
    fileName: `${String(version).padStart(4, "0")}_${name}.sql`,
    sha256: createHash("sha256").update(sql).digest("hex"),
    noTransaction: sql.startsWith("-- tenantctl: no-transaction"),
    sql,
  };
}

const USERS = migration(1, "users", "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n");
const INVOICES = migration(
  2,
  "invoices",
  "-- invoices of a user\nCREATE TABLE invoices (id int PRIMARY KEY, user_id int REFERENCES users);\n\nCREATE FUNCTION total() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM invoices; $$;\n",
);

async function tenant(slug: string) {
  const role = `mig_${slug}`;
  await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-${slug}'`);
  await db.query(`CREATE SCHEMA ${role} AUTHORIZATION ${role}`);
  await db.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO ${role}`);
  return { slug, database: DATABASE, schema: role, role };
}

beforeAll(async () => {
  superuser = await connect("postgres");
  await superuser.query(`CREATE DATABASE ${DATABASE}`);
  await superuser.query(`REVOKE ALL ON DATABASE ${DATABASE} FROM PUBLIC`);
  db = await connect(DATABASE);
});

afterAll(async () => {
  await db?.end();
  await superuser?.end();
});

describe("migrateTenant", () => {
  it("applies each file as the tenant's role in its schema, records it, and applies nothing twice", async () => {
    const acme = await tenant("acme");
    const globex = await tenant("globex");
    const first = await runner.migrateTenant(db, acme, [USERS, INVOICES]);
    expect(first).toMatchObject({
      from: 0,
      to: 2,
      applied: [{ fileName: "0001_users.sql" }, { fileName: "0002_invoices.sql" }],
    });
    await runner.migrateTenant(db, globex, [USERS]);

    const owners = await db.query(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mig_acme' AND c.relkind = 'r' ORDER BY 1`,
    );
    expect(owners.rows).toEqual([
      { relname: "invoices", owner: "mig_acme" },
      { relname: "tenantctl_migrations", owner: "mig_acme" },
      { relname: "users", owner: "mig_acme" },
    ]);
    const rows = await db.query(
      "SELECT version, name, sha256, seconds >= 0 AS timed FROM mig_acme.tenantctl_migrations ORDER BY 1",
    );
    expect(rows.rows).toEqual([
      { version: 1, name: "users", sha256: USERS.sha256, timed: true },
      { version: 2, name: "invoices", sha256: INVOICES.sha256, timed: true },
    ]);
    // Another tenant's role cannot read them.
    const server = testPostgres();
    const asGlobex = await connect(DATABASE, { user: "mig_globex", password: "pw-globex" });
    try {
      await expect(asGlobex.query("SELECT * FROM mig_acme.users")).rejects.toThrow(/permission denied/);
    } finally {
      await asGlobex.end();
    }
    expect(server.user).not.toBe("mig_acme");

    const again = await runner.migrateTenant(db, acme, [USERS, INVOICES]);
    expect(again).toEqual({ from: 2, to: 2, applied: [] });
    // The session is as it was: no role, no search path, no lock held.
    const session = await db.query(
      "SELECT current_user AS who, current_setting('search_path') AS path, (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks",
    );
    expect(session.rows[0]).toEqual({ who: testPostgres().user, path: '"$user", public', locks: 0 });
  });

  it("names the file and the line of a failure, rolls the migration back and leaves the tenant at its version", async () => {
    const initech = await tenant("initech");
    const broken = migration(
      2,
      "broken",
      "CREATE TABLE a (id int);\n\n-- next\nALTER TABLE missing ADD COLUMN x int;\n",
    );
    const failure = await runner.migrateTenant(db, initech, [USERS, broken]).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(runner.MigrationFailed);
    expect((failure as InstanceType<typeof runner.MigrationFailed>).at).toBe(1);
    expect((failure as Error).message).toMatch(/^0002_broken\.sql:4: relation "missing" does not exist .*rolled back/);
    const tables = await db.query(
      "SELECT to_regclass('mig_initech.a') AS a, to_regclass('mig_initech.users') AS users",
    );
    expect(tables.rows[0]).toEqual({ a: null, users: "mig_initech.users" });
    const versions = await db.query("SELECT version FROM mig_initech.tenantctl_migrations");
    expect(versions.rows).toEqual([{ version: 1 }]);
  });

  it("runs a no-transaction file statement by statement (CREATE INDEX CONCURRENTLY)", async () => {
    const hooli = await tenant("hooli");
    const concurrently = migration(
      2,
      "email_index",
      "-- tenantctl: no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n",
    );
    expect(concurrently.noTransaction).toBe(true);
    await runner.migrateTenant(db, hooli, [USERS, concurrently]);
    const index = await db.query("SELECT to_regclass('mig_hooli.users_email') AS index");
    expect(index.rows[0]).toEqual({ index: "mig_hooli.users_email" });
  });

  it("refuses a tenant whose applied file was edited since, or that applied a file the folder lacks", async () => {
    const umbrella = await tenant("umbrella");
    await runner.migrateTenant(db, umbrella, [USERS]);
    const edited = migration(1, "users", `${USERS.sql}-- edited\n`);
    await expect(runner.migrateTenant(db, umbrella, [edited])).rejects.toThrow(
      /0001_users\.sql changed after umbrella applied it/,
    );
    await expect(runner.migrateTenant(db, umbrella, [])).rejects.toThrow(
      /has applied 0001_users\.sql, which the migrations folder does not hold/,
    );
    const applied = await runner.appliedMigrations(db, umbrella);
    expect(runner.compareApplied(applied, [edited, INVOICES])).toEqual({
      missing: ["0002_invoices.sql"],
      unknown: [],
      edited: ["0001_users.sql"],
    });
  });
});

describe("splitStatements", () => {
  it("splits at statement ends only, with each statement's first line", () => {
    const sql = [
      "-- a comment; not a statement",
      "CREATE TABLE t (s text DEFAULT 'a;b', \"we;ird\" int);",
      "/* block; /* nested; */ */",
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$",
      "BEGIN RETURN 'x;y'; END;",
      "$body$;",
      "SELECT E'it\\'s;';",
    ].join("\n");
    expect(runner.splitStatements(sql).map((s) => [s.line, s.text.split("\n")[0]])).toEqual([
      [2, `CREATE TABLE t (s text DEFAULT 'a;b', "we;ird" int)`],
      [4, "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$"],
      [7, "SELECT E'it\\'s;'"],
    ]);
  });
});

describe("the stack's migrations resource", () => {
  it("create applies the files from the folder, read reports what the tenant applied, diff sees an edit", async () => {
    const wayne = await tenant("wayne");
    const dir = mkdtempSync(join(tmpdir(), "tenantctl-migrations-"));
    writeFileSync(join(dir, USERS.fileName), USERS.sql);
    const server = testPostgres();
    const declared = [
      { version: 1, name: "users", fileName: USERS.fileName, sha256: USERS.sha256, noTransaction: false },
    ];
    const inputs = {
      connection: {
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        sslmode: "disable" as const,
      },
      ...wayne,
      dir,
      migrations: declared,
    };
    const created = await provider.create!(inputs);
    expect(created.id).toBe(`${DATABASE}/mig_wayne/tenantctl_migrations`);
    const read = await provider.read!(created.id, created.outs);
    expect(read.props?.migrations).toEqual(declared);
    await db.query("UPDATE mig_wayne.tenantctl_migrations SET sha256 = 'something else'");
    const drifted = await provider.read!(created.id, created.outs);
    const diff = await provider.diff!(created.id, drifted.props!, inputs);
    expect(diff.changes).toBe(true);
    expect((await provider.diff!(created.id, read.props!, inputs)).changes).toBe(false);
  });
});

describe("migration drift of a whole database (for drift --all's scan)", () => {
  it("names per tenant what is not applied, applied without a file, or edited since", async () => {
    const a = await tenant("drift_a");
    const b = await tenant("drift_b");
    const c = await tenant("drift_c");
    await runner.migrateTenant(db, a, [USERS]);
    await runner.migrateTenant(db, b, [USERS]);
    await db.query("UPDATE mig_drift_b.tenantctl_migrations SET sha256 = 'edited'");
    const tenants = [a, b, c].map((t) => {
      const built = buildTenant(t.slug);
      return { ...built, database: { ...built.database, schemaName: t.schema } };
    });
    const files = [USERS, INVOICES].map((m) => ({ ...m, file: `migrations/${m.fileName}` }) as MigrationFile);
    const drift = await migrationDriftIn(db, tenants, files);
    expect(Object.fromEntries(drift)).toEqual({
      drift_a: { missing: ["0002_invoices.sql"], unknown: [], edited: [] },
      drift_b: { missing: ["0002_invoices.sql"], unknown: [], edited: ["0001_users.sql"] },
      drift_c: { missing: ["0001_users.sql", "0002_invoices.sql"], unknown: [], edited: [] },
    });
    expect([...(await migrationDriftIn(db, tenants, files.slice(0, 1))).keys()]).toEqual(["drift_b", "drift_c"]);
  });
});
