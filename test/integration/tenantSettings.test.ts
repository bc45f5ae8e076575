/**
 * The settings provider against the real PostgreSQL of the global setup. The provider's functions are plain
 * async functions, called here exactly as the engine would call them; the rows are checked with `pg`.
 * Roles, schemas and databases are made with plain SQL mirroring what TenantDatabase declares.
 */
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantSettingsProvider as provider } from "../../infra/dynamic/settings/provider";
import type { TenantSettingsState } from "../../infra/dynamic/settings/semantics";
import { desiredSettings } from "../../infra/dynamic/settings/TenantSettingsTable";
import type { JsonObject, Tenant } from "../../src/core/model";
import { connect, testPostgres } from "../support/postgres";
import { buildTenant, DEFAULT_SETTINGS, PRIMARY_SERVER } from "../support/tenantFixtures";

// The e2e may share this cluster (see postgresGlobalSetup.ts): no database or role name here is one the
// example fleet uses.
const SHARED_DATABASE = "integration_tenants";
const SERVER = { ...PRIMARY_SERVER, sharedDatabase: SHARED_DATABASE };
const admin = () => {
  const server = testPostgres();
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    sslmode: "disable" as const,
  };
};

let superuser: Client;
const clients: Client[] = [];

beforeAll(async () => {
  superuser = await connect("postgres");
  await superuser.query(`CREATE DATABASE ${SHARED_DATABASE}`);
  // What the platform should do to its shared database; tenants then need the explicit CONNECT grant.
  await superuser.query(`REVOKE ALL ON DATABASE ${SHARED_DATABASE} FROM PUBLIC`);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
  await superuser?.end();
});

async function track(client: Promise<Client>): Promise<Client> {
  const connected = await client;
  clients.push(connected);
  return connected;
}

interface Provisioned {
  readonly tenant: Tenant;
  readonly state: TenantSettingsState;
  /** The tenant's own login, as its application would connect. */
  readonly login: { user: string; password: string };
  /** Superuser connection to the database holding the tenant's data. */
  readonly db: Client;
  readonly table: string;
}

/** Creates what TenantDatabase would for `tenant`, in plain SQL, and the provider inputs TenantSettings would send. */
async function provision(
  slug: string,
  options: { isolation?: "database" | "schema"; values?: JsonObject; seedOnlyKeys?: readonly string[] } = {},
): Promise<Provisioned> {
  const tenant = buildTenant(slug, {
    database: { isolation: options.isolation ?? "schema", server: SERVER },
    settings: { values: options.values ?? DEFAULT_SETTINGS, seedOnlyKeys: options.seedOnlyKeys ?? ["branding"] },
  });
  const { roleName: role, databaseName: database, schemaName: schema } = tenant.database;
  const login = { user: role, password: `${slug}-secret` };
  await superuser.query(`CREATE ROLE ${role} LOGIN PASSWORD '${login.password}' CONNECTION LIMIT 10`);
  if (tenant.database.isolation === "database") {
    await superuser.query(`CREATE DATABASE ${database} OWNER ${role}`);
    await superuser.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  }
  const db = await track(connect(database));
  if (tenant.database.isolation === "schema") {
    await db.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
    await db.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
    await db.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
  }
  await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${role} REVOKE ALL ON FUNCTIONS FROM PUBLIC`);
  return {
    tenant,
    state: { connection: admin(), ...desiredSettings(tenant) },
    login,
    db,
    table: `${schema}.tenant_settings`,
  };
}

async function rows(p: Provisioned): Promise<Record<string, { value: unknown; seedOnly: boolean }>> {
  const result = await p.db.query<{ key: string; value: unknown; seed_only: boolean }>(
    `SELECT key, value, seed_only FROM ${p.table} ORDER BY key`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.key, { value: row.value, seedOnly: row.seed_only }]));
}

async function asTenant(p: Provisioned, sql: string, params: unknown[] = []): Promise<void> {
  const client = await track(connect(p.state.database, p.login));
  await client.query(sql, params);
}

/** A refresh followed by the next `up`'s diff, as the engine runs them. */
async function refreshAndDiff(state: TenantSettingsState, desired: TenantSettingsState = state) {
  const refreshed = (await provider.read!(`id`, state)).props as TenantSettingsState;
  const diff = await provider.diff!(`id`, refreshed, desired);
  return { refreshed, changes: diff.changes };
}

describe("tenant settings provider on PostgreSQL", () => {
  it("creates the table owned by the tenant's role and writes every resolved leaf", async () => {
    const p = await provision("alpha");
    const created = await provider.create(p.state);

    expect(created.id).toBe(`${SHARED_DATABASE}/tenant_alpha/tenant_settings`);
    expect(created.outs).toEqual(p.state);
    const owner = await p.db.query(
      `SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'tenant_settings'`,
      ["tenant_alpha"],
    );
    expect(owner.rows).toEqual([{ tableowner: "tenant_alpha" }]);
    expect(await rows(p)).toEqual({
      "branding.primaryColor": { value: "#1f6feb", seedOnly: true },
      "features.auditLog": { value: false, seedOnly: false },
      "features.sso": { value: false, seedOnly: false },
      locale: { value: "en-US", seedOnly: false },
      "security.mfa": { value: "required", seedOnly: false },
      "security.sessionTimeoutMinutes": { value: 60, seedOnly: false },
    });
    // The tenant's own login can use its table.
    await asTenant(p, `SELECT * FROM ${p.table}`);
  });

  it("reports nothing to do when the table matches the spec", async () => {
    const p = await provision("bravo");
    await provider.create(p.state);
    const { refreshed, changes } = await refreshAndDiff(p.state);
    expect(refreshed.settings).toEqual(p.state.settings);
    expect(changes).toBe(false);
  });

  it("reports a run-time change of a managed key as drift, and update restores it", async () => {
    const p = await provision("charlie");
    await provider.create(p.state);
    await asTenant(p, `UPDATE ${p.table} SET value = '120' WHERE key = 'security.sessionTimeoutMinutes'`);

    const { refreshed, changes } = await refreshAndDiff(p.state);
    expect(refreshed.settings["security.sessionTimeoutMinutes"]).toBe("120");
    expect(changes).toBe(true);

    await provider.update!("id", refreshed, p.state);
    expect((await rows(p))["security.sessionTimeoutMinutes"]).toEqual({ value: 60, seedOnly: false });
    expect((await refreshAndDiff(p.state)).changes).toBe(false);
  });

  it("reports a deleted managed row, or a dropped table, as drift and writes them back", async () => {
    const p = await provision("delta");
    await provider.create(p.state);
    await asTenant(p, `DELETE FROM ${p.table} WHERE key = 'locale'`);
    let { refreshed, changes } = await refreshAndDiff(p.state);
    expect(refreshed.settings).not.toHaveProperty("locale");
    expect(changes).toBe(true);

    await asTenant(p, `DROP TABLE ${p.table}`);
    ({ refreshed, changes } = await refreshAndDiff(p.state));
    expect(Object.keys(refreshed.settings)).toEqual(["branding.primaryColor"]);
    expect(changes).toBe(true);

    await provider.update!("id", refreshed, p.state);
    expect(Object.keys(await rows(p))).toHaveLength(6);
  });

  it("keeps a seed-only key the tenant changed, and does not call it drift", async () => {
    const p = await provision("echo");
    await provider.create(p.state);
    await asTenant(p, `UPDATE ${p.table} SET value = '"#d73a49"' WHERE key = 'branding.primaryColor'`);

    const { refreshed, changes } = await refreshAndDiff(p.state);
    expect(refreshed.settings["branding.primaryColor"]).toBe(JSON.stringify("#1f6feb"));
    expect(changes).toBe(false);

    // An update for another reason, even with a new seed value in the spec, leaves the tenant's value.
    const desired: TenantSettingsState = {
      ...p.state,
      settings: {
        ...p.state.settings,
        locale: JSON.stringify("en-GB"),
        "branding.primaryColor": JSON.stringify("#000000"),
      },
    };
    await provider.update!("id", refreshed, desired);
    const after = await rows(p);
    expect(after["branding.primaryColor"]).toEqual({ value: "#d73a49", seedOnly: true });
    expect(after["locale"]).toEqual({ value: "en-GB", seedOnly: false });
  });

  it("seeds a seed-only key added to the spec later, without overwriting an existing row", async () => {
    const p = await provision("foxtrot");
    await provider.create(p.state);
    await asTenant(p, `INSERT INTO ${p.table} (key, value) VALUES ('branding.logo', '"tenant.png"')`);
    const desired: TenantSettingsState = {
      ...p.state,
      settings: {
        ...p.state.settings,
        "branding.logo": JSON.stringify("default.png"),
        "branding.font": JSON.stringify("Inter"),
      },
    };
    const { refreshed, changes } = await refreshAndDiff(p.state, desired);
    expect(changes).toBe(true);
    await provider.update!("id", refreshed, desired);
    const after = await rows(p);
    expect(after["branding.logo"]).toEqual({ value: "tenant.png", seedOnly: true });
    expect(after["branding.font"]).toEqual({ value: "Inter", seedOnly: true });
  });

  it("deletes managed keys dropped from the spec, and keeps seed-only rows and the tenant's own rows", async () => {
    const p = await provision("golf");
    await provider.create(p.state);
    await asTenant(p, `INSERT INTO ${p.table} (key, value) VALUES ('custom.theme', '"dark"')`);
    const { "features.auditLog": _managed, "branding.primaryColor": _seedOnly, ...remaining } = p.state.settings;
    const desired: TenantSettingsState = { ...p.state, settings: remaining };

    const { refreshed, changes } = await refreshAndDiff(p.state, desired);
    expect(changes).toBe(true);
    await provider.update!("id", refreshed, desired);

    const after = await rows(p);
    expect(after).not.toHaveProperty("features.auditLog");
    expect(after["branding.primaryColor"]).toEqual({ value: "#1f6feb", seedOnly: true });
    expect(after["custom.theme"]).toEqual({ value: "dark", seedOnly: false });
  });

  it("enforces a key that becomes managed, and releases one that becomes seed-only", async () => {
    const p = await provision("hotel");
    await provider.create(p.state);
    await asTenant(p, `UPDATE ${p.table} SET value = '"#ffffff"' WHERE key = 'branding.primaryColor'`);
    await asTenant(p, `UPDATE ${p.table} SET value = '"fr-FR"' WHERE key = 'locale'`);
    // The template moves `locale` to seed-only and makes `branding` managed.
    const desired: TenantSettingsState = { ...p.state, seedOnlyKeys: ["locale"] };

    const { refreshed, changes } = await refreshAndDiff(p.state, desired);
    expect(changes).toBe(true);
    await provider.update!("id", refreshed, desired);

    const after = await rows(p);
    expect(after["branding.primaryColor"]).toEqual({ value: "#1f6feb", seedOnly: false });
    // Seed-only now: the tenant's value stays, only the flag follows the spec.
    expect(after["locale"]).toEqual({ value: "fr-FR", seedOnly: true });
  });

  it("never deletes rows or the table when the resource is deleted", async () => {
    const p = await provision("india");
    await provider.create(p.state);
    await provider.delete!("id", p.state);
    expect(Object.keys(await rows(p))).toHaveLength(6);
  });

  it("writes into the public schema of a tenant's own database, owned by the tenant", async () => {
    const p = await provision("juliett", { isolation: "database" });
    const created = await provider.create(p.state);
    expect(created.id).toBe("tenant_juliett/public/tenant_settings");
    const owner = await p.db.query(
      `SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'tenant_settings'`,
    );
    expect(owner.rows).toEqual([{ tableowner: "tenant_juliett" }]);
    expect(Object.keys(await rows(p))).toHaveLength(6);
  });

  it("stores canonical JSON, so lists and key order never look like drift", async () => {
    const values: JsonObject = {
      ...DEFAULT_SETTINGS,
      integrations: { webhooks: [{ url: "https://a.example", events: ["x", "y"] }] },
    };
    const p = await provision("kilo", { values });
    await provider.create(p.state);
    expect((await rows(p))["integrations.webhooks"]?.value).toEqual([{ url: "https://a.example", events: ["x", "y"] }]);
    expect((await refreshAndDiff(p.state)).changes).toBe(false);
  });

  it("says how to fix an admin that may not act as the tenant's role", async () => {
    const p = await provision("lima");
    await superuser.query(`CREATE ROLE plain_admin LOGIN PASSWORD 'plain'`);
    await p.db.query(`GRANT CONNECT ON DATABASE ${SHARED_DATABASE} TO plain_admin`);
    const state = { ...p.state, connection: { ...p.state.connection, user: "plain_admin", password: "plain" } };
    await expect(provider.create(state)).rejects.toThrow(/GRANT "tenant_lima" TO "plain_admin"/);
  });
});

// Tenant isolation is proven through the product, not here (this file's set-up SQL does the revokes itself): see
// test/e2e/fleet.test.ts, where the real TenantDatabase, deployed by the real engine, keeps tenants apart.
