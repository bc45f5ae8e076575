/**
 * Environment variables that carry the test cluster's connection to processes the tests spawn (the e2e's
 * Pulumi programs and CLI runs), which cannot call vitest's `inject`. No vitest import here: the global
 * setup, which runs outside the test runner, uses this file too.
 */
import type { PostgresConnection } from "../../src/sandbox/postgres";

export const POSTGRES_ENV = {
  host: "TENANTCTL_TEST_PG_HOST",
  port: "TENANTCTL_TEST_PG_PORT",
  user: "TENANTCTL_TEST_PG_USER",
  password: "TENANTCTL_TEST_PG_PASSWORD",
  database: "TENANTCTL_TEST_PG_DATABASE",
} as const;

export function postgresEnv(connection: PostgresConnection): Record<string, string> {
  return {
    [POSTGRES_ENV.host]: connection.host,
    [POSTGRES_ENV.port]: String(connection.port),
    [POSTGRES_ENV.user]: connection.user,
    [POSTGRES_ENV.password]: connection.password,
    [POSTGRES_ENV.database]: connection.database,
  };
}

/** The connection from TENANTCTL_TEST_PG_*, or undefined outside a run with the global setup. */
export function postgresFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresConnection | undefined {
  const host = env[POSTGRES_ENV.host];
  const port = env[POSTGRES_ENV.port];
  const user = env[POSTGRES_ENV.user];
  const password = env[POSTGRES_ENV.password];
  if (!host || !port || !user || password === undefined) return undefined;
  return { host, port: Number(port), user, password, database: env[POSTGRES_ENV.database] ?? "postgres" };
}
