/**
 * A tenant's data moves when its plan changes where it lives, on a real PostgreSQL with the real engine: initech goes
 * from `plan: trial` (a schema in the shared database) to `enterprise` (a database of its own) and back. Its tables, a
 * foreign key, a view, a sequence in use and a seed-only setting it changed come along: afterwards its own credentials
 * read the same rows (same hashes), its sequence continues, the setting is its own, `drift` is clean, and the old copy
 * is kept but out of its role's reach. Faults: data changed behind the copy aborts the move with the tenant intact; a
 * run killed during the copy is rolled back by the next `up`, which moves with no row lost; `pulumi up` by hand refuses.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Login, type OwnWorld, sqlOn, startOwnWorld, tenantLoginOf } from "../support/ownWorld";
import type { RunningPostgres } from "../support/postgres";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { type ProcessRun, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

interface MovedReport {
  readonly from: { server: string; database: string; schema: string };
  readonly to: { server: string; database: string; schema: string };
  readonly rows: number;
  readonly secondsWithoutWrites: number;
  readonly oldCopy: string;
  readonly drop: string;
}

describe("moves: a plan change moves the tenant's data, verified", () => {
  let world: OwnWorld | undefined;
  let postgres: RunningPostgres;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env: { ...env, ...extraEnv } });
  const movedOf = (run: ProcessRun, slug: string) =>
    (run.report.tenants.find((t) => t.slug === slug) as { moved?: MovedReport } | undefined)?.moved;
  const sql = <T extends Record<string, unknown> = Record<string, unknown>>(
    database: string,
    text: string,
    as?: Login,
  ) => sqlOn<T>(postgres, database, text, as);
  const tenantLogin = (slug: string) => tenantLoginOf(project, env, slug);
  const registryRow = () =>
    sql("tenantctl", "SELECT plan, database, schema FROM tenantctl.tenants WHERE slug = 'initech'");

  /** What the tenant sees of its own data, through its own login: per table an ordered hash, the setting it changed. */
  async function tenantView(database: string, login: Login): Promise<Record<string, unknown>> {
    const hash = async (table: string) =>
      (
        await sql<{ h: string; n: number }>(
          database,
          `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, count(*)::int AS n FROM ${table} t`,
          login,
        )
      )[0];
    return {
      customers: await hash("customers"),
      orders: await hash("orders"),
      totals: await hash("customer_totals"),
      color: (await sql(database, "SELECT value FROM tenant_settings WHERE key = 'branding.primaryColor'", login))[0]
        ?.value,
      status: (await sql(database, "SELECT 'vip'::customer_status AS s", login))[0]?.s,
    };
  }

  // The program of the temporary project lives in the repository, whose own tenants/ it would find by itself.
  const byHandEnv = () => ({ ...env, TENANTCTL_DIR: project.tenantsDir });
  const initechFile = (plan: string) =>
    `# yaml-language-server: $schema=./tenant.schema.json\nslug: initech\nname: Initech\nplan: ${plan}\n`;

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "moves");
    ({ postgres, project, env } = world);
    const up = await tenantctl(["up", "control-plane", "initech"]);
    expect(up.code, up.stderr).toBe(0);
    // The tenant's own data, made with its own login: tables, a foreign key, a view, a type, a sequence in use, and
    // the seed-only setting changed by the tenant itself.
    const login = await tenantLogin("initech");
    await sql(
      "tenants",
      `CREATE TYPE customer_status AS ENUM ('new', 'vip');
       CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, status customer_status NOT NULL DEFAULT 'new', token text DEFAULT encode(gen_random_bytes(8), 'hex'));
       CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), amount numeric(10, 2) NOT NULL, at timestamptz NOT NULL DEFAULT now());
       CREATE INDEX orders_by_customer ON orders (customer_id);
       CREATE VIEW customer_totals AS SELECT c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name;
       CREATE SEQUENCE invoice_numbers START 1000;
       CREATE FUNCTION next_invoice() RETURNS bigint LANGUAGE sql AS 'SELECT nextval(''invoice_numbers'')';
       INSERT INTO customers (name, status) SELECT 'customer ' || i, CASE WHEN i % 7 = 0 THEN 'vip' ELSE 'new' END::customer_status FROM generate_series(1, 300) i;
       INSERT INTO orders (customer_id, amount) SELECT 1 + i % 300, (i % 1000) / 7.0 FROM generate_series(1, 2000) i;
       SELECT next_invoice() FROM generate_series(1, 5);
       UPDATE tenant_settings SET value = '"#000000"' WHERE key = 'branding.primaryColor';`,
      login,
    );
  }, 600_000);

  afterAll(async () => {
    await world?.close();
  });

  it("pulumi up by hand refuses a tenant whose data is elsewhere, in one line naming tenantctl up", async () => {
    project.writeFile("initech.yaml", initechFile("enterprise"));
    const byHand = spawnSync("pulumi", ["up", "--yes", "--skip-preview", "-s", "initech", "--non-interactive"], {
      cwd: project.dir,
      env: byHandEnv(),
      encoding: "utf8",
    });
    expect(byHand.status, byHand.stdout + byHand.stderr).not.toBe(0);
    expect(byHand.stdout + byHand.stderr).toContain(
      "tenant initech's data is in schema tenant_initech in tenants@primary and its file puts it in database tenant_initech@primary: run `tenantctl up initech`",
    );
    expect(await sql("postgres", "SELECT datname FROM pg_database WHERE datname = 'tenant_initech'")).toEqual([]);
  }, 300_000);

  it("a verification mismatch (data changed behind the copy) aborts the move: the tenant intact on its schema, login back", async () => {
    const login = await tenantLogin("initech");
    const before = await tenantView("tenants", login);
    project.writeFile("initech.yaml", initechFile("enterprise"));
    const up = await tenantctl(["up", "initech"], {
      TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL:
        "UPDATE tenant_initech.customers SET name = name || ' (changed)' WHERE id = 1",
    });
    expect(up.code).toBe(1);
    const message = up.report.tenants[0]?.message ?? "";
    expect(message).toContain("table customers: same 300 rows, different content");
    expect(message).toContain("the move was rolled back: the tenant stays on schema tenant_initech in tenants@primary");
    expect(await sql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'tenant_initech%'")).toEqual([]);
    // The change the hook made is the only difference: the tenant reads its data, with its own login.
    await sql("tenants", "UPDATE tenant_initech.customers SET name = 'customer 1' WHERE id = 1");
    expect(await tenantView("tenants", login)).toEqual(before);
    expect(
      await sql(
        "postgres",
        "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = 'tenant_initech'",
      ),
    ).toEqual([{ rolcanlogin: true, comment: null }]);
  }, 300_000);

  it("Ctrl-C during the move rolls it back and exits 130: the tenant on its schema, login back", async () => {
    const login = await tenantLogin("initech");
    const before = await tenantView("tenants", login);
    project.writeFile("initech.yaml", initechFile("enterprise"));
    const up = await tenantctlProcess(engine.repoRoot, ["up", "initech"], {
      cwd: project.dir,
      env: { ...env, TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL: "SELECT pg_sleep(3)" },
      interruptWhen: /running the test hook before verification/,
    });
    expect(up.code).toBe(130);
    expect(up.report.tenants[0]).toMatchObject({ slug: "initech", outcome: "cancelled" });
    expect(up.report.tenants[0]?.message).toContain("the move was rolled back");
    expect(await sql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'tenant_initech%'")).toEqual([]);
    expect(await tenantView("tenants", login)).toEqual(before);
  }, 300_000);

  it("a run killed during the copy is rolled back by the next up, which moves with no row lost", async () => {
    const login = await tenantLogin("initech");
    const before = await tenantView("tenants", login);
    project.writeFile("initech.yaml", initechFile("enterprise"));
    // Held after the copy, before the verification: killed there, as a cancelled CI job kills it.
    const child = spawn(
      process.execPath,
      [join(engine.repoRoot, "bin", "tenantctl.js"), "up", "initech", "--format", "json"],
      {
        cwd: project.dir,
        env: { ...env, TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL: "SELECT pg_sleep(120)" },
        detached: true,
      },
    );
    let stderr = "";
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("running the test hook before verification")) resolve();
      });
    });
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    // Killed: the login is off and a partial copy exists, both recorded in the journal on the role.
    const [role] = await sql<{ rolcanlogin: boolean; comment: string }>(
      "postgres",
      "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = 'tenant_initech'",
    );
    expect(role?.rolcanlogin).toBe(false);
    expect(role?.comment).toMatch(/^tenantctl-move:\{"phase":"copying"/);
    expect(await sql("postgres", "SELECT datname FROM pg_database WHERE datname = 'tenant_initech'")).toEqual([
      { datname: "tenant_initech" },
    ]);
    // The hook's sleep holds a session in the shared database; it goes with its server process.
    await sql(
      "postgres",
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%' AND pid <> pg_backend_pid()",
    );

    const byHand = spawnSync("pulumi", ["preview", "-s", "initech", "--non-interactive"], {
      cwd: project.dir,
      env: byHandEnv(),
      encoding: "utf8",
    });
    expect(byHand.stdout + byHand.stderr).toContain(
      "a move of tenant initech's data (schema tenant_initech in tenants@primary → database tenant_initech@primary) was interrupted: run `tenantctl up initech`",
    );

    const up = await tenantctl(["up", "initech"]);
    expect(up.code, up.stderr + JSON.stringify(up.report)).toBe(0);
    expect(up.stderr).toContain("is rolled back: its partial copy dropped, the login restored");
    const moved = movedOf(up, "initech");
    expect(moved?.to).toEqual({ server: "primary", database: "tenant_initech", schema: "public" });
    expect(await tenantView("tenant_initech", login)).toEqual(before);
    // The registry follows in the same run: apps find the data at its new place.
    expect(await registryRow()).toEqual([{ plan: "enterprise", database: "tenant_initech", schema: "public" }]);
  }, 600_000);

  it("schema → database: same rows, sequences continue, the setting its own, drift clean, the old schema kept out of reach", async () => {
    const login = await tenantLogin("initech");
    // The tenant has moved (previous test): its data in its own database; sequences continue there.
    expect(await sql("tenant_initech", "SELECT next_invoice()::int AS n", login)).toEqual([{ n: 1005 }]);
    const [inserted] = await sql<{ id: string }>(
      "tenant_initech",
      "INSERT INTO orders (customer_id, amount) VALUES (1, 1) RETURNING id",
      login,
    );
    expect(inserted?.id).toBe("2001");
    const [old] = await sql<{ nspname: string; owner: string }>(
      "tenants",
      "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname LIKE 'tenant_initech_moved_%'",
    );
    expect(old?.owner).toBe(postgres.user);
    await expect(sql("tenants", `SELECT count(*) FROM "${old!.nspname}".orders`, login)).rejects.toThrow(
      /permission denied|does not exist/,
    );
    expect(await sql("tenants", `SELECT count(*)::int AS n FROM "${old!.nspname}".orders`)).toEqual([{ n: 2000 }]);
    expect(
      await sql(
        "postgres",
        "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = 'tenant_initech'",
      ),
    ).toEqual([{ rolcanlogin: true, comment: null }]);
    const drift = await tenantctl(["drift", "initech"]);
    expect(drift.code, JSON.stringify(drift.report)).toBe(0);
  }, 300_000);

  it("database → schema: back to trial, the same rows in its schema, the old database kept out of reach", async () => {
    const login = await tenantLogin("initech");
    const before = await tenantView("tenant_initech", login);
    project.writeFile("initech.yaml", initechFile("trial"));
    const up = await tenantctl(["up", "initech"]);
    expect(up.code, up.stderr + JSON.stringify(up.report)).toBe(0);
    const moved = movedOf(up, "initech");
    expect(moved).toMatchObject({
      from: { database: "tenant_initech", schema: "public" },
      to: { database: "tenants", schema: "tenant_initech" },
    });
    expect(moved?.drop).toMatch(/^DROP DATABASE "tenant_initech_moved_\d{14}";/);
    expect(await registryRow()).toEqual([{ plan: "trial", database: "tenants", schema: "tenant_initech" }]);
    expect(await tenantView("tenants", login)).toEqual(before);
    expect(await sql("tenants", "SELECT next_invoice()::int AS n", login)).toEqual([{ n: 1006 }]);
    const [old] = await sql<{ datname: string }>(
      "postgres",
      "SELECT datname FROM pg_database WHERE datname LIKE 'tenant_initech_moved_%'",
    );
    await expect(sql(old!.datname, "SELECT 1", login)).rejects.toThrow(/permission denied/);
    const drift = await tenantctl(["drift", "initech"]);
    expect(drift.code, JSON.stringify(drift.report)).toBe(0);
  }, 300_000);
});
