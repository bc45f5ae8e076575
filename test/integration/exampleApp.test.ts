/**
 * examples/app against a real PostgreSQL (a registry and two tenants' data made by hand with the contract's names,
 * as the registry's stacks would leave them) and a real AuthHero (organizations, roles and users through its
 * Management API; tokens through its login and token exchange), over real HTTP. The e2e does the same against what
 * `tenantctl up` deploys.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../examples/app/src/app";
import { Registry } from "../../examples/app/src/registry";
import { RotatingPool } from "../../examples/app/src/rotatingPool";
import { RotatingPassword } from "../../examples/app/src/runtimeCredentials";
import { TenantData } from "../../examples/app/src/tenantData";
import { TokenVerifier } from "../../examples/app/src/tokens";
import { countUsers, createUser } from "../../examples/app/src/users";
import type { RunningAuthHero } from "../../src/sandbox/authhero";
import { connectionOf, ManagementClient, startTestAuthHero } from "../support/authhero";
import { askApp, REGISTRY_DDL } from "../support/exampleApp";
import { createOrganizationUser, organizationToken } from "../support/organizationToken";
import { runSql, testPostgres } from "../support/postgres";

// Cluster-wide names of this file only (the e2e may share the cluster).
const REPO_ROOT = join(__dirname, "..", "..");
const DB = "example_app_it";
const RUNTIME = "example_app_it_runtime";
const AUDIENCE = "https://api.example-app.test";

let authhero: RunningAuthHero;
let admin: ManagementClient;
let dir: string;
let credentialsFile: string;
let app: FastifyInstance;
let appUrl: string;
let registry: Registry;
let data: TenantData;
const orgs: Record<string, string> = {};
const roles: Record<string, string> = {};

function writeCredentials(passwords: string[]): void {
  writeFileSync(credentialsFile, JSON.stringify({ user: RUNTIME, passwords }), { mode: 0o600 });
}

beforeAll(async () => {
  authhero = await startTestAuthHero();
  admin = new ManagementClient(connectionOf(authhero));
  await admin.json("POST", "/resource-servers", {
    identifier: AUDIENCE,
    name: "Example app",
    scopes: ["read:data", "manage:users"].map((value) => ({ value })),
    options: { enforce_policies: true, token_dialect: "access_token_authz" },
  });
  for (const [name, permissions] of Object.entries({ member: ["read:data"], admin: ["read:data", "manage:users"] })) {
    const role = await admin.json<{ id: string }>("POST", "/roles", { name: `it-${name}`, description: name });
    await admin.json("POST", `/roles/${role.id}/permissions`, {
      permissions: permissions.map((permission_name) => ({ permission_name, resource_server_identifier: AUDIENCE })),
    });
    roles[name] = role.id;
  }
  for (const slug of ["alpha", "beta"]) {
    orgs[slug] = (await admin.json<{ id: string }>("POST", "/organizations", { name: `it-${slug}` })).id;
  }

  const pg = testPostgres();
  await runSql("postgres", `CREATE DATABASE ${DB}`, `CREATE ROLE ${RUNTIME} LOGIN NOINHERIT PASSWORD 'first'`);
  const statements = [REGISTRY_DDL];
  for (const slug of ["alpha", "beta", "gamma", "delta"]) {
    const role = `example_app_it_${slug}`;
    statements.push(
      `CREATE ROLE ${role} LOGIN PASSWORD 'unused'`,
      `CREATE SCHEMA ${role} AUTHORIZATION ${role}`,
      `GRANT CONNECT ON DATABASE ${DB} TO ${role}`,
      `CREATE TABLE ${role}.tenant_settings (key text PRIMARY KEY, value jsonb NOT NULL)`,
      `INSERT INTO ${role}.tenant_settings VALUES ('locale', '"${slug}-locale"'), ('branding.primaryColor', '"#${slug.length}00000"')`,
      `ALTER TABLE ${role}.tenant_settings OWNER TO ${role}`,
    );
  }
  // Membership without inheritance: only the active tenants, as the registry's stacks grant it.
  statements.push(
    `GRANT example_app_it_alpha, example_app_it_beta TO ${RUNTIME}`,
    `GRANT CONNECT ON DATABASE ${DB} TO ${RUNTIME}`,
  );
  const rows: [string, string, string, number][] = [
    ["alpha", "active", orgs.alpha as string, 2],
    ["beta", "active", orgs.beta as string, 100],
    ["gamma", "suspended", "org_gamma", 5],
    ["delta", "decommissioned", "org_delta", 5],
  ];
  for (const [slug, status, org, users] of rows) {
    statements.push(
      `INSERT INTO tenantctl.tenants (slug, name, plan, status, limits, server, host, port, database, schema, role, organization_id)
       VALUES ('${slug}', '${slug} Inc', 'basic', '${status}', '{"users": ${users}, "dbConnections": 5}', 'primary',
               '${pg.host}', ${pg.port}, '${DB}', 'example_app_it_${slug}', 'example_app_it_${slug}', '${org}')`,
      `INSERT INTO tenantctl.tenant_domains (hostname, slug, kind, is_primary) VALUES ('${slug}.app.test', '${slug}', 'platform', true)`,
    );
  }
  statements.push(
    "INSERT INTO tenantctl.tenant_domains (hostname, slug, kind, is_primary) VALUES ('app.alpha-corp.test', 'alpha', 'custom', false)",
  );
  await runSql(DB, ...statements);

  dir = mkdtempSync(join(tmpdir(), "example-app-it-"));
  credentialsFile = join(dir, "runtime.json");
  writeCredentials(["first"]);
  registry = new Registry(`postgres://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${DB}`);
  data = new TenantData(new RotatingPassword(credentialsFile));
  app = buildApp({ registry, data, tokens: new TokenVerifier({ issuer: `${authhero.url}/`, audience: AUDIENCE }) });
  appUrl = await app.listen({ host: "127.0.0.1", port: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await registry?.close();
  await data?.close();
  await authhero?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ask = (host: string, path: string, options?: Parameters<typeof askApp>[3]) =>
  askApp({ url: appUrl }, host, path, options);

describe("routing by Host through the registry", () => {
  it("finds a tenant by its subdomain and by its custom domain, whatever the case and port", async () => {
    for (const host of ["alpha.app.test", "APP.alpha-corp.test:8443"]) {
      expect(await ask(host, "/")).toEqual({
        status: 200,
        body: {
          tenant: "alpha",
          name: "alpha Inc",
          status: "active",
          plan: "basic",
          limits: { users: 2, dbConnections: 5 },
        },
      });
    }
  });

  it("answers 404 for an unknown host, 403 for a suspended tenant and 410 for a decommissioned one", async () => {
    expect(await ask("nobody.app.test", "/")).toMatchObject({ status: 404, body: { error: "unknown_host" } });
    expect(await ask("gamma.app.test", "/")).toMatchObject({ status: 403, body: { error: "tenant_suspended" } });
    expect(await ask("delta.app.test", "/settings")).toMatchObject({
      status: 410,
      body: { error: "tenant_decommissioned" },
    });
  });
});

describe("tokens from AuthHero", () => {
  it("reads the tenant's own settings with a token of its organization; refuses other organizations, missing permissions and no token", async () => {
    const alphaMember = await createOrganizationUser(admin, orgs.alpha as string, [roles.member as string]);
    const betaAdmin = await createOrganizationUser(admin, orgs.beta as string, [roles.admin as string]);
    const memberToken = await organizationToken(admin, authhero.url, alphaMember, orgs.alpha as string, AUDIENCE);
    const betaToken = await organizationToken(admin, authhero.url, betaAdmin, orgs.beta as string, AUDIENCE);

    expect(await ask("alpha.app.test", "/settings", { token: memberToken })).toEqual({
      status: 200,
      body: { tenant: "alpha", settings: { "branding.primaryColor": "#500000", locale: "alpha-locale" } },
    });
    expect(await ask("alpha.app.test", "/settings", { token: betaToken })).toMatchObject({
      status: 403,
      body: { error: "wrong_organization" },
    });
    expect(
      await ask("alpha.app.test", "/users", { method: "POST", token: memberToken, body: { email: "x@alpha.test" } }),
    ).toMatchObject({
      status: 403,
      body: { error: "missing_permission" },
    });
    expect(await ask("alpha.app.test", "/settings")).toMatchObject({ status: 401, body: { error: "missing_token" } });
    expect(await ask("alpha.app.test", "/settings", { token: `${memberToken.slice(0, -4)}AAAA` })).toMatchObject({
      status: 401,
      body: { error: "invalid_token" },
    });
  });

  it("examples/app/user-token.sh (the README's one command) prints a token of the organization with the role's permissions", async () => {
    const pg = testPostgres();
    const token = execFileSync(join(REPO_ROOT, "examples", "app", "user-token.sh"), ["beta", "it-member"], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        TENANTCTL_AUTHHERO_URL: authhero.url,
        TENANTCTL_AUTHHERO_CLIENT_ID: authhero.clientId,
        TENANTCTL_AUTHHERO_CLIENT_SECRET: authhero.clientSecret,
        TENANTCTL_AUTH_AUDIENCE: AUDIENCE,
        TENANTCTL_REGISTRY_URL: `postgres://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${DB}`,
      },
    }).trim();
    expect(await ask("beta.app.test", "/settings", { token })).toMatchObject({ status: 200, body: { tenant: "beta" } });
    expect(
      await ask("beta.app.test", "/users", { method: "POST", token, body: { email: "b@beta.test" } }),
    ).toMatchObject({
      status: 403,
      body: { error: "missing_permission" },
    });
    expect(await ask("alpha.app.test", "/settings", { token })).toMatchObject({
      status: 403,
      body: { error: "wrong_organization" },
    });
  });

  it("AuthHero refuses an organization token to a user outside the organization", async () => {
    const betaUser = await createOrganizationUser(admin, orgs.beta as string, [roles.admin as string]);
    await expect(organizationToken(admin, authhero.url, betaUser, orgs.alpha as string, AUDIENCE)).rejects.toThrow(
      /403.*not a member/,
    );
  });
});

describe("the users limit", () => {
  it("holds under concurrent requests: exactly limits.users users are created", async () => {
    const alphaAdmin = await createOrganizationUser(admin, orgs.alpha as string, [roles.admin as string]);
    const token = await organizationToken(admin, authhero.url, alphaAdmin, orgs.alpha as string, AUDIENCE);
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        ask("alpha.app.test", "/users", { method: "POST", token, body: { email: `u${n}@alpha.test` } }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 403, 403, 403]);
    expect(answers.find((answer) => answer.status === 403)?.body).toMatchObject({ error: "users_limit_reached" });
    expect(await ask("alpha.app.test", "/users", { token })).toEqual({
      status: 200,
      body: { tenant: "alpha", count: 2, limit: 2 },
    });
    const rows = await runSql(
      DB,
      "SELECT tableowner FROM pg_tables WHERE schemaname = 'example_app_it_alpha' AND tablename = 'app_users'",
    );
    expect(rows).toEqual([{ tableowner: "example_app_it_alpha" }]);
  });
});

describe("createUser", () => {
  it("makes a second writer wait for the first's commit, so the last seat is taken once", async () => {
    const beta = (await registry.tenantByHostname("beta.app.test"))!;
    const count = await data.asTenant(beta, countUsers);
    const limit = count + 1;
    // The first request holds its transaction open after its insert: the second must count that row.
    const first = data.asTenant(beta, async (client, schema) => {
      const outcome = await createUser(client, schema, "first@beta.test", limit);
      await new Promise((resolve) => setTimeout(resolve, 400));
      return outcome;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = data.asTenant(beta, (client, schema) => createUser(client, schema, "second@beta.test", limit));
    expect(await first).toMatchObject({ created: { email: "first@beta.test" } });
    expect(await second).toEqual({ limitReached: { limit, count: limit } });
  });
});

describe("the runtime role", () => {
  it("reaches a tenant's data only as that tenant: a connection that served alpha cannot read alpha's data as beta", async () => {
    const alpha = (await registry.tenantByHostname("alpha.app.test"))!;
    const beta = (await registry.tenantByHostname("beta.app.test"))!;
    const single = new TenantData(new RotatingPassword(credentialsFile));
    try {
      expect(
        await single.asTenant(alpha, async (client) => (await client.query("SELECT current_user AS u")).rows),
      ).toEqual([{ u: "example_app_it_alpha" }]);
      await expect(
        single.asTenant(beta, (client) => client.query("SELECT * FROM example_app_it_alpha.tenant_settings")),
      ).rejects.toThrow(/permission denied for schema example_app_it_alpha/);
      // The failed request rolled back and left its connection usable, as the runtime role again, for the next one.
      expect(
        await single.asTenant(beta, async (client) => (await client.query("SELECT current_user AS u")).rows),
      ).toEqual([{ u: "example_app_it_beta" }]);
    } finally {
      await single.close();
    }
  });
});

describe("runtime credentials through a rotation", () => {
  it("tries the listed passwords in order, re-reads the file when all fail, and reports a real refusal", async () => {
    const pg = testPostgres();
    const poolConfig = { host: pg.host, port: pg.port, database: DB, max: 4 };
    writeCredentials(["wrong", "first"]);
    const password = new RotatingPassword(credentialsFile);
    const pool = new RotatingPool(password, poolConfig);
    try {
      const held = await pool.connect();
      expect(password.current()).toBe("first");
      // The rotation: the new password is set, the file lists only it; a new connection re-reads the file.
      await runSql("postgres", `ALTER ROLE ${RUNTIME} PASSWORD 'second'`);
      writeCredentials(["second"]);
      const fresh = await pool.connect();
      expect((await fresh.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      expect(password.current()).toBe("second");
      // The connection opened before the rotation still works: PostgreSQL checks passwords only at login.
      expect((await held.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
      held.release();
      fresh.release();

      writeCredentials(["nope", "neither"]);
      const stale = new RotatingPool(new RotatingPassword(credentialsFile), poolConfig);
      await expect(stale.connect()).rejects.toMatchObject({ code: "28P01" });
      await stale.end();
    } finally {
      await pool.end();
      await runSql("postgres", `ALTER ROLE ${RUNTIME} PASSWORD 'first'`);
      writeCredentials(["first"]);
    }
  });
});
