/**
 * Tenants that come and go, on a real PostgreSQL with the real engine: a destroyed tenant (data retained) comes back
 * with its rows and a new password; a tenant made by plain SQL is adopted (`--dry-run` first); a mismatch is refused
 * and left as it is; the objects a killed run created without recording them are imported, not made twice; a
 * decommissioned tenant's archive restores into a scratch database with the same rows. Its own PostgreSQL and state.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientToolsFor } from "../../src/postgres/clientTools";
import { type Login, type OwnWorld, sqlOn, startOwnWorld, tenantLoginOf } from "../support/ownWorld";
import type { RunningPostgres } from "../support/postgres";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { type ProcessRun, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

interface ReportedResource {
  readonly name: string;
  readonly op: string;
}

describe("tenants that come and go", () => {
  let world: OwnWorld | undefined;
  let postgres: RunningPostgres;
  let project: TempProject;
  let state: string;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });
  const resourcesOf = (run: ProcessRun, slug: string) =>
    (
      (run.report.tenants.find((t) => t.slug === slug) as { resources?: ReportedResource[] } | undefined)?.resources ??
      []
    ).map((r) => `${r.op} ${r.name}`);
  const sql = <T extends Record<string, unknown> = Record<string, unknown>>(
    database: string,
    text: string,
    as?: Login,
  ) => sqlOn<T>(postgres, database, text, as);
  const tenantLogin = (slug: string) => tenantLoginOf(project, env, slug);

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "come-and-go");
    ({ postgres, project, state, env } = world);
  }, 300_000);

  afterAll(async () => {
    await world?.close();
  });

  it("adopts a shared database that existed before the control plane", async () => {
    await sql("postgres", "CREATE DATABASE tenants");
    await sql("tenants", "CREATE TABLE platform_notes (note text); INSERT INTO platform_notes VALUES ('kept')");
    const up = await tenantctl(["up", "control-plane"]);
    expect(up.code).toBe(1);
    expect(up.report.tenants[0]?.message).toContain(
      'the database "tenants" already exists on the database server, but stack control-plane does not manage it',
    );

    const dryRun = await tenantctl(["adopt", "control-plane", "--dry-run"]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(resourcesOf(dryRun, "control-plane")).toContain("import shared-primary");
    const adopted = await tenantctl(["adopt", "control-plane"]);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(await sql("tenants", "SELECT note FROM platform_notes")).toEqual([{ note: "kept" }]);

    const first = await tenantctl(["up", "acme", "globex"]);
    expect(first.code, first.stderr).toBe(0);
  });

  it("brings a destroyed tenant back: its role, database or schema imported, rows intact, a new password", async () => {
    await sql(
      "tenant_acme",
      "SET ROLE tenant_acme; CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2), (3)",
    );
    await sql(
      "tenants",
      "SET ROLE tenant_globex; CREATE TABLE tenant_globex.orders (id int); INSERT INTO tenant_globex.orders VALUES (7)",
    );
    const oldAcme = await tenantLogin("acme");

    const destroyed = await tenantctl(["destroy", "acme", "globex"]);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await sql("tenant_acme", "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 3 }]);

    const back = await tenantctl(["up", "acme", "globex"]);
    // Nothing the destroyed stacks retained is created a second time (a retained object comes back as an import).
    // An extension of the shared database is the exception by design: every tenant stack there declares it, and its
    // create is CREATE EXTENSION IF NOT EXISTS (TenantDatabase.ts).
    const createdAgain = (slug: string, names: string) =>
      resourcesOf(back, slug).filter((line) => new RegExp(`^create ${slug}-(${names})`).test(line));
    expect(createdAgain("acme", "role|database|extension-")).toEqual([]);
    expect(createdAgain("globex", "role|schema")).toEqual([]);
    expect(back.code, back.stderr).toBe(0);
    expect(resourcesOf(back, "acme")).toEqual(
      expect.arrayContaining(["import acme-role", "import acme-database", "import acme-extension-pg_trgm"]),
    );
    expect(resourcesOf(back, "globex")).toEqual(expect.arrayContaining(["import globex-role", "import globex-schema"]));

    const newAcme = await tenantLogin("acme");
    expect(newAcme.password).not.toBe(oldAcme.password);
    expect(await sql("tenant_acme", "SELECT count(*)::int AS n FROM orders", newAcme)).toEqual([{ n: 3 }]);
    await expect(sql("tenant_acme", "SELECT 1", oldAcme)).rejects.toThrow(/password authentication failed/);
    const globex = await tenantLogin("globex");
    expect(await sql("tenants", "SELECT count(*)::int AS n FROM tenant_globex.orders", globex)).toEqual([{ n: 1 }]);

    const drift = await tenantctl(["drift", "acme", "globex"]);
    expect(drift.code, drift.stderr).toBe(0);
  });

  it("adopts a tenant made by plain SQL, after a dry run that changes nothing; up alone refuses to take it", async () => {
    project.writeFile("hooli.yaml", "slug: hooli\nname: Hooli\nplan: basic\n");
    await sql("postgres", "CREATE ROLE tenant_hooli LOGIN PASSWORD 'from-before'");
    await sql(
      "tenants",
      "CREATE SCHEMA tenant_hooli AUTHORIZATION tenant_hooli; SET ROLE tenant_hooli; CREATE TABLE tenant_hooli.users (id int); INSERT INTO tenant_hooli.users VALUES (1), (2)",
    );

    const up = await tenantctl(["up", "hooli"]);
    expect(up.code).toBe(1);
    expect(up.report.tenants[0]?.message).toContain(
      'the role "tenant_hooli" already exists on the database server, but stack hooli does not manage it',
    );
    expect(up.report.tenants[0]?.message).toContain("tenantctl adopt hooli --dry-run");

    const dryRun = await tenantctl(["adopt", "hooli", "--dry-run"]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(resourcesOf(dryRun, "hooli")).toEqual(expect.arrayContaining(["import hooli-role", "import hooli-schema"]));
    // A preview: the old password still works, nothing was written.
    expect(
      await sql("postgres", "SELECT current_user AS user", { user: "tenant_hooli", password: "from-before" }),
    ).toEqual([{ user: "tenant_hooli" }]);

    const adopted = await tenantctl(["adopt", "hooli"]);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(resourcesOf(adopted, "hooli")).toEqual(expect.arrayContaining(["import hooli-role", "import hooli-schema"]));
    expect(
      await sql("tenants", "SELECT count(*)::int AS n FROM tenant_hooli.users", await tenantLogin("hooli")),
    ).toEqual([{ n: 2 }]);
    const drift = await tenantctl(["drift", "hooli"]);
    expect(drift.code, drift.stderr).toBe(0);
  });

  it("refuses what differs from the files, names the fix, and leaves it as it was", async () => {
    project.writeFile("umbrella.yaml", "slug: umbrella\nname: Umbrella\nplan: enterprise\n");
    await sql("postgres", "CREATE ROLE tenant_umbrella LOGIN; CREATE ROLE someone_else");
    await sql("postgres", "CREATE DATABASE tenant_umbrella OWNER someone_else");

    const refused = await tenantctl(["adopt", "umbrella"]);
    expect(refused.code).toBe(1);
    const message = refused.report.tenants[0]?.message ?? "";
    expect(message).toContain("nothing was deployed");
    expect(message).toContain(
      'database "tenant_umbrella" is owned by "someone_else", not by the tenant\'s role "tenant_umbrella"',
    );
    expect(message).toContain('ALTER DATABASE "tenant_umbrella" OWNER TO "tenant_umbrella"');
    expect(
      await sql(
        "postgres",
        "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'tenant_umbrella'",
      ),
    ).toEqual([{ owner: "someone_else" }]);
    project.writeFile("umbrella.yaml", undefined);
  });

  it("imports what a killed run created without recording it, after clearing that run's stale lock", async () => {
    const fresh = await tenantctl(["up", "initech"]);
    expect(fresh.code, fresh.stderr).toBe(0);
    // The state a run killed with SIGKILL leaves when it had created the role and schema but not recorded them: both
    // pending creates, nothing that depends on them, and its lock, held by a process that is gone.
    // Written to the backend's file as the engine leaves it: `pulumi stack import` would clear pending operations.
    const checkpointFile = join(state, ".pulumi", "stacks", "tenantctl", "initech.json");
    const checkpoint = JSON.parse(readFileSync(checkpointFile, "utf8")) as {
      checkpoint: { latest: { resources: { urn: string }[]; pending_operations?: unknown[] } };
    };
    const { latest } = checkpoint.checkpoint;
    const keep = (urn: string) =>
      /::(tenantctl:index:TenantDatabase|pulumi:pulumi:Stack|pulumi:providers:postgresql|pulumi-nodejs:dynamic:GeneratedPassword)::/.test(
        urn,
      );
    const pending = latest.resources.filter((r) => /::initech-(role|schema)$/.test(r.urn));
    latest.resources = latest.resources.filter((r) => keep(r.urn));
    latest.pending_operations = pending.map((resource) => ({ resource, type: "creating" }));
    const text = JSON.stringify(checkpoint);
    writeFileSync(checkpointFile, text);
    // The blob store's attributes keep the file's MD5: kept true, as the engine's own write would.
    const attrs = JSON.parse(readFileSync(`${checkpointFile}.attrs`, "utf8")) as Record<string, unknown>;
    writeFileSync(
      `${checkpointFile}.attrs`,
      JSON.stringify({ ...attrs, md5: createHash("md5").update(text).digest("base64") }),
    );
    const locks = join(state, ".pulumi", "locks", "organization", "tenantctl", "initech");
    mkdirSync(locks, { recursive: true });
    writeFileSync(
      join(locks, "killed-run.json"),
      JSON.stringify({
        pid: deadPid(),
        username: userInfo().username,
        hostname: hostname(),
        timestamp: new Date().toISOString(),
      }),
    );

    const next = await tenantctl(["up", "initech"]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("initech: cleared a stale lock");
    expect(next.stderr).toContain("initech: the killed run was creating initech-role, initech-schema");
    expect(resourcesOf(next, "initech")).toEqual(
      expect.arrayContaining(["import initech-role", "import initech-schema"]),
    );
    expect(existsSync(join(locks, "killed-run.json"))).toBe(false);
    const drift = await tenantctl(["drift", "initech"]);
    expect(drift.code, drift.stderr).toBe(0);
  });

  it("archives a decommissioned tenant into a verified dump that restores with the same rows; refuses an active one", async () => {
    const archives = mkdtempSync(join(tmpdir(), "tenantctl-e2e-archives-"));
    try {
      const active = await tenantctl(["archive", "globex", "--to", archives]);
      expect(active.code).toBe(1);
      expect(active.stderr).toContain("tenant globex is active, and archive is for decommissioned tenants");
      expect(readdirSync(archives)).toEqual([]);

      project.writeFile(
        "acme.yaml",
        project.readFile("acme.yaml").replace(/^status: active$/m, "status: decommissioned"),
      );
      const decommissioned = await tenantctl(["up", "acme"]);
      expect(decommissioned.code, decommissioned.stderr).toBe(0);

      // The admin credentials only in the stack's config (the password a secret), as a team without them in CI's
      // environment keeps them: archive finds them there.
      const automation = await import("@pulumi/pulumi/automation");
      const stack = await automation.LocalWorkspace.selectStack(
        { stackName: "acme", workDir: project.dir },
        { envVars: env as Record<string, string> },
      );
      await stack.setAllConfig(
        {
          "tenantctl:databaseServers.primary.host": { value: postgres.host },
          "tenantctl:databaseServers.primary.port": { value: String(postgres.port) },
          "tenantctl:databaseServers.primary.username": { value: postgres.user },
          "tenantctl:databaseServers.primary.password": { value: postgres.password, secret: true },
          "tenantctl:databaseServers.primary.sslmode": { value: "disable" },
        },
        true,
      );
      const withoutServersEnv = { ...env, TENANTCTL_DATABASE_SERVERS: "" };
      const archived = await tenantctlProcess(engine.repoRoot, ["archive", "acme", "--to", archives], {
        cwd: project.dir,
        env: withoutServersEnv,
      });
      expect(archived.code, archived.stderr).toBe(0);
      const dump = readdirSync(archives).find((name) => name.endsWith(".dump"))!;
      expect(readdirSync(archives).sort()).toEqual([dump, `${dump}.json`, `${dump}.sha256`]);
      const sha256 = createHash("sha256")
        .update(readFileSync(join(archives, dump)))
        .digest("hex");
      expect(readFileSync(join(archives, `${dump}.sha256`), "utf8")).toBe(`${sha256}  ${dump}\n`);
      const manifest = JSON.parse(readFileSync(join(archives, `${dump}.json`), "utf8")) as {
        sha256: string;
        bytes: number;
        tables: string[];
      };
      expect(manifest).toMatchObject({ sha256, bytes: readFileSync(join(archives, dump)).length });
      expect(manifest.tables).toEqual(expect.arrayContaining(["public.orders", "public.tenant_settings"]));

      // Restored into a scratch database by hand, as a DBA would: the same rows.
      await sql("postgres", "CREATE DATABASE scratch_acme");
      const [version] = await sql<{ server_version_num: string }>("postgres", "SHOW server_version_num");
      const tools = clientToolsFor(Math.floor(Number(version!.server_version_num) / 10000));
      execFileSync(tools.pgRestore, ["--no-owner", "--dbname", "scratch_acme", join(archives, dump)], {
        env: {
          ...process.env,
          PGHOST: postgres.host,
          PGPORT: String(postgres.port),
          PGUSER: postgres.user,
          PGPASSWORD: postgres.password,
        },
      });
      // Restored, table by table: the same tables as the manifest lists and the tenant's database holds, each with the
      // same rows (count and an order-independent hash of every row).
      const tablesOf = async (database: string) =>
        (
          await sql<{ name: string }>(
            database,
            "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
          )
        ).map((row) => row.name);
      expect(await tablesOf("scratch_acme")).toEqual([...manifest.tables].sort());
      expect(await tablesOf("tenant_acme")).toEqual([...manifest.tables].sort());
      const rowsOf = async (database: string, table: string) =>
        (
          await sql<{ n: number; hash: string | null }>(
            database,
            `SELECT count(*)::int AS n, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS hash FROM ${table} t`,
          )
        )[0];
      for (const table of manifest.tables) {
        const original = await rowsOf("tenant_acme", table);
        expect(original?.n, `${table} holds rows to compare`).toBeGreaterThan(0);
        expect(await rowsOf("scratch_acme", table), table).toEqual(original);
      }
      expect(await sql("tenant_acme", "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 3 }]);
    } finally {
      rmSync(archives, { recursive: true, force: true });
    }
  });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).toString());
}
