/**
 * Test access to the throwaway PostgreSQL cluster started by `postgresGlobalSetup.ts`.
 * The cluster itself is `src/sandbox/postgres.ts`, shared with the sandbox command.
 */
import { Client } from "pg";
import { inject } from "vitest";
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
