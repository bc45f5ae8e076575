/**
 * examples/app on what `tenantctl sandbox --keep --auth authhero` deploys, driven over real HTTP as a new user would:
 * the app started with the line the sandbox prints, the registry and runtime login from env.sh, tokens from the
 * sandbox's AuthHero for users given the template's roles in their tenant's organization.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementClient } from "../support/authhero";
import { askApp, type RunningExampleApp, startExampleApp } from "../support/exampleApp";
import { createOrganizationUser, organizationToken } from "../support/organizationToken";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { inSandboxShell, keptSandbox, printedStopCommand, sourced } from "../support/sandbox";

const engine = pulumiEngine();
const AUDIENCE = "https://api.example.com";
/** Every hostname of the example fleet (tenants/*.yaml). */
const HOSTNAMES: Record<string, string[]> = {
  acme: ["acme.app.example.com", "app.acme-corp.com", "portal.acme-corp.com"],
  globex: ["globex.app.example.com", "tenants.globex.io"],
  initech: ["initech.app.example.com"],
};

interface RegistryRow {
  slug: string;
  database: string;
  schema: string;
  role: string;
  organization_id: string;
}

const kept = keptSandbox();
let env: NodeJS.ProcessEnv;
let app: RunningExampleApp;
let admin: ManagementClient;
let printed: { start: string; curl: string };
const registry: Record<string, RegistryRow> = {};
const roleIds: Record<string, string> = {};

beforeAll(async () => {
  const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-example-app-"));
  const { code, stdout, stderr } = await runCli(["sandbox", "--keep", "--auth", "authhero"], project.dir);
  kept.stop = printedStopCommand(stdout);
  expect(code, stdout + stderr).toBe(0);
  env = sourced(join(project.dir, ".tenantctl", "sandbox", "env.sh"));

  // The lines the sandbox prints, run as printed (a free port instead of 3000, so parallel runs do not collide).
  const start = /^ {2}(TENANTCTL_AUTH_AUDIENCE=\S+ PORT=3000 node \S+examples\/app\/start\.js) &$/m.exec(stdout)?.[1];
  const curl = /^ {2}(curl -H 'Host: [^']+' http:\/\/127\.0\.0\.1:3000\/)$/m.exec(stdout)?.[1];
  expect({ start, curl }, stdout).toEqual({ start: expect.any(String), curl: expect.any(String) });
  printed = { start: start as string, curl: curl as string };
  app = await startExampleApp(
    `. .tenantctl/sandbox/env.sh && exec env ${printed.start.replace("PORT=3000", "PORT=0")}`,
    project.dir,
  );

  const reader = new Client({ connectionString: env.TENANTCTL_REGISTRY_URL });
  await reader.connect();
  try {
    const { rows } = await reader.query<RegistryRow>(
      "SELECT slug, database, schema, role, organization_id FROM tenantctl.tenants",
    );
    for (const row of rows) registry[row.slug] = row;
  } finally {
    await reader.end();
  }
  admin = new ManagementClient({
    url: env.TENANTCTL_AUTHHERO_URL as string,
    clientId: env.TENANTCTL_AUTHHERO_CLIENT_ID as string,
    clientSecret: env.TENANTCTL_AUTHHERO_CLIENT_SECRET as string,
  });
  for (const role of await admin.roles()) roleIds[role.name] = role.id;
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const ask = (host: string, path: string, options?: Parameters<typeof askApp>[3]) => askApp(app, host, path, options);

/** A user of `slug`'s organization with the template's `role` there, and their access token for the app. */
async function tokenFor(slug: string, role: "admin" | "member"): Promise<string> {
  const organization = registry[slug]!.organization_id;
  const user = await createOrganizationUser(admin, organization, [roleIds[role]!]);
  return organizationToken(admin, env.TENANTCTL_AUTHHERO_URL as string, user, organization, AUDIENCE);
}

/** A connection as the runtime login, with the first password of the credentials file env.sh names. */
async function asRuntime(database: string): Promise<Client> {
  const credentials = JSON.parse(readFileSync(env.TENANTCTL_RUNTIME_CREDENTIALS_FILE as string, "utf8")) as {
    user: string;
    passwords: string[];
  };
  const url = new URL(env.TENANTCTL_REGISTRY_URL as string);
  const client = new Client({
    host: url.hostname,
    port: Number(url.port),
    database,
    user: credentials.user,
    password: credentials.passwords[0],
  });
  await client.connect();
  return client;
}

describe("examples/app on the sandbox", () => {
  it("resolves every tenant by each of its hostnames, answers 404 for an unknown host, and the printed curl works", async () => {
    for (const [slug, hostnames] of Object.entries(HOSTNAMES)) {
      for (const host of hostnames) {
        const answer = await ask(host, "/");
        expect({ host, ...answer }).toMatchObject({ host, status: 200, body: { tenant: slug, status: "active" } });
      }
    }
    expect((await ask("acme.app.example.com", "/")).body).toMatchObject({
      name: "Acme Corporation",
      plan: "enterprise",
      limits: { users: 10000 },
    });
    expect(await ask("nobody.app.example.com", "/")).toMatchObject({ status: 404, body: { error: "unknown_host" } });

    const port = new URL(app.url).port;
    const curled = execFileSync("sh", ["-c", printed.curl.replace(":3000/", `:${port}/`)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(JSON.parse(curled)).toMatchObject({ status: "active" });
  });

  it("serves a tenant's settings to its organization's token; refuses another organization's token and a role without the permission", async () => {
    // The README's command, in the sandbox's shell: a new user of acme's organization with the template role `member`.
    const acmeMember = inSandboxShell(
      kept.project!.dir,
      `${join(engine.repoRoot, "examples", "app", "user-token.sh")} acme member`,
    ).trim();
    const globexAdmin = await tokenFor("globex", "admin");
    const settings = await ask("app.acme-corp.com", "/settings", { token: acmeMember });
    expect(settings).toMatchObject({ status: 200, body: { tenant: "acme", settings: { locale: "en-GB" } } });
    expect(await ask("acme.app.example.com", "/settings", { token: globexAdmin })).toMatchObject({
      status: 403,
      body: { error: "wrong_organization" },
    });
    expect(
      await ask("acme.app.example.com", "/users", {
        method: "POST",
        token: acmeMember,
        body: { email: "m@acme.test" },
      }),
    ).toMatchObject({ status: 403, body: { error: "missing_permission" } });
    expect(await ask("globex.app.example.com", "/settings", { token: globexAdmin })).toMatchObject({ status: 200 });
  });

  it("the runtime login reads no tenant's data without SET ROLE, nor another tenant's after it", async () => {
    const globex = registry.globex!;
    const initech = registry.initech!;
    expect(globex.database).toBe(initech.database);
    const runtime = await asRuntime(globex.database);
    try {
      const read = (schema: string) => runtime.query(`SELECT count(*) FROM "${schema}".tenant_settings`);
      await expect(read(globex.schema)).rejects.toThrow(/permission denied/);
      await runtime.query(`SET ROLE "${globex.role}"`);
      expect((await read(globex.schema)).rows[0]).toMatchObject({ count: expect.any(String) });
      await expect(read(initech.schema)).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.end();
    }
  });

  it("holds the users limit of the tenant's plan (trial: 5)", async () => {
    const token = await tokenFor("initech", "admin");
    const statuses: number[] = [];
    for (let n = 1; n <= 6; n += 1) {
      const answer = await ask("initech.app.example.com", "/users", {
        method: "POST",
        token,
        body: { email: `user${n}@initech.test` },
      });
      statuses.push(answer.status);
      if (n === 6) expect(answer.body).toMatchObject({ error: "users_limit_reached" });
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 403]);
    expect(await ask("initech.app.example.com", "/users", { token })).toMatchObject({
      status: 200,
      body: { count: 5, limit: 5 },
    });
  });

  it("a status change in a file reaches the app after one up: suspended 403, decommissioned 410", async () => {
    const project = kept.project!;
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml")}status: suspended\n`);
    project.writeFile("initech.yaml", `${project.readFile("initech.yaml")}status: decommissioned\n`);
    const tenantctl = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(engine.repoRoot, "bin", "tenantctl.js"))}`;
    inSandboxShell(project.dir, `${tenantctl} up globex initech >/dev/null 2>&1`);

    for (const host of HOSTNAMES.globex!)
      expect(await ask(host, "/")).toMatchObject({ status: 403, body: { error: "tenant_suspended" } });
    expect(await ask("initech.app.example.com", "/users")).toMatchObject({
      status: 410,
      body: { error: "tenant_decommissioned" },
    });
    expect(await ask("acme.app.example.com", "/")).toMatchObject({ status: 200 });
    // The database says the same: the runtime login is no longer a member of the suspended tenant's role.
    const runtime = await asRuntime(registry.globex!.database);
    try {
      await expect(runtime.query(`SET ROLE "${registry.globex!.role}"`)).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.end();
    }
  });
});
