/**
 * A tenant moved to another database server for real: two throwaway clusters, `primary` and `secondary`, and globex's
 * file pointed from one to the other. Its schema, rows, sequence and the seed-only setting it changed arrive on the new
 * server, owned by its role there, with the same login; `drift` is clean; the old schema is kept on the old server,
 * renamed and out of reach, and the old server's role no longer logs in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Login, sqlOn, tenantLoginOf } from "../support/ownWorld";
import { pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { type ProcessRun, tenantctlProcess } from "../support/tenantctlProcess";
import { addSecondServer, placeOnServer, SECONDARY, startTwoServers, type TwoServers } from "../support/twoServers";

const engine = pulumiEngine();

describe("moves: a tenant moved to another database server", () => {
  let servers: TwoServers;
  let project: TempProject;
  let state: string;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });
  const sql = <T extends Record<string, unknown> = Record<string, unknown>>(
    server: string,
    database: string,
    text: string,
    as?: Login,
  ) => sqlOn<T>(servers.cluster(server), database, text, as);
  const tenantLogin = (slug: string) => tenantLoginOf(project, env, slug);

  const view = async (server: string, login: Login) => ({
    orders: await sql(
      server,
      "tenants",
      "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, count(*)::int AS n FROM orders t",
      login,
    ),
    color: await sql(server, "tenants", "SELECT value FROM tenant_settings WHERE key = 'branding.primaryColor'", login),
  });

  beforeAll(async () => {
    servers = await startTwoServers();
    project = tempProject(engine.repoRoot, "tenantctl-e2e-server-move-");
    addSecondServer(project);
    state = mkdtempSync(join(tmpdir(), "tenantctl-e2e-server-move-state-"));
    env = { ...process.env, PULUMI_BACKEND_URL: `file://${state}`, ...servers.env, TENANTCTL_DISABLE: "dns,tls,auth" };
    const up = await tenantctl(["up", "control-plane", "globex"]);
    expect(up.code, up.stderr).toBe(0);
    await sql(
      "primary",
      "tenants",
      `CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
       CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), amount numeric(10, 2) NOT NULL);
       CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
       INSERT INTO customers (name) SELECT 'customer ' || i FROM generate_series(1, 50) i;
       INSERT INTO orders (customer_id, amount) SELECT 1 + i % 50, i / 3.0 FROM generate_series(1, 700) i;
       UPDATE tenant_settings SET value = '"#123456"' WHERE key = 'branding.primaryColor';`,
      await tenantLogin("globex"),
    );
  }, 600_000);

  afterAll(async () => {
    project?.remove();
    if (state) rmSync(state, { recursive: true, force: true });
    await servers?.stop();
  });

  it("primary → secondary: the same rows with the same login, the sequence continues, drift clean, the old schema kept out of reach", async () => {
    const login = await tenantLogin("globex");
    const before = await view("primary", login);
    placeOnServer(project, "globex", SECONDARY);
    const up: ProcessRun = await tenantctl(["up", "globex"]);
    expect(up.code, up.stderr + JSON.stringify(up.report)).toBe(0);
    expect((up.report.tenants[0] as { moved?: unknown }).moved).toMatchObject({
      from: { server: "primary", database: "tenants", schema: "tenant_globex" },
      to: { server: SECONDARY, database: "tenants", schema: "tenant_globex" },
      rows: 756,
    });
    expect(await tenantLogin("globex")).toEqual(login);
    expect(await view(SECONDARY, login)).toEqual(before);
    expect(
      await sql(SECONDARY, "tenants", "INSERT INTO orders (customer_id, amount) VALUES (1, 1) RETURNING id", login),
    ).toEqual([{ id: "701" }]);
    expect(await sql(SECONDARY, "tenants", "SELECT count(*)::int AS n FROM big_orders", login)).toEqual([{ n: 400 }]);

    const [old] = await sql<{ nspname: string; owner: string }>(
      "primary",
      "tenants",
      "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname LIKE 'tenant_globex_moved_%'",
    );
    expect(old?.owner).toBe(servers.cluster("primary").user);
    expect(await sql("primary", "tenants", `SELECT count(*)::int AS n FROM "${old!.nspname}".orders`)).toEqual([
      { n: 700 },
    ]);
    expect(
      await sql("primary", "postgres", "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_globex'"),
    ).toEqual([{ rolcanlogin: false }]);
    await expect(sql("primary", "tenants", "SELECT 1", login)).rejects.toThrow(
      /not permitted to log in|permission denied/,
    );

    const drift = await tenantctl(["drift", "globex"]);
    expect(drift.code, JSON.stringify(drift.report)).toBe(0);
  }, 600_000);
});
