/**
 * `tenantctl sandbox --keep` with a template that names two database servers: a PostgreSQL cluster each (two ports,
 * two passwords, two sets of data), a tenant deployed on each, env.sh and the printed psql lines covering both, and
 * `sandbox --stop` stopping both. Then, in that sandbox, a tenant's file moved to the other server: the real engine's
 * preview names the move and the size of the data it copies.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { addSecondServer, placeOnServer } from "../support/twoServers";

const engine = pulumiEngine();

describe("tenantctl sandbox with two database servers", () => {
  let project: TempProject | undefined;
  let stop: string | undefined;

  afterAll(() => {
    if (stop) execFileSync("sh", ["-c", stop], { cwd: project?.dir, stdio: "ignore" });
    project?.remove();
  });

  it("starts a cluster per server, deploys a tenant on each, and --stop stops both", async () => {
    project = tempProject(engine.repoRoot, "tenantctl-sandbox-servers-");
    addSecondServer(project);
    placeOnServer(project, "globex", "secondary");
    // Two tenants are enough: one per server (acme's custom domains add nothing here).
    project.writeFile("acme.yaml", undefined);

    const { code, stdout, stderr } = await runCli(["sandbox", "--keep"], project.dir);
    stop = /^Stop it and remove its data:\n\n {2}(.+)$/m.exec(stdout)?.[1];
    expect(code, stdout + stderr).toBe(0);
    expect(stderr).toContain("sandbox: starting a throwaway PostgreSQL per database server (primary, secondary)\n");

    const where =
      /^What the sandbox created, in PostgreSQL primary 127\.0\.0\.1:(\d+), secondary 127\.0\.0\.1:(\d+) \(superuser tenantctl_admin\):$/m.exec(
        stdout,
      );
    expect(where, stdout).not.toBeNull();
    const [primaryPort, secondaryPort] = [Number(where![1]), Number(where![2])];
    expect(primaryPort).not.toBe(secondaryPort);
    expect(stdout).toMatch(/^Update of 3 tenant stacks in [\d.]+ s: 3 changed$/m);
    expect(stdout).toContain(
      'shared database "tenants" on primary, "tenants" on secondary for schema-isolated tenants',
    );
    expect(stdout).toContain(
      "globex         schema tenant_globex in database tenants on secondary, owned by login role tenant_globex",
    );
    expect(stdout).toContain(
      "initech        schema tenant_initech in database tenants on primary, owned by login role tenant_initech",
    );
    // The printed psql lines: the superuser of each server, each tenant on its own server's port.
    expect(stdout).toContain(
      `psql -h 127.0.0.1 -p ${primaryPort} -U tenantctl_admin -d postgres    # the superuser of server primary`,
    );
    expect(stdout).toContain(
      `psql -h 127.0.0.1 -p ${secondaryPort} -U tenantctl_admin -d postgres    # the superuser of server secondary`,
    );
    expect(stdout).toContain(`psql -h 127.0.0.1 -p ${secondaryPort} -U tenant_globex -d tenants    # as globex`);
    expect(stdout).toContain(`psql -h 127.0.0.1 -p ${primaryPort} -U tenant_initech -d tenants    # as initech`);

    // env.sh and pgpass cover both clusters (copies of one initdb: the same superuser and password).
    const sandboxDir = join(project.dir, ".tenantctl", "sandbox");
    const env = readFileSync(join(sandboxDir, "env.sh"), "utf8");
    const passwords = new Map(
      readFileSync(join(sandboxDir, "pgpass"), "utf8")
        .trim()
        .split("\n")
        .map((line) => [Number(line.split(":")[1]), line.split(":").pop()!] as const),
    );
    expect([...passwords.keys()].sort()).toEqual([primaryPort, secondaryPort].sort());
    expect(env).toContain(`export PGHOST=127.0.0.1 PGPORT=${primaryPort} `);
    expect(env).toContain(`# server secondary: psql -h 127.0.0.1 -p ${secondaryPort} -U tenantctl_admin -d postgres\n`);
    for (const password of passwords.values()) expect(stdout + stderr).not.toContain(password);

    // Each tenant's data is on its own server's cluster, and only there.
    const schemasOn = async (port: number) => {
      const client = new Client({
        host: "127.0.0.1",
        port,
        user: "tenantctl_admin",
        password: passwords.get(port)!,
        database: "tenants",
      });
      await client.connect();
      try {
        return (
          await client.query<{ nspname: string }>(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1",
          )
        ).rows.map((row) => row.nspname);
      } finally {
        await client.end();
      }
    };
    expect(await schemasOn(primaryPort)).toEqual(["tenant_initech"]);
    expect(await schemasOn(secondaryPort)).toEqual(["tenant_globex"]);

    // In the kept sandbox, globex's file moves it back to primary: the real engine's preview names the move, from
    // the stack's last dataLocation output, and measures what it would copy on the secondary cluster.
    placeOnServer(project, "globex", "primary");
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(engine.repoRoot, "bin", "tenantctl.js"))}`;
    const inShell = (command: string) =>
      execFileSync("sh", ["-c", `. .tenantctl/sandbox/env.sh && ${command}`], { cwd: project!.dir, encoding: "utf8" });
    const preview = JSON.parse(inShell(`${cli} preview globex initech --format json 2>/dev/null`)) as {
      tenants: { slug: string; move?: { from: unknown; to: unknown; data?: { tables: number; bytes: number } } }[];
    };
    const globex = preview.tenants.find((tenant) => tenant.slug === "globex")!;
    expect(globex.move).toMatchObject({
      from: { server: "secondary", database: "tenants", schema: "tenant_globex" },
      to: { server: "primary", database: "tenants", schema: "tenant_globex" },
    });
    // tenant_settings at least, measured on the secondary cluster.
    expect(globex.move!.data!.tables).toBeGreaterThanOrEqual(1);
    expect(globex.move!.data!.bytes).toBeGreaterThan(0);
    expect(preview.tenants.find((tenant) => tenant.slug === "initech")!.move).toBeUndefined();
    const text = inShell(`${cli} preview globex 2>/dev/null; true`);
    expect(text).toMatch(
      /^ {2}move globex: schema tenant_globex in tenants@secondary → schema tenant_globex in tenants@primary \(\d+ tables?, [\d.]+ (B|KiB|MiB)\)$/m,
    );
    expect(text).toMatch(/^Preview of 1 tenant stack in [\d.]+ s: 1 changed; 1 tenant moves$/m);

    // `sandbox --stop` stops both clusters.
    const stopped = await runCli(["sandbox", "--stop"], project.dir);
    expect(stopped).toMatchObject({
      code: 0,
      stdout: "stopped the sandbox's PostgreSQL and removed .tenantctl/sandbox/\n",
    });
    stop = undefined;
    for (const port of [primaryPort, secondaryPort]) {
      const gone = new Client({
        host: "127.0.0.1",
        port,
        user: "tenantctl_admin",
        password: passwords.get(port)!,
        database: "postgres",
        connectionTimeoutMillis: 3000,
      });
      await expect(gone.connect()).rejects.toThrow();
    }
  });
});
