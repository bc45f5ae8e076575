/**
 * `npm run bench:move [-- MiB]`: a tenant holding about 200 MiB (default) in its schema of the shared database, moved
 * schema → database by tenantctl's move step (src/orchestrate/moves/performMove.ts: writes stopped, `pg_dump -Fc |
 * pg_restore`, the renames, the verification of every row, the switch, the login back), against a bare
 * `pg_dump -Fc | pg_restore` of the same schema into a scratch database, in the same run on the same throwaway server.
 * Prints both times, their ratio (goal: at most 1.3) and the seconds the tenant could not write. The stack's own `up`
 * after the move (the engine, a fixed cost whatever the size) is not part of it: see bench:peer for a stack's cost.
 */
import { spawn } from "node:child_process";
import { Client } from "pg";
import { clientToolsFor } from "../src/postgres/clientTools";
import { finishMove, performMove } from "../src/orchestrate/moves/performMove";
import { startPostgres } from "../src/sandbox/postgres";

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 200);
  const postgres = await startPostgres();
  try {
    const admin = async (database: string, text: string) => {
      const client = new Client({
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        password: postgres.password,
        database,
      });
      await client.connect();
      try {
        return (await client.query(text)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    const major = Math.floor(
      Number((await admin("postgres", "SHOW server_version_num"))[0]!["server_version_num"]) / 10000,
    );
    const tools = clientToolsFor(major);
    process.stderr.write(`filling a tenant schema with about ${mib} MiB (PostgreSQL ${major})...\n`);
    await admin("postgres", "CREATE ROLE tenant_bench LOGIN PASSWORD 'bench'");
    await admin("postgres", "CREATE DATABASE tenants");
    // A tenant as the product makes one: its schema, its settings table, a few tables with a foreign key and indexes.
    const rowsPerMiB = 5200;
    await admin(
      "tenants",
      `CREATE EXTENSION pgcrypto;
       CREATE SCHEMA tenant_bench AUTHORIZATION tenant_bench;
       SET ROLE tenant_bench; SET search_path = tenant_bench, public;
       CREATE TABLE tenant_settings (key text PRIMARY KEY, value jsonb NOT NULL, seed_only boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO tenant_settings (key, value, seed_only) VALUES ('branding.primaryColor', '"#000000"', true);
       CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL);
       INSERT INTO customers (name, email) SELECT 'customer ' || i, 'c' || i || '@example.com' FROM generate_series(1, 10000) i;
       CREATE TABLE events (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), at timestamptz NOT NULL DEFAULT now(), kind text NOT NULL, payload jsonb NOT NULL);
       INSERT INTO events (customer_id, kind, payload)
         SELECT 1 + i % 10000, (ARRAY['login', 'order', 'refund', 'view'])[1 + i % 4], jsonb_build_object('n', i, 'note', md5(i::text), 'amount', (i % 997) / 7.0)
           FROM generate_series(1, ${Math.round(mib * rowsPerMiB)}) i;
       CREATE INDEX events_by_customer ON events (customer_id, at);`,
    );
    await admin("tenants", "VACUUM ANALYZE");
    const [size] = await admin(
      "tenants",
      "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size, sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c WHERE c.relnamespace = 'tenant_bench'::regnamespace AND c.relkind IN ('r', 'm')",
    );

    const libpq = {
      ...process.env,
      PGHOST: postgres.host,
      PGPORT: String(postgres.port),
      PGUSER: postgres.user,
      PGPASSWORD: postgres.password,
    };
    // The bare copy runs before and after the move (the same data, from where it then is): on a shared machine the
    // load changes during a run, and their mean is the fairer yardstick.
    const bare = async (dumpArgs: string[]) => {
      await admin("postgres", "CREATE DATABASE scratch");
      const started = process.hrtime.bigint();
      await pipe(tools.pgDump, ["--format=custom", ...dumpArgs], tools.pgRestore, ["--dbname=scratch"], libpq);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await admin("postgres", "DROP DATABASE scratch");
      return seconds;
    };
    const bareBefore = await bare(["--schema", "tenant_bench", "tenants"]);

    const server = {
      name: "primary",
      host: postgres.host,
      port: postgres.port,
      username: postgres.user,
      password: postgres.password,
      sslmode: "disable" as const,
      superuser: true,
    };
    const setting = { role: "tenant_bench", extensions: ["pgcrypto"], server: () => server, tools: async () => tools };
    const moveStarted = process.hrtime.bigint();
    const switched = await performMove(
      {
        slug: "bench",
        from: { server: "primary", database: "tenants", schema: "tenant_bench" },
        to: { server: "primary", database: "tenant_bench", schema: "public" },
      },
      { login: true, comment: null },
      setting,
    );
    await finishMove(switched.journal, setting);
    const moveSeconds = Number(process.hrtime.bigint() - moveStarted) / 1e9;
    const withoutWrites = (Date.now() - switched.stoppedAt) / 1000;
    const bareAfter = await bare(["tenant_bench"]);
    const bareSeconds = (bareBefore + bareAfter) / 2;

    process.stdout.write(
      `tenant of ${String(size!["size"])} (${switched.rows} rows in ${switched.tables} tables), schema → database on one server:\n`,
    );
    process.stdout.write(
      `  bare pg_dump -Fc | pg_restore:      ${bareSeconds.toFixed(2)} s (mean of ${bareBefore.toFixed(2)} s before the move and ${bareAfter.toFixed(2)} s after)\n`,
    );
    process.stdout.write(`  tenantctl move (copy + verify):     ${moveSeconds.toFixed(2)} s\n`);
    process.stdout.write(
      `  ratio:                              ${(moveSeconds / bareSeconds).toFixed(2)}× (goal ≤ 1.3×)\n`,
    );
    process.stdout.write(`  seconds without writes:             ${withoutWrites.toFixed(2)} s\n`);
  } finally {
    await postgres.stop();
  }
}

/** `a | b`, both checked. */
function pipe(
  first: string,
  firstArgs: string[],
  second: string,
  secondArgs: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const a = spawn(first, firstArgs, { env, stdio: ["ignore", "pipe", "inherit"] });
    const b = spawn(second, secondArgs, { env, stdio: ["pipe", "ignore", "inherit"] });
    a.stdout.pipe(b.stdin);
    let pending = 2;
    const done = (code: number | null, tool: string) => {
      if (code !== 0) reject(new Error(`${tool} exited ${code}`));
      else if (--pending === 0) resolve();
    };
    a.on("close", (code) => done(code, first));
    b.on("close", (code) => done(code, second));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
