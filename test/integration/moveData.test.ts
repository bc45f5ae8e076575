/**
 * The data part of a move on a real PostgreSQL, without the engine (src/orchestrate/moves/performMove.ts): where the
 * tenant's marked data is, the copy and its verification both ways, the journal on the role, and what a run killed
 * before the switch leaves for the next one to roll back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedDatabaseServer } from "../../infra/context/databaseServerConfig";
import { parseJournal } from "../../infra/moves/moveJournal";
import { findTenantData } from "../../infra/moves/tenantDataPlaces";
import { clientToolsFor } from "../../src/postgres/clientTools";
import type { DataLocation } from "../../src/core/location";
import {
  finishMove,
  MoveAborted,
  type MoveSetting,
  performMove,
  rollBack,
} from "../../src/orchestrate/moves/performMove";
import { buildTenant, PRIMARY_SERVER } from "../support/tenantFixtures";
import { connect, runSql, testAdminServer } from "../support/postgres";

/** A shared database of this file's own, so other files' tenants never show up here. */
const SHARED = "moves_shared";
const server = { ...PRIMARY_SERVER, sharedDatabase: SHARED };
const ROLE = "tenant_mover";
const inSchema: DataLocation = { server: "primary", database: SHARED, schema: ROLE };
const inDatabase: DataLocation = { server: "primary", database: ROLE, schema: "public" };

/** What the tenant's role reads of its data, by its own login. */
async function tenantRead(database: string): Promise<unknown[]> {
  const client = await connect(database, { user: ROLE, password: "mover" });
  try {
    const read = async (text: string) => (await client.query(text)).rows;
    return [
      await read("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, count(*)::int AS n FROM items t"),
      await read("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM item_names t"),
      await read("SELECT value FROM tenant_settings WHERE key = 'branding.primaryColor'"),
    ];
  } finally {
    await client.end();
  }
}

describe("moving a tenant's data", () => {
  let admin: ResolvedDatabaseServer;
  let setting: MoveSetting;
  const tenant = buildTenant("mover", { database: { isolation: "database", server } });
  const notes: string[] = [];

  beforeAll(async () => {
    admin = testAdminServer();
    const major = Math.floor(
      Number((await runSql("postgres", "SHOW server_version_num"))[0]!["server_version_num"]) / 10000,
    );
    setting = {
      role: ROLE,
      extensions: ["pgcrypto"],
      server: () => admin,
      tools: async () => clientToolsFor(major),
      note: (line) => notes.push(line),
    };
    await runSql("postgres", `CREATE DATABASE ${SHARED}`, `CREATE ROLE ${ROLE} LOGIN PASSWORD 'mover'`);
    await runSql(
      SHARED,
      "CREATE EXTENSION IF NOT EXISTS pgcrypto",
      `CREATE SCHEMA ${ROLE} AUTHORIZATION ${ROLE}`,
      `REVOKE ALL ON SCHEMA ${ROLE} FROM PUBLIC`,
      `ALTER ROLE ${ROLE} SET search_path = ${ROLE}, public`,
      `SET ROLE ${ROLE}`,
      `SET search_path = ${ROLE}, public`,
      "CREATE TABLE tenant_settings (key text PRIMARY KEY, value jsonb NOT NULL, seed_only boolean NOT NULL DEFAULT false)",
      `INSERT INTO tenant_settings VALUES ('branding.primaryColor', '"#000000"', true)`,
      // An enum hashes by its labels' OIDs, which differ in the copy: this table is verified by its rows' text too.
      "CREATE TYPE item_kind AS ENUM ('plain', 'fancy')",
      "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, kind item_kind NOT NULL DEFAULT 'fancy', token text DEFAULT encode(gen_random_bytes(4), 'hex'))",
      "CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL, tags text[] NOT NULL)",
      "INSERT INTO counters SELECT i, i * 10, ARRAY['a', i::text] FROM generate_series(1, 30) i",
      "CREATE VIEW item_names AS SELECT upper(name) AS name FROM items",
      "INSERT INTO items (name) SELECT 'item ' || i FROM generate_series(1, 500) i",
      // json has no hash of its own: this table is verified by its rows' text.
      "CREATE TABLE notes (id int PRIMARY KEY, body json NOT NULL)",
      `INSERT INTO notes SELECT i, json_build_object('n', i) FROM generate_series(1, 20) i`,
    );
  });
  afterAll(async () => {
    await runSql(
      "postgres",
      `DROP DATABASE IF EXISTS ${SHARED} WITH (FORCE)`,
      `DROP DATABASE IF EXISTS ${ROLE} WITH (FORCE)`,
    );
    for (const row of await runSql("postgres", `SELECT datname FROM pg_database WHERE datname LIKE '${ROLE}_moved_%'`))
      await runSql("postgres", `DROP DATABASE "${String(row["datname"])}"`);
    await runSql("postgres", `DROP OWNED BY ${ROLE} CASCADE`, `DROP ROLE IF EXISTS ${ROLE}`);
  });

  it("finds the marked data in the tenant's schema of the shared database", async () => {
    expect(await findTenantData(tenant, admin, server)).toEqual({
      role: { login: true, comment: null },
      marked: [inSchema],
    });
  });

  it("a copy that differs (changed behind it) is not switched to: dropped, the login and comment back", async () => {
    await runSql("postgres", `COMMENT ON ROLE ${ROLE} IS 'owned by the billing team'`);
    const move = performMove(
      { slug: "mover", from: inSchema, to: inDatabase },
      { login: true, comment: "owned by the billing team" },
      {
        ...setting,
        beforeVerifySql: `UPDATE ${ROLE}.items SET name = 'item 7!' WHERE id = 7; UPDATE ${ROLE}.notes SET body = '{"n": 0}' WHERE id = 3; UPDATE ${ROLE}.counters SET n = 0 WHERE id = 4`,
      },
    );
    await expect(move).rejects.toThrow(MoveAborted);
    await expect(move).rejects.toThrow(
      /table counters: same 30 rows, different content; table items: same 500 rows, different content; table notes: same 20 rows, different content.*the move was rolled back/,
    );
    expect(await runSql("postgres", `SELECT datname FROM pg_database WHERE datname = '${ROLE}'`)).toEqual([]);
    expect(await findTenantData(tenant, admin, server)).toEqual({
      role: { login: true, comment: "owned by the billing team" },
      marked: [inSchema],
    });
    await runSql(
      SHARED,
      `UPDATE ${ROLE}.items SET name = 'item 7' WHERE id = 7`,
      `UPDATE ${ROLE}.notes SET body = '{"n": 3}' WHERE id = 3`,
      `UPDATE ${ROLE}.counters SET n = 40 WHERE id = 4`,
    );
  });

  it("schema → database → schema: the same rows each way, the old copies renamed and out of the role's reach", async () => {
    const before = await tenantRead(SHARED);
    const toDatabase = await performMove(
      { slug: "mover", from: inSchema, to: inDatabase },
      { login: true, comment: "owned by the billing team" },
      setting,
    );
    expect(toDatabase).toMatchObject({
      rows: 551,
      tables: 4,
      journal: { phase: "switched", from: inSchema, to: inDatabase },
    });
    // Switched, not finished: the login is still off, the journal says so.
    const [role] = await runSql(
      "postgres",
      `SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = '${ROLE}'`,
    );
    expect(role?.["rolcanlogin"]).toBe(false);
    expect(parseJournal(role?.["comment"] as string)?.phase).toBe("switched");
    await finishMove(toDatabase.journal, setting);
    expect(await findTenantData(tenant, admin, server)).toEqual({
      role: { login: true, comment: "owned by the billing team" },
      marked: [inDatabase],
    });
    expect(await tenantRead(ROLE)).toEqual(before);
    await expect(
      connect(SHARED, { user: ROLE, password: "mover" }).then((c) =>
        c.query(`SELECT * FROM "${toDatabase.journal.movedName}".items`).finally(() => c.end()),
      ),
    ).rejects.toThrow(/permission denied/);

    const back = await performMove(
      { slug: "mover", from: inDatabase, to: inSchema },
      { login: true, comment: "owned by the billing team" },
      { ...setting, now: () => new Date(Date.now() + 1000) },
    );
    await finishMove(back.journal, setting);
    expect(back.drop).toMatch(new RegExp(`^DROP DATABASE "${ROLE}_moved_\\d{14}";`));
    expect(await tenantRead(SHARED)).toEqual(before);
    await expect(
      connect(back.journal.movedName, { user: ROLE, password: "mover" }).then((c) => c.end()),
    ).rejects.toThrow(/permission denied/);
    // The staging database of the rename is gone.
    expect(await runSql("postgres", `SELECT datname FROM pg_database WHERE datname LIKE '${ROLE}_staging_%'`)).toEqual(
      [],
    );
  });

  it("a journal left by a run killed mid-copy is rolled back: the partial copy dropped, the login back as it was", async () => {
    const journal = {
      phase: "copying" as const,
      from: inSchema,
      to: inDatabase,
      login: true,
      comment: null,
      movedName: `${ROLE}_moved_20261205093000`,
      startedAt: new Date().toISOString(),
    };
    // What the kill left: the login off, the journal on the role, a partial copy with the settings table in it.
    await runSql(
      "postgres",
      `ALTER ROLE ${ROLE} NOLOGIN`,
      `COMMENT ON ROLE ${ROLE} IS 'tenantctl-move:${JSON.stringify(journal)}'`,
      `CREATE DATABASE ${ROLE} OWNER ${ROLE}`,
    );
    await runSql(ROLE, `SET ROLE ${ROLE}`, "CREATE TABLE tenant_settings (key text)");
    const found = await findTenantData(tenant, admin, server);
    expect(found.role?.journal).toEqual(journal);
    expect(found.marked).toEqual([inSchema, inDatabase]);
    await rollBack(found.role!.journal!, setting);
    expect(await findTenantData(tenant, admin, server)).toEqual({
      role: { login: true, comment: null },
      marked: [inSchema],
    });
  });
});
