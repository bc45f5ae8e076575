/**
 * `drift --all` scans before it asks the engine (src/orchestrate/scan/), on a real PostgreSQL with the real engine: a
 * clean fleet is reported unchanged without a preview; hand changes send exactly the changed tenants to the engine,
 * whose report gives the properties, as `drift --engine` does for every stack; and what no tenant file owns (a
 * database made by hand under a tenant's name, the role and schema of a tenant whose file was removed without
 * `destroy`) is listed with its remedy, exit 3. Its own PostgreSQL and state.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnWorld, sqlOn, startOwnWorld } from "../support/ownWorld";
import { pulumiEngine } from "../support/pulumi";
import { outcomesOf, type ProcessRun, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

interface DriftReport {
  readonly tenants: {
    slug: string;
    outcome: string;
    scan?: string[];
    resources: { name: string; properties?: { path: string; expected: unknown; actual: unknown }[] }[];
  }[];
  readonly scan?: { scanned: number; clean: number; toEngine: number };
  readonly unmanaged?: { kind: string; name: string; server: string; remedy: string }[];
}

describe("drift --all: the scan first", () => {
  let world: OwnWorld | undefined;
  const tenantctl = (args: string[]) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: world!.project.dir, env: world!.env });
  const sql = <T extends Record<string, unknown>>(database: string, text: string) =>
    sqlOn<T>(world!.postgres, database, text);
  const report = (run: ProcessRun) => run.report as unknown as DriftReport;

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "drift-scan");
    // The template's migrations: each tenant stack then holds its migrations resource, which the scan reads too.
    cpSync(join(engine.repoRoot, "migrations"), join(world.project.dir, "migrations"), { recursive: true });
    const up = await tenantctl(["up", "--all"]);
    expect(up.code, up.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await world?.close();
  });

  it("reports a clean fleet unchanged from the scan alone: only the control plane goes to the engine", async () => {
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(report(drift).scan).toMatchObject({ scanned: 3, clean: 3, toEngine: 0 });
    expect(outcomesOf(drift)).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });
    expect(drift.stderr).toContain("scan: 3 tenant stacks");
    expect(drift.stderr).not.toMatch(/acme: drift…/);
    expect(report(drift).unmanaged).toEqual([]);
  });

  it("sends the tenants changed by hand to the engine, which gives the properties, as --engine does", async () => {
    await sql("postgres", "ALTER ROLE tenant_acme CONNECTION LIMIT 7");
    await sql("tenants", "UPDATE tenant_initech.tenant_settings SET value = '\"de-DE\"' WHERE key = 'locale'");
    // The registry's row of a tenant, edited by hand (its migration_version, which only migrations write, too).
    await sql(
      "tenantctl",
      "UPDATE tenantctl.tenants SET plan = 'enterprise', migration_version = 42 WHERE slug = 'globex'",
    );
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(3);
    expect(outcomesOf(drift)).toEqual({
      "control-plane": "unchanged",
      acme: "drift",
      globex: "drift",
      initech: "drift",
    });
    expect(report(drift).scan).toMatchObject({ scanned: 3, clean: 0, toEngine: 3 });
    const tenant = (slug: string) => report(drift).tenants.find((t) => t.slug === slug)!;
    expect(tenant("acme").scan).toEqual(["acme-role: connectionLimit is 7, expected 100"]);
    expect(tenant("acme").resources.flatMap((r) => r.properties ?? [])).toEqual([
      { path: "connectionLimit", expected: 100, actual: 7 },
    ]);
    expect(tenant("initech").resources.flatMap((r) => r.properties ?? [])).toEqual([
      { path: "settings.locale", expected: "en-US", actual: "de-DE" },
    ]);
    expect(tenant("globex").scan).toEqual(['globex-rows: row.plan is "enterprise", the files say "basic"']);
    expect(tenant("globex").resources.flatMap((r) => r.properties ?? [])).toEqual([
      { path: "row.plan", expected: "basic", actual: "enterprise" },
    ]);

    const byEngine = await tenantctl(["drift", "--all", "--engine"]);
    expect(byEngine.code, byEngine.stderr).toBe(3);
    expect(outcomesOf(byEngine)).toEqual(outcomesOf(drift));
    expect(report(byEngine).scan).toBeUndefined();

    const restored = await tenantctl(["up", "acme", "globex", "initech"]);
    expect(restored.code, restored.stderr).toBe(0);
  });

  it("sends a tenant whose applied migration was edited by hand to the engine", async () => {
    const table = "tenant_initech.tenantctl_migrations";
    const [applied] = await sql<{ sha256: string }>("tenants", `SELECT sha256 FROM ${table} WHERE version = 1`);
    expect(applied?.sha256).toMatch(/^[0-9a-f]{64}$/);
    await sql("tenants", `UPDATE ${table} SET sha256 = repeat('0', 64) WHERE version = 1`);
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(3);
    expect(outcomesOf(drift)).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "drift",
    });
    const initech = report(drift).tenants.find((t) => t.slug === "initech")!;
    expect(initech.scan).toEqual(["initech-migrations: migrations edited: 0001_users.sql"]);
    expect(initech.resources.map((r) => r.name)).toEqual(["initech-migrations"]);
    await sql("tenants", `UPDATE ${table} SET sha256 = '${applied!.sha256}' WHERE version = 1`);
  });

  it("lists what no tenant file owns, with the command that adopts it or the statement that drops it", async () => {
    // A role and database made by hand under the name of a tenant whose file exists but was never deployed (as an
    // existing fleet would have them), and a database under a name no tenant file has.
    world!.project.writeFile(
      "hooli.yaml",
      "slug: hooli\nname: Hooli\nplan: enterprise\ndatabase:\n  isolation: database\n",
    );
    await sql("postgres", "CREATE ROLE tenant_hooli LOGIN");
    await sql("postgres", "CREATE DATABASE tenant_hooli OWNER tenant_hooli");
    await sql("postgres", "CREATE DATABASE tenant_ghost");
    // A tenant removed without `destroy`: its file goes, its role and schema stay.
    world!.project.writeFile("globex.yaml", undefined);

    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(3);
    expect(outcomesOf(drift)).toMatchObject({ acme: "unchanged", initech: "unchanged", globex: "skipped" });
    expect(report(drift).unmanaged).toEqual([
      {
        kind: "role",
        name: "tenant_globex",
        server: "primary",
        remedy: expect.stringContaining('DROP ROLE "tenant_globex";'),
      },
      { kind: "role", name: "tenant_hooli", server: "primary", remedy: "tenantctl adopt hooli" },
      {
        kind: "database",
        name: "tenant_ghost",
        server: "primary",
        remedy: expect.stringMatching(/^DROP DATABASE "tenant_ghost";/),
      },
      { kind: "database", name: "tenant_hooli", server: "primary", remedy: "tenantctl adopt hooli" },
      {
        kind: "schema",
        name: "tenants.tenant_globex",
        server: "primary",
        remedy: expect.stringMatching(/^DROP SCHEMA "tenant_globex" CASCADE;/),
      },
    ]);

    // Adopted, the database is the tenant's: no longer listed.
    const adopted = await tenantctl(["adopt", "hooli"]);
    expect(adopted.code, adopted.stderr).toBe(0);
    const after = await tenantctl(["drift", "--all"]);
    expect(report(after).unmanaged?.map((o) => o.name)).toEqual([
      "tenant_globex",
      "tenant_ghost",
      "tenants.tenant_globex",
    ]);
    expect(outcomesOf(after)).toMatchObject({ hooli: "unchanged" });
  });
});
