/**
 * `npm run bench:registry [-- ROUNDS LOOKUPS]`: what the registry costs, against a throwaway PostgreSQL (the sandbox's):
 *
 * (a) one tenant's `tenantctl up`, with the registry (its rows, the runtime role's grants) and without it
 *     (`TENANTCTL_DISABLE=...,registry`), side by side: a new tenant (everything created; its database, role and rows
 *     dropped again after each round) and an unchanged one (refresh, nothing to do: every CI run's case). Wall and CPU
 *     of the whole process tree, median of ROUNDS (default 3) interleaved runs. Goal (issue 22): under 10% more.
 * (b) host → tenant resolution with the app's query, as the reader role, against a registry of 10,000 tenants with
 *     two hostnames each: p50, p99 and max per lookup over LOOKUPS (default 20,000) random hostnames, one connection,
 *     a prepared statement, and the plan PostgreSQL chose.
 */
import { spawnSync } from "node:child_process";
import { type Cost, tenantctlCost } from "./tenantctlCost";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { type RunningPostgres, startPostgres } from "../src/sandbox/postgres";
import { databaseServersJson } from "../src/sandbox/databaseServers";
import { engineEnv, findOrBuildEngine } from "../src/sandbox/pulumiEngine";

const rounds = Math.max(1, Number(process.argv[2]) || 3);
const lookups = Math.max(100, Number(process.argv[3]) || 20_000);
const TENANTS = 10_000;
const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-registry-"));
const out = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The app's lookup (examples/app uses the same). */
export const BY_HOST =
  "select t.* from tenantctl.tenant_domains d join tenantctl.tenants t using (slug) where d.hostname = $1";

function project(): string {
  const dir = join(work, "project");
  cpSync(join(root, "tenants"), join(dir, "tenants"), { recursive: true });
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    readFileSync(join(root, "Pulumi.yaml"), "utf8").replace(
      /^main: .*$/m,
      `main: ${join(root, "dist", "infra", "program.js")}`,
    ),
  );
  return dir;
}

async function sql(postgres: RunningPostgres, database: string, text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: postgres.connectionString(database) });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Forgets acme entirely: its data, role and rows, so the next round creates it again. */
async function dropAcme(postgres: RunningPostgres): Promise<void> {
  await sql(postgres, "postgres", "DROP DATABASE IF EXISTS tenant_acme WITH (FORCE)");
  await sql(postgres, "postgres", "DROP ROLE IF EXISTS tenant_acme");
  await sql(postgres, "tenantctl", "DELETE FROM tenantctl.tenants WHERE slug = 'acme'");
}

async function upCost(postgres: RunningPostgres, dir: string, env: NodeJS.ProcessEnv) {
  const variants = {
    "with registry": { ...env, TENANTCTL_DISABLE: "dns,tls,auth" },
    "without registry": { ...env, TENANTCTL_DISABLE: "dns,tls,auth,registry" },
  };
  const results = new Map(
    Object.keys(variants).map((name) => [name, { create: [] as Cost[], unchanged: [] as Cost[] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [name, variantEnv] of Object.entries(variants)) {
      const backend = { ...variantEnv, PULUMI_BACKEND_URL: `file://${mkdtempSync(join(work, "state-"))}` };
      results.get(name)!.create.push(tenantctlCost(["up", "acme", "--format", "json"], dir, backend));
      results.get(name)!.unchanged.push(tenantctlCost(["up", "acme", "--format", "json"], dir, backend));
      await dropAcme(postgres);
    }
  }
  out(`(a) one tenant's up (acme, own database), median of ${rounds} interleaved runs; CPU of the whole process tree`);
  out(
    `${"".padEnd(18)}${"create wall".padStart(13)}${"create CPU".padStart(12)}${"unchanged wall".padStart(16)}${"unchanged CPU".padStart(15)}`,
  );
  const rows = [...results].map(([name, { create, unchanged }]) => {
    const row = {
      name,
      createWall: median(create.map((c) => c.wall)),
      createCpu: median(create.map((c) => c.cpu)),
      unchangedWall: median(unchanged.map((c) => c.wall)),
      unchangedCpu: median(unchanged.map((c) => c.cpu)),
    };
    out(
      `${name.padEnd(18)}${`${row.createWall.toFixed(2)} s`.padStart(13)}${`${row.createCpu.toFixed(2)} s`.padStart(12)}${`${row.unchangedWall.toFixed(2)} s`.padStart(16)}${`${row.unchangedCpu.toFixed(2)} s`.padStart(15)}`,
    );
    return row;
  });
  const [withRegistry, without] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const more = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  out(
    `the registry adds: create ${more(withRegistry.createWall, without.createWall)} wall, ${more(withRegistry.createCpu, without.createCpu)} CPU; unchanged ${more(withRegistry.unchangedWall, without.unchangedWall)} wall, ${more(withRegistry.unchangedCpu, without.unchangedCpu)} CPU (goal: under 10%)`,
  );
}

async function lookupCost(postgres: RunningPostgres, readerUrl: string): Promise<void> {
  // 10,000 tenants, a platform hostname and a custom one each, as the tenant stacks write them.
  await sql(
    postgres,
    "tenantctl",
    `INSERT INTO tenantctl.tenants (slug, name, plan, status, limits, server, host, port, database, schema, role)
     SELECT 'bench-' || i, 'Tenant ' || i, 'basic', CASE WHEN i % 50 = 0 THEN 'suspended' ELSE 'active' END,
            '{"users": 100, "dbConnections": 10}', 'primary', '127.0.0.1', 5432, 'tenants',
            'tenant_bench_' || i, 'tenant_bench_' || i
     FROM generate_series(1, ${TENANTS}) i`,
  );
  await sql(
    postgres,
    "tenantctl",
    `INSERT INTO tenantctl.tenant_domains (hostname, slug, kind, is_primary, tls_status, customer_records)
     SELECT 'bench-' || i || '.app.example.com', 'bench-' || i, 'platform', true, 'none', '[]'::jsonb FROM generate_series(1, ${TENANTS}) i
     UNION ALL
     SELECT 'app.bench-' || i || '.example.org', 'bench-' || i, 'custom', false, 'active', '[]'::jsonb FROM generate_series(1, ${TENANTS}) i`,
  );
  await sql(postgres, "tenantctl", "ANALYZE tenantctl.tenants; ANALYZE tenantctl.tenant_domains");
  const client = new Client({ connectionString: readerUrl });
  await client.connect();
  try {
    const plan = await client.query(`EXPLAIN ${BY_HOST.replace("$1", "'bench-42.app.example.com'")}`);
    const hosts = Array.from({ length: lookups }, (_, i) => {
      const n = 1 + ((i * 7919) % TENANTS);
      return i % 2 === 0 ? `bench-${n}.app.example.com` : `app.bench-${n}.example.org`;
    });
    const query = { name: "tenant-by-host", text: BY_HOST };
    for (const host of hosts.slice(0, 500)) await client.query({ ...query, values: [host] });
    const times: number[] = [];
    let found = 0;
    for (const host of hosts) {
      const started = process.hrtime.bigint();
      const result = await client.query({ ...query, values: [host] });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      found += result.rowCount ?? 0;
    }
    if (found !== lookups) throw new Error(`${found} of ${lookups} hostnames resolved`);
    const sorted = [...times].sort((a, b) => a - b);
    out(
      `(b) host → tenant at ${TENANTS.toLocaleString("en")} tenants (${(2 * TENANTS).toLocaleString("en")} hostnames), ${lookups.toLocaleString("en")} lookups as ${new URL(readerUrl).username}, one connection, prepared:`,
    );
    out(
      `    p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms, max ${sorted[sorted.length - 1]!.toFixed(3)} ms per lookup (client round trip included)`,
    );
    out(`    plan: ${plan.rows.map((row) => String(row["QUERY PLAN"]).trim()).join(" | ")}`);
  } finally {
    await client.end();
  }
}

async function registryUrlOf(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = spawnSync("pulumi", ["stack", "output", "registryUrl", "--show-secrets", "-s", "control-plane"], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`pulumi stack output registryUrl: ${result.stderr}`);
  return result.stdout.trim();
}

async function main(): Promise<void> {
  const engine = await findOrBuildEngine({ repoRoot: root, log: (line) => process.stderr.write(`${line}\n`) });
  if (!engine.available) throw new Error(`no Pulumi engine: ${engine.reason}`);
  let postgres: RunningPostgres | undefined;
  try {
    postgres = await startPostgres();
    const dir = project();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...engineEnv(engine.binDir),
      PULUMI_CONFIG_PASSPHRASE: "bench",
      TENANTCTL_DISABLE: "dns,tls,auth",
      TENANTCTL_DATABASE_SERVERS: databaseServersJson([{ name: "primary", postgres }]),
    };
    // The registry and the roles exist once, as in a real fleet: the control plane is not part of a tenant's up.
    const controlPlaneEnv = { ...env, PULUMI_BACKEND_URL: `file://${mkdtempSync(join(work, "state-"))}` };
    tenantctlCost(["up", "control-plane", "--format", "json"], dir, controlPlaneEnv);
    await upCost(postgres, dir, env);
    await lookupCost(postgres, await registryUrlOf(dir, controlPlaneEnv));
  } finally {
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:registry: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
