/**
 * `npm run bench:migrate [-- tenants]`: 1,000 schema tenants (default) × 3 migrations, on a throwaway PostgreSQL, by
 * `tenantctl migrate --all` as users run it (src/orchestrate/migrations/migrateFleet.ts: the fleet's files read and
 * validated, each tenant's stack lock, its advisory lock, its role, its `tenantctl_migrations` rows, the registry
 * write), against a bare loop of `psql -1 -f <file>` as each tenant's role over the same schemas, in the same run.
 * The schemas are emptied between the two. Prints both times, tenants per second, and their ratio (goal: at most 1.5).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { migrateFleet } from "../src/orchestrate/migrations/migrateFleet";
import { findPostgresBinDir, startPostgres } from "../src/sandbox/postgres";
import { databaseServersJson } from "../src/sandbox/databaseServers";

const MIGRATIONS: Record<string, string> = {
  "0001_users.sql":
    "CREATE TABLE users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL,\n  name text NOT NULL\n);\nCREATE UNIQUE INDEX users_email_key ON users (lower(email));\n",
  "0002_orders.sql":
    "CREATE TABLE orders (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  user_id bigint NOT NULL REFERENCES users,\n  total_cents integer NOT NULL DEFAULT 0\n);\nCREATE INDEX orders_user_id ON orders (user_id);\n",
  "0003_user_locale.sql": "ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en-US';\n",
};

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-migrate-"));
  const postgres = await startPostgres();
  try {
    const slugs = Array.from({ length: count }, (_, i) => `b${String(i).padStart(5, "0")}`);
    const fleetDir = writeFleet(work, slugs);
    const connect = (database: string) => new Client({ connectionString: postgres.connectionString(database) });
    const admin = connect("postgres");
    await admin.connect();
    await admin.query("CREATE DATABASE tenants");
    await admin.query(`CREATE DATABASE tenantctl`);
    await admin.end();
    const tenants = connect("tenants");
    await tenants.connect();
    const registry = connect("tenantctl");
    await registry.connect();
    // The registry as the control plane keeps it (DESIGN "The registry"): migrate writes each tenant's version there.
    await registry.query(
      "CREATE SCHEMA tenantctl; CREATE TABLE tenantctl.tenants (slug text PRIMARY KEY, migration_version integer)",
    );
    await registry.query("INSERT INTO tenantctl.tenants (slug) SELECT unnest($1::text[])", [slugs]);
    process.stderr.write(`${count} schema tenants (roles and schemas made by SQL, as their stacks make them)...\n`);
    await tenants.query(
      slugs
        .map(
          (slug) =>
            `CREATE ROLE tenant_${slug} LOGIN PASSWORD 'x'; GRANT CONNECT ON DATABASE tenants TO tenant_${slug};`,
        )
        .join("\n"),
    );
    const resetSchemas = () =>
      tenants.query(
        slugs
          .map(
            (slug) =>
              `DROP SCHEMA IF EXISTS tenant_${slug} CASCADE; CREATE SCHEMA tenant_${slug} AUTHORIZATION tenant_${slug};`,
          )
          .join("\n"),
      );
    await resetSchemas();

    // The bare loop: one psql per tenant and file, as the tenant's role, in its schema, each file in one transaction.
    const psql = join(findPostgresBinDir(), "psql");
    const files = Object.keys(MIGRATIONS).map((name) => join(work, "migrations", name));
    process.stderr.write("the bare psql -1 -f loop...\n");
    const loopStarted = performance.now();
    for (const slug of slugs) {
      for (const file of files) {
        const run = spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", file], {
          env: {
            ...process.env,
            PGHOST: postgres.host,
            PGPORT: String(postgres.port),
            PGUSER: postgres.user,
            PGPASSWORD: postgres.password,
            PGDATABASE: "tenants",
            PGOPTIONS: `-c role=tenant_${slug} -c search_path=tenant_${slug},public`,
          },
        });
        if (run.status !== 0) throw new Error(`psql ${file} for ${slug}: ${run.stderr.toString()}`);
      }
    }
    const loopSeconds = (performance.now() - loopStarted) / 1000;
    const loopTables = await tableCount(tenants);

    await resetSchemas();
    process.stderr.write("tenantctl migrate --all...\n");
    const state = join(work, "state");
    mkdirSync(state);
    const ourStarted = performance.now();
    const report = await migrateFleet([], { dir: fleetDir, all: true, parallel: 4 }, () => undefined, {
      projectDir: work,
      env: {
        PULUMI_BACKEND_URL: `file://${state}`,
        TENANTCTL_DATABASE_SERVERS: databaseServersJson([{ name: "primary", postgres }]),
      },
    });
    const ourSeconds = (performance.now() - ourStarted) / 1000;
    const changed = report.tenants.filter((t) => t.outcome === "changed" && t.to === 3).length;
    if (changed !== count) throw new Error(`tenantctl migrate brought ${changed} of ${count} tenants to version 3`);
    const ourTables = await tableCount(tenants);
    if (ourTables !== loopTables + count)
      throw new Error(
        `tables: ${ourTables} after migrate, ${loopTables} after the loop (+${count} tenantctl_migrations expected)`,
      );
    const recorded = await registry.query(
      "SELECT count(*)::int AS n FROM tenantctl.tenants WHERE migration_version = 3",
    );
    await tenants.end();
    await registry.end();

    const rate = (seconds: number) => (count / seconds).toFixed(1);
    process.stdout.write(
      [
        `${count} schema tenants × ${files.length} migrations`,
        `  psql -1 -f loop:        ${loopSeconds.toFixed(1)} s  (${rate(loopSeconds)} tenants/s)`,
        `  tenantctl migrate --all: ${ourSeconds.toFixed(1)} s  (${rate(ourSeconds)} tenants/s; --parallel 4; registry rows at version 3: ${recorded.rows[0]!.n})`,
        `  ratio: ${(ourSeconds / loopSeconds).toFixed(2)} (goal: at most 1.5)`,
        "",
      ].join("\n"),
    );
  } finally {
    await postgres.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A fleet of schema tenants (the example template, plan basic) and the migrations folder beside it. */
function writeFleet(work: string, slugs: readonly string[]): string {
  const tenants = join(work, "tenants");
  mkdirSync(tenants, { recursive: true });
  const template = readFileSync(join("tenants", "_control-plane.yaml"), "utf8").replace(
    /maxConnections: \d+/,
    "maxConnections: 10000000",
  );
  writeFileSync(join(tenants, "_control-plane.yaml"), template);
  for (const slug of slugs)
    writeFileSync(join(tenants, `${slug}.yaml`), `slug: ${slug}\nname: Bench ${slug}\nplan: basic\n`);
  mkdirSync(join(work, "migrations"));
  for (const [name, sql] of Object.entries(MIGRATIONS)) writeFileSync(join(work, "migrations", name), sql);
  return tenants;
}

async function tableCount(client: Client): Promise<number> {
  const result = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname LIKE 'tenant\\_%'",
  );
  return result.rows[0]!.n;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
