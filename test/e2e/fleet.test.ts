/**
 * The real thing: tenantctl's own orchestration (the CLI, in process) drives the real Pulumi engine against the
 * global setup's PostgreSQL, and every claim is checked in PostgreSQL with `pg`.
 *
 * One fleet copy in a temp project dir (Pulumi.yaml → the repository's compiled program), DNS, TLS and auth
 * off, the admin credentials through TENANTCTL_DATABASE_SERVERS. The scenarios build on each other (an `up`
 * is slow), so they run in order and share stacks.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, type DatabaseError } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testPostgres } from "../support/postgres";
import {
  databaseServersEnv,
  fieldsNamed,
  isSecretEnvelope,
  pathsContaining,
  pulumiEngine,
  selectStack,
  type TempProject,
  tempProject,
} from "../support/pulumi";
import { type CliResult, runCli } from "../support/runCli";

const engine = pulumiEngine();

/** The example fleet's roles (and schemas). The integration tests share the cluster with their own tenants. */
const E2E_ROLES = ["tenant_acme", "tenant_globex", "tenant_initech"];

/** The resource a path like `deployment.resources[3].outputs.value` belongs to. */
function pathOwner(exported: unknown, path: string): unknown {
  const index = /resources\[(\d+)\]/.exec(path)?.[1];
  const resources = (exported as { deployment?: { resources?: unknown[] } }).deployment?.resources ?? [];
  return index === undefined ? undefined : { type: (resources[Number(index)] as { type?: string } | undefined)?.type };
}

function filesUnder(dir: string): string[] {
  if (!dir) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

interface ReportJson {
  readonly operation: string;
  readonly tenants: ReadonlyArray<{
    slug: string;
    outcome: string;
    message?: string;
    changes: Record<string, number>;
    resources: ReadonlyArray<{
      type: string;
      name: string;
      op: string;
      diffs: string[];
      properties?: { path: string; expected: unknown; actual: unknown }[];
    }>;
    outputs?: Record<string, unknown>;
    notApplied?: Record<string, unknown>[];
  }>;
}

describe.sequential("tenantctl with the real Pulumi engine and PostgreSQL", () => {
  let project: TempProject;
  let admin: Client;
  const savedEnv: Record<string, string | undefined> = {};
  const clients: Client[] = [];

  async function cli(...args: string[]): Promise<CliResult & { report: ReportJson }> {
    const result = await runCli([...args, "--parallel", "2", "--format", "json"], project.dir);
    // Whatever happens, tenantctl never prints the admin password (it travels in TENANTCTL_DATABASE_SERVERS).
    expect(result.stdout + result.stderr).not.toContain(testPostgres().password);
    let report: ReportJson;
    try {
      report = JSON.parse(result.stdout) as ReportJson;
    } catch {
      throw new Error(
        `tenantctl ${args.join(" ")} printed no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
      );
    }
    return { ...result, report };
  }

  const outcomes = (report: ReportJson) => Object.fromEntries(report.tenants.map((t) => [t.slug, t.outcome]));

  /** A superuser client on `database`, closed after the suite. */
  async function adminOn(database: string): Promise<Client> {
    const client = await connect(database);
    clients.push(client);
    return client;
  }

  /** Connects with a stack's own `connectionString` output (a secret, read through the Automation API). */
  async function connectionStringOf(slug: string): Promise<string> {
    const outputs = await (await selectStack(project.dir, slug)).outputs();
    expect(outputs["connectionString"]?.secret).toBe(true);
    return outputs["connectionString"]!.value as string;
  }

  async function connectAs(connectionString: string, database?: string): Promise<Client> {
    const url = new URL(connectionString);
    if (database) url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    clients.push(client);
    return client;
  }

  async function refusal(work: () => Promise<unknown>): Promise<DatabaseError> {
    try {
      await work();
    } catch (error) {
      return error as DatabaseError;
    }
    throw new Error("expected PostgreSQL to refuse, but it did not");
  }

  async function settingsIn(client: Client, table: string): Promise<Record<string, unknown>> {
    const result = await client.query<{ key: string; value: unknown }>(`SELECT key, value FROM ${table} ORDER BY key`);
    return Object.fromEntries(result.rows.map((row) => [row.key, row.value]));
  }

  beforeAll(async () => {
    // With the repository's migrations: `pulumi preview` by hand below runs the repository's compiled program, which
    // reads the repository's migrations.
    project = tempProject(engine.repoRoot, undefined, { withMigrations: true });
    const env = { TENANTCTL_DISABLE: "dns,tls,auth", TENANTCTL_DATABASE_SERVERS: databaseServersEnv(testPostgres()) };
    for (const [key, value] of Object.entries(env)) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    admin = await adminOn("postgres");
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    project?.remove();
  });

  it("up --all deploys the control plane first, then acme (own database), globex and initech (schemas in the shared database)", async () => {
    const { code, report, stderr } = await cli("up", "--all");
    expect(code, stderr).toBe(0);
    expect(report.tenants.map((t) => t.slug)).toEqual(["control-plane", "acme", "globex", "initech"]);
    expect(outcomes(report)).toEqual({
      "control-plane": "changed",
      acme: "changed",
      globex: "changed",
      initech: "changed",
    });
    // The control plane ran alone, before any tenant started.
    const controlPlaneDone = stderr.indexOf("control-plane: changed");
    expect(controlPlaneDone, stderr).toBeGreaterThanOrEqual(0);
    expect(controlPlaneDone).toBeLessThan(stderr.indexOf("acme: up"));
    expect(report.tenants.find((t) => t.slug === "acme")?.outputs).toMatchObject({
      plan: "enterprise",
      status: "active",
      connectionString: "[secret]",
    });

    // The shared database: PUBLIC may not connect.
    const databases = await admin.query(
      `SELECT datname, pg_get_userbyid(datdba) AS owner,
              has_database_privilege('public', datname, 'CONNECT') AS public_connect,
              has_database_privilege('public', datname, 'TEMP') AS public_temp
         FROM pg_database WHERE datname IN ('tenants', 'tenant_acme') ORDER BY datname`,
    );
    expect(databases.rows).toEqual([
      { datname: "tenant_acme", owner: "tenant_acme", public_connect: false, public_temp: false },
      { datname: "tenants", owner: testPostgres().user, public_connect: false, public_temp: false },
    ]);
    // No ACL entry for PUBLIC (grantee 0) is left on tenant_acme.
    const publicAcl = await admin.query(
      `SELECT count(*)::int AS n FROM pg_database, aclexplode(datacl) AS acl WHERE datname = 'tenant_acme' AND acl.grantee = 0`,
    );
    expect(publicAcl.rows[0]).toEqual({ n: 0 });

    // Login roles with the plans' connection limits.
    const roles = await admin.query(
      `SELECT rolname, rolcanlogin, rolconnlimit, rolsuper FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [E2E_ROLES],
    );
    expect(roles.rows).toEqual([
      { rolname: "tenant_acme", rolcanlogin: true, rolconnlimit: 100, rolsuper: false },
      { rolname: "tenant_globex", rolcanlogin: true, rolconnlimit: 10, rolsuper: false },
      { rolname: "tenant_initech", rolcanlogin: true, rolconnlimit: 5, rolsuper: false },
    ]);

    // acme: its own database, its extensions, its settings table owned by its role.
    const acme = await adminOn("tenant_acme");
    expect(
      (await acme.query(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname`)).rows,
    ).toEqual([{ extname: "pg_trgm" }, { extname: "pgcrypto" }]);
    expect(
      (
        await acme.query(
          `SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'tenant_settings'`,
        )
      ).rows,
    ).toEqual([{ tableowner: "tenant_acme" }]);
    expect(await settingsIn(acme, "public.tenant_settings")).toEqual({
      "branding.primaryColor": "#d73a49",
      "features.auditLog": true,
      "features.sso": true,
      locale: "en-GB",
      "security.mfa": "required",
      "security.sessionTimeoutMinutes": 30,
    });
    expect((await acme.query(`SELECT key FROM public.tenant_settings WHERE seed_only ORDER BY key`)).rows).toEqual([
      { key: "branding.primaryColor" },
    ]);

    // globex: a schema in the shared database, owned by its role; PUBLIC has no rights on it.
    const tenants = await adminOn("tenants");
    const schemas = await tenants.query(
      `SELECT nspname, pg_get_userbyid(nspowner) AS owner,
              has_schema_privilege('public', nspname, 'USAGE') AS public_usage,
              has_schema_privilege('public', nspname, 'CREATE') AS public_create
         FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname`,
      [E2E_ROLES],
    );
    expect(schemas.rows).toEqual([
      { nspname: "tenant_globex", owner: "tenant_globex", public_usage: false, public_create: false },
      { nspname: "tenant_initech", owner: "tenant_initech", public_usage: false, public_create: false },
    ]);
    expect((await tenants.query(`SELECT extname FROM pg_extension WHERE extname = 'pgcrypto'`)).rows).toHaveLength(1);
    expect(
      (
        await tenants.query(
          `SELECT tableowner FROM pg_tables WHERE schemaname = 'tenant_globex' AND tablename = 'tenant_settings'`,
        )
      ).rows,
    ).toEqual([{ tableowner: "tenant_globex" }]);
    expect(await settingsIn(tenants, "tenant_globex.tenant_settings")).toEqual({
      "branding.primaryColor": "#1f6feb",
      "features.auditLog": true,
      "features.sso": false,
      locale: "en-US",
      "security.mfa": "required",
      "security.sessionTimeoutMinutes": 60,
    });
  });

  it("keeps tenants apart: real logins with each tenant's own connectionString are refused everywhere else", async () => {
    const globexUrl = await connectionStringOf("globex");
    const acmeUrl = await connectionStringOf("acme");
    const initechUrl = await connectionStringOf("initech");

    // Each tenant reaches its own data.
    const globex = await connectAs(globexUrl);
    expect(
      (await globex.query(`SELECT current_user, count(*)::int AS n FROM tenant_settings GROUP BY 1`)).rows,
    ).toEqual([{ current_user: "tenant_globex", n: 6 }]);
    const acme = await connectAs(acmeUrl);
    expect((await acme.query(`SELECT value FROM tenant_settings WHERE key = 'locale'`)).rows).toEqual([
      { value: "en-GB" },
    ]);

    // globex may not even connect to acme's database; acme may not connect to the shared database.
    const intoAcme = await refusal(() => connectAs(globexUrl, "tenant_acme"));
    expect(intoAcme.code).toBe("42501");
    expect(intoAcme.message).toMatch(/permission denied for database "?tenant_acme"?/);
    const intoShared = await refusal(() => connectAs(acmeUrl, "tenants"));
    expect(intoShared.code).toBe("42501");

    // initech shares the database with globex, and still cannot read globex's schema.
    const initech = await connectAs(initechUrl);
    expect((await initech.query(`SELECT current_database() AS db`)).rows).toEqual([{ db: "tenants" }]);
    const crossRead = await refusal(() => initech.query(`SELECT * FROM tenant_globex.tenant_settings`));
    expect(crossRead.code).toBe("42501");
    expect(crossRead.message).toMatch(/permission denied for schema tenant_globex/);
  });

  it("keeps what each tenant creates later its own, at both isolation levels: tables, sequences, functions, types, schemas, databases", async () => {
    // Each tenant creates objects after provisioning, as its application would, with its own login.
    const acme = await connectAs(await connectionStringOf("acme"));
    const globexUrl = await connectionStringOf("globex");
    const globex = await connectAs(globexUrl);
    const initechUrl = await connectionStringOf("initech");
    const initech = await connectAs(initechUrl);
    const createObjects = (schema: string) => `
      CREATE TABLE ${schema}.secrets (id serial PRIMARY KEY, note text);
      INSERT INTO ${schema}.secrets (note) VALUES ('only mine');
      CREATE SEQUENCE ${schema}.counter;
      CREATE FUNCTION ${schema}.secret() RETURNS int LANGUAGE sql AS 'SELECT 42';
      CREATE TYPE ${schema}.mood AS ENUM ('calm');`;
    await globex.query(createObjects("tenant_globex"));
    await acme.query(
      `${createObjects("public")} CREATE SCHEMA acme_private; CREATE TABLE acme_private.notes (note text);`,
    );
    const refused = async (client: Client, statement: string) => {
      const error = await refusal(() => client.query(statement));
      return `${error.code} ${error.message}`;
    };
    /** What `as` meets reaching for the objects of `createObjects(schema)`; a type is used in a table in `ownSchema`. */
    const reachFor = async (as: Client, schema: string, ownSchema: string) => ({
      table: await refused(as, `SELECT note FROM ${schema}.secrets`),
      sequence: await refused(as, `SELECT nextval('${schema}.secrets_id_seq'), nextval('${schema}.counter')`),
      function: await refused(as, `SELECT ${schema}.secret()`),
      type: await refused(as, `CREATE TABLE ${ownSchema}.borrowed (m ${schema}.mood)`),
    });

    // Schema isolation: initech, in the same database as globex, reaches none of globex's objects; nor can it create
    // in globex's schema, in the shared `public` schema, or a schema of its own.
    expect(await reachFor(initech, "tenant_globex", "tenant_initech")).toEqual({
      table: "42501 permission denied for schema tenant_globex",
      sequence: "42501 permission denied for schema tenant_globex",
      function: "42501 permission denied for schema tenant_globex",
      type: "42501 permission denied for schema tenant_globex",
    });
    expect(await refused(initech, "CREATE TABLE tenant_globex.intruder (id int)")).toBe(
      "42501 permission denied for schema tenant_globex",
    );
    expect(await refused(initech, "CREATE TABLE public.planted (id int)")).toBe(
      "42501 permission denied for schema public",
    );
    expect(await refused(initech, "CREATE SCHEMA initech_extra")).toBe("42501 permission denied for database tenants");
    // Even once globex opens its schema to initech by mistake, what globex created stays globex's: no table or
    // sequence privilege exists for anyone else, and the product revoked PUBLIC's default EXECUTE and USAGE on the
    // functions and types globex's role creates.
    await globex.query("GRANT USAGE ON SCHEMA tenant_globex TO tenant_initech");
    expect(await reachFor(initech, "tenant_globex", "tenant_initech")).toEqual({
      table: "42501 permission denied for table secrets",
      sequence: "42501 permission denied for sequence secrets_id_seq",
      function: "42501 permission denied for function secret",
      type: "42501 permission denied for type tenant_globex.mood",
    });
    await globex.query("REVOKE USAGE ON SCHEMA tenant_globex FROM tenant_initech");

    // Database isolation: no other tenant may connect to acme's database.
    for (const other of ["globex", "initech"]) {
      const intoAcme = await refusal(() => connectAs(other === "initech" ? initechUrl : globexUrl, "tenant_acme"));
      expect(`${intoAcme.code} ${intoAcme.message}`).toBe(`42501 permission denied for database "tenant_acme"`);
    }
    // Even once acme lets initech connect (and make temporary tables) by mistake, acme's objects (in `public`, which
    // PUBLIC may use in a database of its own) and its other schemas stay acme's.
    await acme.query("GRANT CONNECT, TEMPORARY ON DATABASE tenant_acme TO tenant_initech");
    const initechInAcme = await connectAs(initechUrl, "tenant_acme");
    expect(await reachFor(initechInAcme, "public", "pg_temp")).toEqual({
      table: "42501 permission denied for table secrets",
      sequence: "42501 permission denied for sequence secrets_id_seq",
      function: "42501 permission denied for function secret",
      type: "42501 permission denied for type mood",
    });
    expect(await refused(initechInAcme, "SELECT note FROM acme_private.notes")).toBe(
      "42501 permission denied for schema acme_private",
    );
    expect(await refused(initechInAcme, "CREATE SCHEMA initech_extra")).toBe(
      "42501 permission denied for database tenant_acme",
    );
    await initechInAcme.end();
    clients.splice(clients.indexOf(initechInAcme), 1);
    await acme.query("REVOKE CONNECT, TEMPORARY ON DATABASE tenant_acme FROM tenant_initech");

    // Each still has its own.
    expect((await globex.query("SELECT note FROM tenant_globex.secrets")).rows).toEqual([{ note: "only mine" }]);
    expect((await acme.query("SELECT public.secret() AS n")).rows).toEqual([{ n: 42 }]);
    await globex.query(
      "DROP TABLE tenant_globex.secrets; DROP SEQUENCE tenant_globex.counter; DROP FUNCTION tenant_globex.secret(); DROP TYPE tenant_globex.mood",
    );
    await acme.query(
      "DROP TABLE public.secrets; DROP SEQUENCE public.counter; DROP FUNCTION public.secret(); DROP TYPE public.mood; DROP SCHEMA acme_private CASCADE",
    );
  });

  it("a second up changes nothing, and every stack then previews (refreshed) with expectNoChanges", async () => {
    const again = await cli("up", "--all");
    expect(again.code, again.stderr).toBe(0);
    expect(outcomes(again.report)).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });

    // `expectNoChanges` makes the engine fail the preview when it plans any change. Two at a time, like --parallel 2.
    for (const pair of [
      ["control-plane", "acme"],
      ["globex", "initech"],
    ]) {
      await Promise.all(
        pair.map(async (slug) =>
          (await selectStack(project.dir, slug)).preview({ expectNoChanges: true, refresh: true, color: "never" }),
        ),
      );
    }
  });

  it("the state holds no plaintext password: password and connectionString fields are secrets, and no password appears anywhere", async () => {
    const plaintexts = [testPostgres().password];
    for (const slug of ["acme", "globex", "initech"])
      plaintexts.push(decodeURIComponent(new URL(await connectionStringOf(slug)).password));
    expect(plaintexts.every((p) => p.length >= 16)).toBe(true);

    for (const slug of ["control-plane", "acme", "globex", "initech"]) {
      // `pulumi stack export` as a user runs it (the Automation API's exportStack() passes --show-secrets).
      const exported = JSON.parse(
        execFileSync("pulumi", ["stack", "export", "--stack", slug], { cwd: project.dir, encoding: "utf8" }),
      ) as unknown;
      expect(JSON.stringify(exported).length).toBeGreaterThan(100);
      plaintexts.forEach((plaintext, i) => {
        expect(pathsContaining(exported, plaintext), `${slug}'s state holds password #${i} in plaintext at`).toEqual(
          [],
        );
      });
      const sensitive = fieldsNamed(exported, new Set(["password", "connectionString", "connection", "value"])).filter(
        ({ path }) =>
          // Values only: propertyDependencies lists the URNs a property came from.
          !path.includes(".propertyDependencies.") &&
          // `value` is the GeneratedPassword's output; other resources' `value` fields are not passwords.
          (!path.endsWith(".value") || /GeneratedPassword/.test(JSON.stringify(pathOwner(exported, path)))),
      );
      if (slug !== "control-plane") expect(sensitive.length).toBeGreaterThan(0);
      expect(
        sensitive.filter(({ value }) => !isSecretEnvelope(value)).map(({ path }) => path),
        `${slug}: fields that should be secrets`,
      ).toEqual([]);
    }

    // Nor anywhere in the backend at rest: current state, history and backups.
    for (const file of filesUnder(engine.backendDir)) {
      const text = readFileSync(file, "utf8");
      plaintexts.forEach(
        (plaintext, i) => void expect(text.includes(plaintext), `${file} holds password #${i}`).toBe(false),
      );
    }
  });

  it("drift: a role and a managed setting changed behind the tool's back are reported (exit 3), and up restores both", async () => {
    const tenants = await adminOn("tenants");
    await admin.query(`ALTER ROLE tenant_globex CONNECTION LIMIT 999`);
    await tenants.query(`UPDATE tenant_globex.tenant_settings SET value = '"fr-FR"' WHERE key = 'locale'`);

    const drift = await cli("drift", "globex");
    expect(drift.code, drift.stderr).toBe(3);
    const globex = drift.report.tenants[0]!;
    expect(globex.outcome).toBe("drift");
    const drifted = globex.resources.map((r) => `${r.type} ${r.name}`).sort();
    expect(drifted).toEqual([
      "postgresql:index/role:Role globex-role",
      "pulumi-nodejs:dynamic:TenantSettingsTable globex-settings-table",
    ]);
    // Each names the property: `expected` from the files, `actual` from the real world.
    const propertiesOf = (name: string) => globex.resources.find((r) => r.name === name)?.properties;
    expect(propertiesOf("globex-role")).toEqual([{ path: "connectionLimit", expected: 10, actual: 999 }]);
    expect(propertiesOf("globex-settings-table")).toEqual([
      { path: "settings.locale", expected: "en-US", actual: "fr-FR" },
    ]);
    // The text report names them too.
    const text = await runCli(["drift", "globex"], project.dir);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/globex-role\n +connectionLimit: 10 → 999/);
    expect(text.stdout).toMatch(/globex-settings-table\n +settings\.locale: "en-US" → "fr-FR"/);
    expect(text.stdout).toContain("\n→ reads from what the tenant files declare to what the real world holds\n");
    // A preview of the same world reads the other way round: what is there now → what `up` will make it.
    const preview = await runCli(["preview", "globex"], project.dir);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain("\n→ reads from what is there now to what up will make it (the tenant files)\n");
    expect(preview.stdout).toMatch(/globex-role\n +connectionLimit: 999 → 10\n/);
    expect(preview.stdout).toMatch(/globex-settings-table\n +settings\.locale: "fr-FR" → "en-US"\n/);

    const up = await cli("up", "globex");
    expect(up.code, up.stderr).toBe(0);
    expect(outcomes(up.report)).toEqual({ globex: "changed" });
    expect((await admin.query(`SELECT rolconnlimit FROM pg_roles WHERE rolname = 'tenant_globex'`)).rows).toEqual([
      { rolconnlimit: 10 },
    ]);
    expect((await tenants.query(`SELECT value FROM tenant_globex.tenant_settings WHERE key = 'locale'`)).rows).toEqual([
      { value: "en-US" },
    ]);

    const after = await cli("drift", "globex");
    expect(after.code).toBe(0);
  });

  it("a seed-only setting changed by the tenant is not drift, and another up keeps it", async () => {
    const globex = await connectAs(await connectionStringOf("globex"));
    // The tenant changes its own branding, as its application would.
    await globex.query(`UPDATE tenant_settings SET value = '"#ff6600"' WHERE key = 'branding.primaryColor'`);

    const drift = await cli("drift", "globex");
    expect(drift.code, drift.stdout).toBe(0);
    expect(outcomes(drift.report)).toEqual({ globex: "unchanged" });

    const up = await cli("up", "globex");
    expect(up.code, up.stderr).toBe(0);
    expect(outcomes(up.report)).toEqual({ globex: "unchanged" });
    expect(
      (await globex.query(`SELECT value, seed_only FROM tenant_settings WHERE key = 'branding.primaryColor'`)).rows,
    ).toEqual([{ value: "#ff6600", seed_only: true }]);
  });

  it("a seed-only value edited in a tenant file: plan --base, preview and up each say it is not applied, and the tenant keeps its own", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: project.dir, stdio: "pipe" });
    git("init", "-q");
    git("add", "tenants");
    git("-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "-qm", "base");
    const original = project.readFile("globex.yaml");
    project.writeFile(
      "globex.yaml",
      original.replace("settings:\n", 'settings:\n  branding: { primaryColor: "#00ff00" }\n'),
    );
    const notApplied = [
      { path: "settings.branding.primaryColor", old: '"#1f6feb"', new: '"#00ff00"', reason: "seed-only" },
    ];
    const edits = (tenant: { notApplied?: Record<string, unknown>[] } | undefined) =>
      (tenant?.notApplied ?? []).map(({ path, old, new: now, reason }) => ({ path, old, new: now, reason }));

    const plan = await runCli(["plan", "globex", "--base", "HEAD", "--format", "json"], project.dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(edits(JSON.parse(plan.stdout).tenants[0])).toEqual(notApplied);

    const text = await runCli(["preview", "globex"], project.dir);
    expect(text.stdout).toContain("no changes; 1 edit not applied to the existing tenant");
    expect(text.stdout).toContain(
      '= settings.branding.primaryColor: "#1f6feb" → "#00ff00" (seed-only: written when a tenant is created; existing tenants keep their own value)',
    );
    for (const operation of ["preview", "up"]) {
      const run = await cli(operation, "globex");
      expect(run.code, run.stderr).toBe(0);
      expect(outcomes(run.report)).toEqual({ globex: "unchanged" });
      expect(edits(run.report.tenants[0]), operation).toEqual(notApplied);
    }
    // The up took the edit into the stack's state (for tenants created later): it is not reported again.
    expect(edits((await cli("preview", "globex")).report.tenants[0])).toEqual([]);
    // The tenant's own value stands.
    const globex = await connectAs(await connectionStringOf("globex"));
    expect((await globex.query(`SELECT value FROM tenant_settings WHERE key = 'branding.primaryColor'`)).rows).toEqual([
      { value: "#ff6600" },
    ]);
    project.writeFile("globex.yaml", original);
  });

  it("decommission: the role loses LOGIN, and the schema and its rows stay", async () => {
    const globexUrl = await connectionStringOf("globex");
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml").trimEnd()}\nstatus: decommissioned\n`);

    const up = await cli("up", "globex");
    expect(up.code, up.stderr).toBe(0);
    expect(outcomes(up.report)).toEqual({ globex: "changed" });
    // The role loses LOGIN; the registry row says decommissioned, and the runtime role loses its membership.
    expect(up.report.tenants[0]!.resources.map((r) => `${r.op} ${r.name}`).sort()).toEqual([
      "delete globex-runtime-member",
      "update globex-role",
      "update globex-rows",
    ]);

    expect((await admin.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_globex'`)).rows).toEqual([
      { rolcanlogin: false },
    ]);
    const tenants = await adminOn("tenants");
    expect((await tenants.query(`SELECT count(*)::int AS n FROM tenant_globex.tenant_settings`)).rows).toEqual([
      { n: 6 },
    ]);
    const login = await refusal(() => connectAs(globexUrl));
    expect(login.code).toBe("28000");
  });

  it("a removed tenant file: up --all skips the orphaned stack and touches nothing; destroy brings it down and keeps the data", async () => {
    const acmeStack = await selectStack(project.dir, "acme");
    const updatesBefore = (await acmeStack.history()).length;
    project.writeFile("acme.yaml", undefined);

    const up = await cli("up", "--all");
    expect(up.code, up.stderr).toBe(0);
    expect(outcomes(up.report)).toEqual({
      "control-plane": "unchanged",
      globex: "unchanged",
      initech: "unchanged",
      acme: "skipped",
    });
    expect(up.report.tenants.find((t) => t.slug === "acme")?.message).toMatch(
      /^no tenant file for stack acme: .*tenantctl destroy acme/,
    );
    expect((await acmeStack.history()).length).toBe(updatesBefore);

    const destroy = await cli("destroy", "acme");
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(outcomes(destroy.report)).toEqual({ acme: "changed" });
    const exported = await acmeStack.exportStack();
    expect(exported.deployment.resources ?? []).toEqual([]);

    // Retained: the database, its owner role, the extensions and the settings rows.
    expect(
      (await admin.query(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'tenant_acme'`))
        .rows,
    ).toEqual([{ owner: "tenant_acme" }]);
    expect((await admin.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_acme'`)).rows).toEqual([
      { rolcanlogin: true },
    ]);
    const acme = await adminOn("tenant_acme");
    expect((await acme.query(`SELECT count(*)::int AS n FROM public.tenant_settings`)).rows).toEqual([{ n: 6 }]);
    expect(
      (await acme.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname IN ('pgcrypto', 'pg_trgm')`)).rows,
    ).toEqual([{ n: 2 }]);
  });
});
