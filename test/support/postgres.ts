/**
 * Test access to the throwaway PostgreSQL cluster started by `postgresGlobalSetup.ts`.
 * The cluster itself is `src/sandbox/postgres.ts`, shared with the sandbox command.
 */
import { Client } from "pg";
import { inject } from "vitest";
import type { ResolvedDatabaseServer } from "../../infra/context/databaseServerConfig";
import type { PostgresConnection } from "../../src/sandbox/postgres";

export { startPostgres, findPostgresBinDir } from "../../src/sandbox/postgres";
export type { PostgresConnection, RunningPostgres, StartPostgresOptions } from "../../src/sandbox/postgres";
export { POSTGRES_ENV, postgresEnv, postgresFromEnv } from "./postgresEnv";

declare module "vitest" {
  export interface ProvidedContext {
    /** The cluster of the integration/e2e global setup (superuser credentials). */
    postgres: PostgresConnection;
  }
}

/** The global setup's cluster; only valid in projects that run `postgresGlobalSetup.ts`. */
export function testPostgres(): PostgresConnection {
  return inject("postgres");
}

/** A connected client as the superuser, or as `as` (a role with its password). Close it with `end()`. */
export async function connect(database: string, as?: { user: string; password: string }): Promise<Client> {
  const server = testPostgres();
  const client = new Client({
    host: server.host,
    port: server.port,
    user: as?.user ?? server.user,
    password: as?.password ?? server.password,
    database,
  });
  await client.connect();
  return client;
}

/** The global setup's cluster as the `primary` server tenantctl's admin reads and moves connect to, as its superuser. */
export function testAdminServer(): ResolvedDatabaseServer {
  const server = testPostgres();
  return {
    name: "primary",
    host: server.host,
    port: server.port,
    username: server.user,
    password: server.password,
    sslmode: "disable",
    superuser: true,
  };
}

/** Runs `statements` in order on `database` as the superuser, on one connection; the rows of the last one. */
export async function runSql(database: string, ...statements: string[]): Promise<Record<string, unknown>[]> {
  const client = await connect(database);
  try {
    let rows: Record<string, unknown>[] = [];
    for (const statement of statements) rows = (await client.query(statement)).rows as Record<string, unknown>[];
    return rows;
  } finally {
    await client.end();
  }
}
