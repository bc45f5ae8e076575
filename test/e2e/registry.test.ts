/**
 * The registry, kept true by the stacks, and least privilege for the app, on a real PostgreSQL with the real engine.
 * After `up --all` of the example fleet every tenant has its rows (each hostname resolves with the app's query), the
 * reader reads the registry and nothing else, tenants' roles cannot read it, and the runtime role reaches a tenant's
 * data only through `SET ROLE`, never another tenant's. Then, one `up` at a time: a suspension reaches the row and
 * takes the runtime role's membership away; a hand edit of a row is drift that `up` restores; a destroyed stack's rows
 * go. Its own PostgreSQL and state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { type Login, type OwnWorld, sqlOn, startOwnWorld, tenantLoginOf } from "../support/ownWorld";
import type { RunningPostgres } from "../support/postgres";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

/** The app's lookup (examples/app and bench/registry.ts use the same). */
const BY_HOST = `select t.* from tenantctl.tenant_domains d join tenantctl.tenants t using (slug) where d.hostname = $1`;

describe("the registry: rows kept by each tenant stack, and the roles apps use", () => {
  let world: OwnWorld | undefined;
  let postgres: RunningPostgres;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;
  let reader: Login;
  let runtime: Login;

  const tenantctl = (...args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });
  const sql = <T extends Record<string, unknown> = Record<string, unknown>>(
    database: string,
    text: string,
    as?: Login,
  ) => sqlOn<T>(postgres, database, text, as);
  /** The PostgreSQL error a statement fails with, or "ok". */
  const attempt = async (database: string, text: string, as?: Login): Promise<string> => {
    try {
      await sql(database, text, as);
      return "ok";
    } catch (error) {
      return (error as Error).message;
    }
  };
  /** Statements on one connection, in order: what each returned, or its error. */
  async function session(database: string, as: Login, statements: string[]): Promise<unknown[]> {
    const client = new Client({ host: postgres.host, port: postgres.port, database, ...as });
    await client.connect();
    const results: unknown[] = [];
    try {
      for (const statement of statements) {
        try {
          results.push((await client.query(statement)).rows);
        } catch (error) {
          results.push((error as Error).message);
        }
      }
    } finally {
      await client.end();
    }
    return results;
  }
  const byHost = async (hostname: string) => {
    const client = new Client({ host: postgres.host, port: postgres.port, database: "tenantctl", ...reader });
    await client.connect();
    try {
      return (await client.query(BY_HOST, [hostname])).rows;
    } finally {
      await client.end();
    }
  };
  async function controlPlaneOutputs(): Promise<Record<string, unknown>> {
    const automation = await import("@pulumi/pulumi/automation");
    const stack = await automation.LocalWorkspace.selectStack(
      { stackName: "control-plane", workDir: project.dir },
      { envVars: env as Record<string, string> },
    );
    return Object.fromEntries(Object.entries(await stack.outputs()).map(([key, output]) => [key, output.value]));
  }

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "registry");
    ({ postgres, project, env } = world);
    const up = await tenantctl("up", "--all");
    expect(up.code, up.stderr).toBe(0);
    const outputs = await controlPlaneOutputs();
    const url = new URL(String(outputs["registryUrl"]));
    reader = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    const credentials = outputs["runtimeCredentials"] as { user: string; passwords: string[] };
    runtime = { user: credentials.user, password: credentials.passwords[0]! };
  }, 600_000);

  afterAll(async () => {
    await world?.close();
  });

  it("has each tenant's rows after one up, which the reader alone reads, and the runtime role reaches data by SET ROLE only", async () => {
    expect(reader.user).toBe("tenantctl_registry_reader");
    expect(runtime.user).toBe("tenantctl_runtime");
    expect(
      await sql(
        "tenantctl",
        "SELECT slug, plan, status, server, database, schema, role FROM tenantctl.tenants ORDER BY slug",
        reader,
      ),
    ).toEqual([
      {
        slug: "acme",
        plan: "enterprise",
        status: "active",
        server: "primary",
        database: "tenant_acme",
        schema: "public",
        role: "tenant_acme",
      },
      {
        slug: "globex",
        plan: "basic",
        status: "active",
        server: "primary",
        database: "tenants",
        schema: "tenant_globex",
        role: "tenant_globex",
      },
      {
        slug: "initech",
        plan: "trial",
        status: "active",
        server: "primary",
        database: "tenants",
        schema: "tenant_initech",
        role: "tenant_initech",
      },
    ]);
    // Every hostname of every tenant resolves with the app's query, to where its data is and as whom.
    for (const [hostname, slug] of [
      ["acme.app.example.com", "acme"],
      ["app.acme-corp.com", "acme"],
      ["portal.acme-corp.com", "acme"],
      ["globex.app.example.com", "globex"],
      ["tenants.globex.io", "globex"],
      ["initech.app.example.com", "initech"],
    ] as const) {
      const [row, ...more] = await byHost(hostname);
      expect(more).toEqual([]);
      expect(row).toMatchObject({ slug, host: postgres.host, port: postgres.port, organization_id: null });
    }
    expect(await byHost("unknown.example.com")).toEqual([]);
    expect((await byHost("acme.app.example.com"))[0]).toMatchObject({ limits: { users: 10000, dbConnections: 100 } });
    expect(
      await sql(
        "tenantctl",
        "SELECT hostname, kind, is_primary, tls_status FROM tenantctl.tenant_domains WHERE slug = 'acme' ORDER BY hostname",
        reader,
      ),
    ).toEqual([
      { hostname: "acme.app.example.com", kind: "platform", is_primary: true, tls_status: "none" },
      { hostname: "app.acme-corp.com", kind: "custom", is_primary: false, tls_status: "none" },
      { hostname: "portal.acme-corp.com", kind: "custom", is_primary: false, tls_status: "none" },
    ]);

    // The reader: the registry, read-only, and nothing else.
    expect(await attempt("tenantctl", "UPDATE tenantctl.tenants SET plan = 'x'", reader)).toMatch(/permission denied/);
    expect(await attempt("tenantctl", "CREATE TABLE tenantctl.mine (x int)", reader)).toMatch(/permission denied/);
    expect(await attempt("tenantctl", "CREATE TABLE public.mine (x int)", reader)).toMatch(/permission denied/);
    expect(await attempt("tenant_acme", "SELECT 1", reader)).toMatch(/permission denied for database/);
    expect(await attempt("tenants", "SELECT 1", reader)).toMatch(/permission denied for database/);

    // Tenants' roles read neither the registry nor each other.
    const acme = await tenantLoginOf(project, env, "acme");
    const globex = await tenantLoginOf(project, env, "globex");
    expect(await attempt("tenantctl", "SELECT 1", acme)).toMatch(/permission denied for database/);
    expect(await attempt("tenantctl", "SELECT 1", globex)).toMatch(/permission denied for database/);
    expect(await attempt("tenants", "SELECT * FROM tenant_initech.tenant_settings", globex)).toMatch(
      /permission denied/,
    );

    // The runtime role: nothing of its own (NOINHERIT), the tenant's data after SET ROLE, never another tenant's.
    const [denied, , settings, back] = await session("tenant_acme", runtime, [
      "SELECT key FROM public.tenant_settings",
      "SET ROLE tenant_acme",
      "SELECT value FROM public.tenant_settings WHERE key = 'locale'",
      "RESET ROLE",
    ]);
    expect(denied).toMatch(/permission denied for table tenant_settings/);
    expect(settings).toEqual([{ value: "en-GB" }]);
    expect(back).toEqual([]);
    const [ownSchema, otherSchema] = await session("tenants", runtime, [
      "SET ROLE tenant_globex",
      "SELECT value FROM tenant_globex.tenant_settings WHERE key = 'features.auditLog'",
      "SELECT value FROM tenant_initech.tenant_settings",
    ]).then((results) => results.slice(1));
    expect(ownSchema).toEqual([{ value: true }]);
    expect(otherSchema).toMatch(/permission denied for schema tenant_initech/);
    expect(await attempt("tenantctl", "SELECT 1", runtime)).toMatch(/permission denied for database/);
  });

  it("a suspension reaches the row and revokes the runtime role's membership in one up; a hand edit is drift that up restores", async () => {
    const before = await sql<{ updated_at: Date }>(
      "tenantctl",
      "SELECT updated_at FROM tenantctl.tenants WHERE slug = 'globex'",
    );
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml")}status: suspended\n`);
    const suspend = await tenantctl("up", "globex");
    expect(suspend.code, suspend.stderr).toBe(0);
    const [row] = await sql<{ status: string; updated_at: Date }>(
      "tenantctl",
      "SELECT status, updated_at FROM tenantctl.tenants WHERE slug = 'globex'",
      reader,
    );
    expect(row?.status).toBe("suspended");
    expect(row!.updated_at.getTime()).toBeGreaterThan(before[0]!.updated_at.getTime());
    expect((await byHost("tenants.globex.io"))[0]).toMatchObject({ slug: "globex", status: "suspended" });
    expect(await session("tenants", runtime, ["SET ROLE tenant_globex"])).toEqual([
      expect.stringMatching(/permission denied to set role "tenant_globex"/),
    ]);

    // A hand edit of the row, and of a domain row, is drift; `up` writes the files' values back, and leaves
    // migration_version (the migrations') alone.
    await sql("tenantctl", "UPDATE tenantctl.tenants SET plan = 'basic', migration_version = 7 WHERE slug = 'acme'");
    await sql(
      "tenantctl",
      "UPDATE tenantctl.tenant_domains SET is_primary = true WHERE hostname = 'app.acme-corp.com'",
    );
    const drift = await tenantctl("drift", "acme");
    expect(drift.code, drift.stderr).toBe(3);
    const acme = drift.report.tenants[0] as unknown as {
      outcome: string;
      resources: { name: string; properties: { path: string; expected: unknown; actual: unknown }[] }[];
    };
    expect(acme.outcome).toBe("drift");
    expect(acme.resources.find((resource) => resource.name === "acme-rows")?.properties).toEqual([
      { path: "domains.app.acme-corp.com.is_primary", expected: false, actual: true },
      { path: "row.plan", expected: "enterprise", actual: "basic" },
    ]);
    const restore = await tenantctl("up", "acme");
    expect(restore.code, restore.stderr).toBe(0);
    expect(
      await sql("tenantctl", "SELECT plan, migration_version FROM tenantctl.tenants WHERE slug = 'acme'", reader),
    ).toEqual([{ plan: "enterprise", migration_version: 7 }]);
    expect((await byHost("app.acme-corp.com"))[0]).toMatchObject({ slug: "acme" });
    expect(
      await sql("tenantctl", "SELECT is_primary FROM tenantctl.tenant_domains WHERE hostname = 'app.acme-corp.com'"),
    ).toEqual([{ is_primary: false }]);
    const clean = await tenantctl("drift", "acme");
    expect(clean.code, clean.stderr).toBe(0);
  });

  it("a destroyed stack's rows go, and its role leaves the runtime role", async () => {
    const destroy = await tenantctl("destroy", "initech");
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(await sql("tenantctl", "SELECT slug FROM tenantctl.tenants ORDER BY slug")).toEqual([
      { slug: "acme" },
      { slug: "globex" },
    ]);
    expect(await byHost("initech.app.example.com")).toEqual([]);
    expect(await session("tenants", runtime, ["SET ROLE tenant_initech"])).toEqual([
      expect.stringMatching(/permission denied to set role "tenant_initech"/),
    ]);
  });
});
