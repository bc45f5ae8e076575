/** What a stack finds already on a real PostgreSQL under the names it would create (infra/adopt/existingObjects.ts). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExistingObjects, findSharedDatabase } from "../../infra/adopt/existingObjects";
import type { ResolvedDatabaseServer } from "../../infra/context/databaseServerConfig";
import { buildTenant, PRIMARY_SERVER } from "../support/tenantFixtures";
import { runSql, testAdminServer, testPostgres } from "../support/postgres";

/** A shared database of this file's own, so other files' tenants never show up here. */
const SHARED = "probe_shared";
const server = { ...PRIMARY_SERVER, sharedDatabase: SHARED };

describe("findExistingObjects", () => {
  let admin: ResolvedDatabaseServer;
  beforeAll(async () => {
    admin = testAdminServer();
    await runSql(
      "postgres",
      `CREATE DATABASE ${SHARED}`,
      "CREATE ROLE tenant_probe_a LOGIN CREATEDB",
      "CREATE ROLE tenant_probe_b NOLOGIN",
    );
    await runSql("postgres", "CREATE DATABASE tenant_probe_a OWNER tenant_probe_a");
    await runSql(
      "tenant_probe_a",
      "CREATE EXTENSION IF NOT EXISTS pgcrypto",
      "SET ROLE tenant_probe_a",
      "CREATE TABLE public.tenant_settings (key text)",
    );
    await runSql(SHARED, "CREATE SCHEMA tenant_probe_b AUTHORIZATION tenant_probe_b", "CREATE SCHEMA tenant_probe_a");
  });
  afterAll(async () => {
    await runSql(
      "postgres",
      `DROP DATABASE IF EXISTS ${SHARED}`,
      "DROP DATABASE IF EXISTS tenant_probe_a",
      "DROP ROLE IF EXISTS tenant_probe_a",
      "DROP ROLE IF EXISTS tenant_probe_b",
    );
  });

  it("sees a tenant database's role, owner, extensions and settings table", async () => {
    const tenant = buildTenant("probe-a", { database: { isolation: "database", server } });
    expect(await findExistingObjects(tenant, admin, { otherIsolation: false })).toEqual({
      role: { name: "tenant_probe_a", canLogin: true, powers: ["CREATEDB"] },
      ownDatabase: { name: "tenant_probe_a", owner: "tenant_probe_a" },
      extensions: expect.arrayContaining(["plpgsql", "pgcrypto"]),
      settingsTable: true,
    });
    // Adopt also looks for the schema the other isolation would have made.
    expect((await findExistingObjects(tenant, admin, { otherIsolation: true })).sharedSchema).toEqual({
      name: "tenant_probe_a",
      owner: testPostgres().user,
    });
  });

  it("sees a schema tenant's role and schema in the shared database, and no settings table there", async () => {
    const tenant = buildTenant("probe-b", { database: { server } });
    expect(await findExistingObjects(tenant, admin, { otherIsolation: true })).toEqual({
      role: { name: "tenant_probe_b", canLogin: false, powers: [] },
      sharedSchema: { name: "tenant_probe_b", owner: "tenant_probe_b" },
      extensions: [],
      settingsTable: false,
    });
  });

  it("finds nothing for a tenant that never existed, even when its database is missing", async () => {
    expect(
      await findExistingObjects(buildTenant("probe-c", { database: { isolation: "database", server } }), admin, {
        otherIsolation: true,
      }),
    ).toEqual({ extensions: [], settingsTable: false });
  });

  it("tells the control plane whether its shared database exists and holds tenants", async () => {
    expect(await findSharedDatabase(server, admin)).toEqual({ exists: true, holdsTenantSchemas: false });
    await runSql(SHARED, "CREATE TABLE tenant_probe_b.tenant_settings (key text)");
    expect(await findSharedDatabase(server, admin)).toEqual({ exists: true, holdsTenantSchemas: true });
    expect(await findSharedDatabase({ ...server, sharedDatabase: "probe_missing" }, admin)).toEqual({
      exists: false,
      holdsTenantSchemas: false,
    });
  });

  it("fails in the provider's words when the server cannot be reached", async () => {
    await expect(
      findExistingObjects(
        buildTenant("probe-a", { database: { server } }),
        { ...admin, port: 1 },
        { otherIsolation: false },
      ),
    ).rejects.toThrow(
      /error connecting to PostgreSQL server 127\.0\.0\.1:1 \(database server "primary", looking for what already exists\): connect: connection refused/,
    );
  });
});
