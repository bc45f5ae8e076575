/**
 * `npm run bench:scan-floor [-- --tenants 1000 --rounds 3 --connections 8]`: what `drift --all`'s scan spends per tenant
 * database, against the floor no scan of a database-per-tenant fleet can go under: one new connection per database
 * (PostgreSQL starts a backend process for each, and a backend serves one database for life). On one throwaway
 * PostgreSQL (the sandbox's), N databases laid out as an `isolation: database` tenant's (its role, two extensions, a
 * settings table and a migrations table, made with plain SQL: no engine, so a thousand take minutes, not an hour), then,
 * interleaved, medians of `--rounds`:
 *   - connect only: one connection to each database, `--connections` at a time, closed at once;
 *   - the scan's read: src/orchestrate/scan/catalog.ts's readServerCatalog over the same databases.
 * Each with its wall time, this process's CPU, and the server's CPU (the postmaster and its backends: machineCpu.ts).
 * The connect-only row is a floor: the read's wall time over it is what the scan's own queries add.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { migrationRunner } from "../infra/dynamic/migrations/runner";
import type { ResolvedDatabaseServer } from "../infra/context/databaseServerConfig";
import type { MigrationFile } from "../src/core/migrations/migrationFiles";
import type { Tenant } from "../src/core/model";
import { mapBounded } from "../src/orchestrate/run/pool";
import { readServerCatalog } from "../src/orchestrate/scan/catalog";
import { startPostgres } from "../src/sandbox/postgres";
import { machineSince, machineSnapshot } from "./peer/machineCpu";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a whole number above 0`);
  return n;
};
const TENANTS = flag("tenants", 300);
const ROUNDS = flag("rounds", 3);
const CONNECTIONS = flag("connections", 8);
const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`bench:scan-floor: ${line}\n`);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const { TABLE: MIGRATIONS_TABLE } = migrationRunner();
const MIGRATION_SQL = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);";
const MIGRATION: MigrationFile = {
  version: 1,
  name: "users",
  fileName: "0001_users.sql",
  file: "migrations/0001_users.sql",
  sha256: createHash("sha256").update(MIGRATION_SQL).digest("hex"),
  noTransaction: false,
  sql: MIGRATION_SQL,
};

interface Cost {
  readonly wall: number;
  readonly ownCpu: number;
  readonly serverCpu: number;
}

async function main(): Promise<void> {
  const postgres = await startPostgres({ maxConnections: 600 });
  try {
    const serverPid = Number(readFileSync(join(postgres.rootDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const connect = (database: string) => new Client({ connectionString: postgres.connectionString(database) });
    const slugs = Array.from({ length: TENANTS }, (_, i) => `f${String(i).padStart(4, "0")}`);

    note(`setup: ${TENANTS} tenant databases (plain SQL)`);
    const admin = connect("postgres");
    await admin.connect();
    for (const slug of slugs) {
      await admin.query(`CREATE ROLE tenant_${slug} LOGIN CONNECTION LIMIT 100`);
      await admin.query(`CREATE DATABASE tenant_${slug} OWNER tenant_${slug}`);
    }
    await admin.end();
    await mapBounded(slugs, 2, async (slug) => {
      const db = connect(`tenant_${slug}`);
      await db.connect();
      await db.query(`CREATE EXTENSION pgcrypto; CREATE EXTENSION pg_trgm;
        REVOKE ALL ON DATABASE tenant_${slug} FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE tenant_${slug} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        SET ROLE tenant_${slug};
        CREATE TABLE public.tenant_settings (key text PRIMARY KEY, value jsonb NOT NULL,
          seed_only boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO public.tenant_settings (key, value) VALUES ('locale', '"en-US"'), ('features.sso', 'true'),
          ('security.mfa', '"required"'), ('security.sessionTimeoutMinutes', '60');
        CREATE TABLE public.${MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(), seconds double precision NOT NULL);
        INSERT INTO public.${MIGRATIONS_TABLE} VALUES (1, '${MIGRATION.fileName}', '${MIGRATION.sha256}', now(), 0.01);
        ${MIGRATION_SQL}`);
      await db.end();
    });

    const server: ResolvedDatabaseServer = {
      name: "primary",
      host: postgres.host,
      port: postgres.port,
      username: postgres.user,
      password: postgres.password,
      sslmode: "disable",
      superuser: true,
    };
    const tenantOf = (slug: string) =>
      ({ slug, database: { schemaName: "public", roleName: `tenant_${slug}` } }) as unknown as Tenant;
    const wanted = new Map(
      slugs.map((slug) => [
        `tenant_${slug}`,
        {
          settingsSchemas: ["public"],
          owners: [`tenant_${slug}`],
          migrations: { tenants: [tenantOf(slug)], files: [MIGRATION] },
        },
      ]),
    );

    const timed = async (work: () => Promise<void>): Promise<Cost> => {
      const before = machineSnapshot(serverPid);
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      await work();
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const own = process.cpuUsage(cpu);
      return { wall, ownCpu: (own.user + own.system) / 1e6, serverCpu: machineSince(before, serverPid).serverCpu };
    };
    const connectOnly: Cost[] = [];
    const scanRead: Cost[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      note(`round ${round}/${ROUNDS}: connect only, then the scan's read, ${TENANTS} databases`);
      connectOnly.push(
        await timed(async () => {
          await mapBounded(slugs, CONNECTIONS, async (slug) => {
            const db = connect(`tenant_${slug}`);
            await db.connect();
            await db.end();
          });
        }),
      );
      scanRead.push(
        await timed(async () => {
          const catalog = await readServerCatalog(server, { databases: wanted, connections: CONNECTIONS });
          const unread = [...catalog.contents.values()].filter((c) => !c.ok).length;
          const drifted = [...catalog.contents.values()].filter(
            (c) => c.ok && (c.value.migrationDrift?.size ?? 0) > 0,
          ).length;
          // The bench's databases are as their expectations say: a read that found otherwise measured something else.
          if (unread > 0 || drifted > 0) throw new Error(`${unread} databases unread, ${drifted} with migration drift`);
        }),
      );
    }

    const row = (label: string, costs: readonly Cost[]) => {
      const wall = median(costs.map((c) => c.wall));
      const serverCpu = median(costs.map((c) => c.serverCpu));
      out(
        `${label.padEnd(52)}${`${wall.toFixed(2)} s`.padStart(10)}${`${((wall / TENANTS) * 1000).toFixed(1)} ms`.padStart(11)}` +
          `${`${median(costs.map((c) => c.ownCpu)).toFixed(2)} s`.padStart(11)}${`${serverCpu.toFixed(2)} s`.padStart(12)}` +
          `${`${((serverCpu / TENANTS) * 1000).toFixed(1)} ms`.padStart(13)}`,
      );
      return wall;
    };
    out(
      `\nscan floor: ${TENANTS} tenant databases, ${CONNECTIONS} connections at a time, medians of ${ROUNDS} round(s)`,
    );
    out(
      `${"measure".padEnd(52)}${"wall".padStart(10)}${"per db".padStart(11)}${"own CPU".padStart(11)}${"server CPU".padStart(12)}${"server/db".padStart(13)}`,
    );
    const floor = row("connect to each database, nothing else", connectOnly);
    const read = row("the scan's catalog read (readServerCatalog)", scanRead);
    out(`the scan's queries add ${((read / floor - 1) * 100).toFixed(0)}% to the connections' wall time`);
  } finally {
    await postgres.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:scan-floor failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
