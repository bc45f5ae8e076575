/** What `preview` says a move has to copy, asked of a real PostgreSQL (src/orchestrate/moves/dataSize.ts). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedDatabaseServer } from "../../infra/context/databaseServerConfig";
import { measureData, withDataSizes } from "../../src/orchestrate/moves/dataSize";
import type { TenantRun } from "../../src/report/runReport";
import { connect, runSql, testAdminServer } from "../support/postgres";
import { PRIMARY_SERVER } from "../support/tenantFixtures";

const SHARED = "size_shared";
const OWN = "tenant_size_own";

async function expectedBytes(database: string, schemas: readonly string[]): Promise<number> {
  const client = await connect(database);
  try {
    const { rows } = await client.query<{ bytes: string }>(
      "SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND c.relkind = 'r'",
      [schemas],
    );
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}

describe("the size of a move's data", () => {
  let admin: ResolvedDatabaseServer;
  beforeAll(async () => {
    admin = testAdminServer();
    await runSql("postgres", `CREATE DATABASE ${SHARED}`, `CREATE DATABASE ${OWN}`);
    await runSql(
      SHARED,
      "CREATE SCHEMA tenant_size_a",
      "CREATE TABLE tenant_size_a.orders (id serial PRIMARY KEY, note text)",
      "INSERT INTO tenant_size_a.orders (note) SELECT repeat('x', 200) FROM generate_series(1, 2000)",
      "CREATE TABLE tenant_size_a.tenant_settings (key text PRIMARY KEY, value jsonb)",
      // Another tenant's schema in the same database: never counted as this one's.
      "CREATE SCHEMA tenant_size_b",
      "CREATE TABLE tenant_size_b.big (id int)",
      "INSERT INTO tenant_size_b.big SELECT generate_series(1, 50000)",
    );
    await runSql(
      OWN,
      "CREATE TABLE public.items (id int)",
      "INSERT INTO public.items SELECT generate_series(1, 1000)",
      "CREATE SCHEMA reports",
      "CREATE TABLE reports.daily (day date)",
    );
  });
  afterAll(async () => {
    await runSql("postgres", `DROP DATABASE IF EXISTS ${SHARED}`, `DROP DATABASE IF EXISTS ${OWN}`);
  });

  it("counts the tables of the tenant's schema only, with their indexes and TOAST", async () => {
    const size = await measureData(admin, { server: "primary", database: SHARED, schema: "tenant_size_a" });
    expect(size).toEqual({ tables: 2, bytes: await expectedBytes(SHARED, ["tenant_size_a"]) });
    expect(size!.bytes).toBeGreaterThan(400_000);
  });

  it("counts every schema of a tenant's own database, none of the system's", async () => {
    const size = await measureData(admin, { server: "primary", database: OWN, schema: "public" });
    expect(size).toEqual({ tables: 2, bytes: await expectedBytes(OWN, ["public", "reports"]) });
  });

  it("is undefined for a database that is gone; a preview's moves get it only where credentials exist", async () => {
    expect(
      await measureData(admin, { server: "primary", database: "no_such_database", schema: "public" }),
    ).toBeUndefined();
    const move = {
      from: { server: "primary", database: SHARED, schema: "tenant_size_a" },
      to: { server: "primary", database: "tenant_size_a", schema: "public" },
    };
    const tenant: TenantRun = {
      slug: "size-a",
      stack: "size-a",
      outcome: "changed",
      changes: {},
      move,
      resources: [],
      seconds: 1,
    };
    const unmoved: TenantRun = { ...tenant, slug: "other", move: undefined };
    const [measured, untouched] = await withDataSizes([tenant, unmoved], [PRIMARY_SERVER], async () => admin);
    expect(measured!.move).toEqual({
      ...move,
      data: { tables: 2, bytes: await expectedBytes(SHARED, ["tenant_size_a"]) },
    });
    expect(untouched).toBe(unmoved);
    const [withoutCredentials] = await withDataSizes([tenant], [PRIMARY_SERVER], async () => undefined);
    expect(withoutCredentials!.move).toEqual(move);
    // A server the template no longer names: nothing to ask.
    const [unknownServer] = await withDataSizes(
      [tenant],
      [{ ...PRIMARY_SERVER, name: "secondary" }],
      async () => admin,
    );
    expect(unknownServer!.move).toEqual(move);
  });
});
