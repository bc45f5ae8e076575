/**
 * Migrations on a real PostgreSQL with the real engine: the example fleet (acme in a database of its own, globex and
 * initech in schemas of the shared database) comes up at the latest migration, as each tenant's role; `migrate --all`
 * rolls a new migration out in waves, a failure in the canary wave halts the later ones and the rerun continues;
 * a run killed with SIGKILL mid-fleet leaves nothing applied twice; an applied file edited since is drift. Its own
 * PostgreSQL and state.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnWorld, sqlOn, startOwnWorld, tenantLoginOf } from "../support/ownWorld";
import type { RunningPostgres } from "../support/postgres";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { outcomesOf, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

interface MigrateJson {
  tenants: {
    slug: string;
    outcome: string;
    from?: number;
    to?: number;
    applied: string[];
    wave?: number;
    message?: string;
  }[];
  waves: { index: number; name: string; tenants: string[]; status: string; failed: number }[];
  halted?: { wave: number; failures: number };
}

describe("migrations", () => {
  let world: OwnWorld | undefined;
  let postgres: RunningPostgres;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (
    args: string[],
    extra: Parameters<typeof tenantctlProcess>[2] extends infer O ? Partial<O> : never = {},
  ) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env, ...extra });
  const migration = (name: string, sql?: string) => {
    const file = join(project.dir, "migrations", name);
    if (sql === undefined) return readFileSync(file, "utf8");
    writeFileSync(file, sql);
    return sql;
  };
  /** Where each tenant's data is, as the superuser reaches it. */
  const places: Record<string, { database: string; schema: string }> = {
    acme: { database: "tenant_acme", schema: "public" },
    globex: { database: "tenants", schema: "tenant_globex" },
    initech: { database: "tenants", schema: "tenant_initech" },
  };
  const applied = async (slug: string) =>
    (
      await sqlOn<{ version: number; name: string }>(
        postgres,
        places[slug]!.database,
        `SELECT version, name FROM ${places[slug]!.schema}.tenantctl_migrations ORDER BY version`,
      )
    ).map((row) => `${row.version} ${row.name}`);

  /** Each tenant's version as the registry shows it: what `migrate` and the stacks' migrations write there. */
  const registryVersions = async () =>
    Object.fromEntries(
      (
        await sqlOn<{ slug: string; migration_version: number | null }>(
          postgres,
          "tenantctl",
          "SELECT slug, migration_version FROM tenantctl.tenants ORDER BY slug",
        )
      ).map((row) => [row.slug, Number(row.migration_version)]),
    );

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "migrations");
    ({ postgres, project, env } = world);
    cpSync(join(engine.repoRoot, "migrations"), join(project.dir, "migrations"), { recursive: true });
    // initech.yaml declares `rollout: { group: canary }`: the first wave of `--waves canary,…`.
    expect(project.readFile("initech.yaml")).toContain("group: canary");
  }, 300_000);

  afterAll(async () => {
    await world?.close();
  });

  it("brings each new tenant up at the latest migration, owned by its role and out of another tenant's reach", async () => {
    const up = await tenantctl(["up", "--all"]);
    expect(up.code, up.stderr).toBe(0);
    for (const slug of ["acme", "globex", "initech"]) expect(await applied(slug)).toEqual(["1 users"]);
    expect(await registryVersions()).toEqual({ acme: 1, globex: 1, initech: 1 });
    const owners = await sqlOn<{ owner: string }>(
      postgres,
      "tenants",
      "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'tenant_globex' AND tablename IN ('users', 'tenantctl_migrations') ORDER BY tablename",
    );
    expect(owners.map((row) => row.owner)).toEqual(["tenant_globex", "tenant_globex"]);
    const acmeOwner = await sqlOn<{ owner: string }>(
      postgres,
      "tenant_acme",
      "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'users'",
    );
    expect(acmeOwner).toEqual([{ owner: "tenant_acme" }]);
    const initech = await tenantLoginOf(project, env, "initech");
    await expect(sqlOn(postgres, "tenants", "SELECT count(*) FROM tenant_globex.users", initech)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sqlOn(postgres, "tenants", "SELECT count(*) FROM tenant_initech.users", initech)).resolves.toEqual([
      { count: "0" },
    ]);
  });

  it("halts the later waves when the canary wave fails, names the file and line, and the rerun continues", async () => {
    migration(
      "0002_orders.sql",
      "-- orders of a user\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n",
    );
    // Something in initech's way: the canary wave fails there.
    await sqlOn(postgres, "tenants", "CREATE TABLE tenant_initech.orders (note text)");
    const halted = await tenantctl(["migrate", "--all", "--waves", "canary,100%"]);
    expect(halted.code, halted.stderr).toBe(1);
    const report = halted.report as unknown as MigrateJson;
    expect(outcomesOf(halted)).toEqual({ initech: "failed", acme: "skipped", globex: "skipped" });
    expect(report.tenants.find((t) => t.slug === "initech")?.message).toMatch(
      /^0002_orders\.sql:2: relation "orders" already exists .*rolled back/,
    );
    expect(report.waves.map((w) => `${w.name} ${w.status} ${[...w.tenants].sort().join(",")}`)).toEqual([
      "canary halted initech",
      "100% not started acme,globex",
    ]);
    expect(halted.stderr).toContain("wave 1 (canary) ended with 1 failed of 1 (--max-failures 0)");
    for (const slug of ["acme", "globex", "initech"]) expect(await applied(slug)).toEqual(["1 users"]);
    expect(await registryVersions()).toEqual({ acme: 1, globex: 1, initech: 1 });

    await sqlOn(postgres, "tenants", "DROP TABLE tenant_initech.orders");
    const rerun = await tenantctl(["migrate", "--all", "--waves", "canary,100%"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(outcomesOf(rerun)).toEqual({ initech: "changed", acme: "changed", globex: "changed" });
    for (const slug of ["acme", "globex", "initech"]) expect(await applied(slug)).toEqual(["1 users", "2 orders"]);
    expect(await registryVersions()).toEqual({ acme: 2, globex: 2, initech: 2 });
    const again = await tenantctl(["migrate", "--all"]);
    expect(outcomesOf(again)).toEqual({ acme: "unchanged", globex: "unchanged", initech: "unchanged" });
  });

  it("applies nothing twice after a run killed with SIGKILL mid-fleet", async () => {
    migration("0003_audit.sql", "CREATE TABLE audit (at timestamptz DEFAULT now());\nSELECT pg_sleep(2);\n");
    const killed = await tenantctl(["migrate", "--all", "--parallel", "1"], {
      onProgress: (stderr, child) => {
        if (/: changed/.test(stderr) && child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
      },
    });
    expect(killed.code, killed.stderr).toBeNull();
    const rerun = await tenantctl(["migrate", "--all"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/cleared a stale lock .*that process is gone/);
    const outcomes = Object.values(outcomesOf(rerun));
    // The tenant the killed run finished is unchanged now; the others get 0003 once.
    expect(outcomes.filter((o) => o === "unchanged").length).toBeGreaterThanOrEqual(1);
    for (const slug of ["acme", "globex", "initech"])
      expect(await applied(slug)).toEqual(["1 users", "2 orders", "3 audit"]);
  });

  it("reports an applied file edited since as drift, and migrate refuses the tenant", async () => {
    const original = migration("0001_users.sql");
    migration("0001_users.sql", `${original}-- edited after it was applied\n`);
    try {
      const drift = await tenantctl(["drift", "globex"]);
      expect(drift.code, drift.stderr).toBe(3);
      const resources = (drift.report.tenants[0] as unknown as { resources: { name: string; op: string }[] }).resources;
      expect(resources.map((r) => `${r.op} ${r.name}`)).toContain("update globex-migrations");
      const refused = await tenantctl(["migrate", "globex"]);
      expect(refused.code).toBe(1);
      expect(refused.report.tenants[0]?.message).toMatch(/0001_users\.sql changed after globex applied it/);
    } finally {
      migration("0001_users.sql", original);
    }
    const clean = await tenantctl(["drift", "globex"]);
    expect(clean.code, clean.stderr).toBe(0);
  });
});
