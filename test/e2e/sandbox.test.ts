/**
 * `tenantctl sandbox --keep`, for real: its own throwaway PostgreSQL and state, the example fleet deployed into
 * it, the printed commands checked by running them (the tenant's psql login through `pulumi stack output`, and
 * the stop command, as printed).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { killQuietly, type ProcessInfo, processInfo, stillRunning } from "../support/processes";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { inSandboxShell, keptSandbox, printedStopCommand, sourced } from "../support/sandbox";

const engine = pulumiEngine();

describe("tenantctl sandbox", () => {
  const kept = keptSandbox();
  let postmaster: ProcessInfo | undefined;
  // A stop command that did not stop it: the server still must not outlive the file.
  afterAll(() => {
    if (postmaster && stillRunning(postmaster)) killQuietly(postmaster.pid);
  });

  it("deploys the example fleet into a throwaway PostgreSQL, prints the report and how to look, never a password", async () => {
    const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-sandbox-"));
    // A shell set up for real stacks: the sandbox's throwaway stacks still use its own passphrase, not this key
    // (nothing listens on port 9: a stack created with it would fail).
    const secretsProvider = process.env["TENANTCTL_SECRETS_PROVIDER"];
    process.env["TENANTCTL_SECRETS_PROVIDER"] =
      "awskms://alias/production?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A9";
    const { code, stdout, stderr } = await runCli(["sandbox", "--keep"], project.dir).finally(() => {
      if (secretsProvider === undefined) delete process.env["TENANTCTL_SECRETS_PROVIDER"];
      else process.env["TENANTCTL_SECRETS_PROVIDER"] = secretsProvider;
    });
    const stop = (kept.stop = printedStopCommand(stdout));
    expect(code, stdout + stderr).toBe(0);
    expect(stop).toBeDefined();

    // The RunReport table: the control plane and every example tenant deployed.
    expect(stdout).toMatch(/^control-plane +changed +15 to create/m);
    for (const slug of ["acme", "globex", "initech"])
      expect(stdout).toMatch(new RegExp(`^${slug} +changed +\\d+ to create`, "m"));
    expect(stdout).toMatch(/^Update of 4 tenant stacks in [\d.]+ s: 4 changed$/m);
    // What was created, and how to look at it.
    expect(stdout).toContain(
      "acme           database tenant_acme, owned by login role tenant_acme (enterprise plan, active)",
    );
    expect(stdout).toContain(
      "globex         schema tenant_globex in database tenants, owned by login role tenant_globex (basic plan, active)",
    );
    const port = /PostgreSQL (127\.0\.0\.1):(\d+)/.exec(stdout)?.[2];
    expect(port).toBeDefined();
    expect(stdout).toContain(`psql -h 127.0.0.1 -p ${port} -U tenant_acme -d tenant_acme`);
    expect(stdout).toContain(
      "pulumi -C .tenantctl/sandbox/project stack output connectionString --show-secrets -s acme",
    );

    // Nothing written into the project itself, beyond .tenantctl/.
    expect(readdirSync(project.dir).sort()).toEqual([".tenantctl", "Pulumi.yaml", "tenants"]);
    const sandboxDir = join(project.dir, ".tenantctl", "sandbox");
    expect(readdirSync(join(sandboxDir, "project")).sort()).toEqual([
      "Pulumi.acme.yaml",
      "Pulumi.control-plane.yaml",
      "Pulumi.globex.yaml",
      "Pulumi.initech.yaml",
      "Pulumi.yaml",
    ]);
    expect(readFileSync(join(sandboxDir, "project", "Pulumi.acme.yaml"), "utf8")).toMatch(/^encryptionsalt: /m);

    // No password printed: not the superuser's (in the 0600 pgpass file), not a tenant's.
    const pgpass = readFileSync(join(sandboxDir, "pgpass"), "utf8").trim();
    const adminPassword = pgpass.split(":").pop()!;
    expect(adminPassword.length).toBeGreaterThan(16);
    expect(stdout + stderr).not.toContain(adminPassword);
    expect(stdout + stderr).not.toMatch(/postgresql:\/\/[^:\s]+:[^@\s]+@/);

    // The printed recipe works: env.sh + `pulumi stack output --show-secrets` gives acme's own login.
    const env = sourced(join(sandboxDir, "env.sh"));
    const connectionString = execFileSync(
      "pulumi",
      ["-C", ".tenantctl/sandbox/project", "stack", "output", "connectionString", "--show-secrets", "-s", "acme"],
      {
        cwd: project.dir,
        env,
        encoding: "utf8",
      },
    ).trim();
    expect(stdout + stderr).not.toContain(decodeURIComponent(new URL(connectionString).password));
    const acme = new Client({ connectionString });
    await acme.connect();
    try {
      const settings = await acme.query(`SELECT current_user, value FROM tenant_settings WHERE key = 'locale'`);
      expect(settings.rows).toEqual([{ current_user: "tenant_acme", value: "en-GB" }]);
    } finally {
      await acme.end();
    }

    // Plain psql, after `source env.sh`, logs in as the sandbox's administrator; tenantctl gets its credentials too.
    expect(env.PGUSER).toBe("tenantctl_admin");
    // The admin password is in env.sh and pgpass only, both readable by this user alone.
    for (const file of ["env.sh", "pgpass"]) expect(statSync(join(sandboxDir, file)).mode & 0o777).toBe(0o600);
    // The registry, as an app reaches it: env.sh names the reader's URL and the runtime role's 0600 credentials
    // file, both from the control plane's secret outputs and neither printed; each logs in and reads what it may.
    const credentialsFile = join(sandboxDir, "runtime-credentials.json");
    expect(env.TENANTCTL_RUNTIME_CREDENTIALS_FILE).toBe(credentialsFile);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    const runtime = JSON.parse(readFileSync(credentialsFile, "utf8")) as { user: string; passwords: string[] };
    expect(runtime).toEqual({ user: "tenantctl_runtime", passwords: [expect.stringMatching(/^[\w-]{32}$/)] });
    const registryUrl = new URL(env.TENANTCTL_REGISTRY_URL ?? "");
    expect(registryUrl.username).toBe("tenantctl_registry_reader");
    expect(registryUrl.pathname).toBe("/tenantctl");
    for (const secret of [runtime.passwords[0]!, decodeURIComponent(registryUrl.password)])
      expect(stdout + stderr).not.toContain(secret);
    const registry = new Client({ connectionString: env.TENANTCTL_REGISTRY_URL });
    await registry.connect();
    try {
      expect((await registry.query("SELECT slug FROM tenantctl.tenants ORDER BY slug")).rows).toEqual([
        { slug: "acme" },
        { slug: "globex" },
        { slug: "initech" },
      ]);
    } finally {
      await registry.end();
    }
    const app = new Client({
      host: registryUrl.hostname,
      port: Number(registryUrl.port),
      database: "tenant_acme",
      user: runtime.user,
      password: runtime.passwords[0],
    });
    await app.connect();
    try {
      await app.query("SET ROLE tenant_acme");
      expect((await app.query("SELECT value FROM tenant_settings WHERE key = 'locale'")).rows).toEqual([
        { value: "en-GB" },
      ]);
    } finally {
      await app.end();
    }
    expect(JSON.parse(env.TENANTCTL_DATABASE_SERVERS ?? "{}")).toMatchObject({
      primary: { host: "127.0.0.1", port: Number(port), username: "tenantctl_admin" },
    });
    expect(
      execFileSync("psql", ["-d", "tenant_acme", "-Atc", "SELECT current_user"], {
        cwd: project.dir,
        env,
        encoding: "utf8",
      }).trim(),
    ).toBe("tenantctl_admin");

    // After `source env.sh`, tenantctl and pulumi work from the project root against the sandbox: no drift, and no
    // file written outside .tenantctl/.
    const inShell = (command: string) => inSandboxShell(project.dir, command);
    const drift = JSON.parse(
      inShell(
        `${JSON.stringify(process.execPath)} ${JSON.stringify(join(engine.repoRoot, "bin", "tenantctl.js"))} drift --all --format json 2>/dev/null`,
      ),
    ) as { tenants: { slug: string; outcome: string }[] };
    expect(Object.fromEntries(drift.tenants.map((t) => [t.slug, t.outcome]))).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });
    inShell("pulumi preview --refresh --expect-no-changes --non-interactive -s acme >/dev/null 2>&1");
    expect(readdirSync(project.dir).sort()).toEqual([".tenantctl", "Pulumi.yaml", "tenants"]);

    // And the printed stop command, run as printed from the project directory, stops it and removes its data.
    // (`sandbox --stop`, the other way the report names, is run by sandboxAuthHero.test.ts.) Stopped means its
    // postmaster process is gone: a server whose files were removed refuses connections too, but still runs.
    postmaster = await postmasterOf({
      host: "127.0.0.1",
      port: Number(port),
      user: "tenantctl_admin",
      password: adminPassword,
      database: "postgres",
    });
    expect(postmaster).toBeDefined();
    execFileSync("sh", ["-c", stop!], { cwd: project.dir, stdio: "pipe" });
    kept.stop = undefined;
    await expect.poll(() => stillRunning(postmaster!), { timeout: 3_000 }).toBe(false);
    expect(existsSync(sandboxDir)).toBe(false);
    expect(readdirSync(project.dir).sort()).toEqual([".tenantctl", "Pulumi.yaml", "tenants"]);
    const gone = new Client({
      host: "127.0.0.1",
      port: Number(port),
      user: "tenantctl_admin",
      password: adminPassword,
      database: "postgres",
      connectionTimeoutMillis: 3000,
    });
    await expect(gone.connect()).rejects.toThrow();
  });
});

/** The server's postmaster: the parent of the backend serving a connection. */
async function postmasterOf(connection: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}): Promise<ProcessInfo | undefined> {
  const client = new Client(connection);
  await client.connect();
  try {
    const [row] = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
    const backend = processInfo(row!.pid);
    return backend && processInfo(backend.ppid);
  } finally {
    await client.end();
  }
}
