/**
 * Vitest global setup for the integration and e2e projects: one throwaway PostgreSQL cluster, handed to tests
 * through `inject("postgres")` and to the processes they spawn through TENANTCTL_TEST_PG_*.
 */
import type { TestProject } from "vitest/node";
import { type RunningPostgres, startPostgres } from "../../src/sandbox/postgres";
import { postgresEnv } from "./postgresEnv";
// For the `ProvidedContext` augmentation that types `provide("postgres", ...)`; erased at run time.
import type {} from "./postgres";

/**
 * Every project that lists this setup shares one cluster: the TENANTCTL_TEST_PG_* variables belong to the
 * whole vitest process, so two clusters would leave one project's `inject` and its environment disagreeing.
 * Kept on globalThis because each project may load this module separately.
 */
const SHARED = Symbol.for("tenantctl.test.postgres");
interface SharedCluster {
  readonly server: Promise<RunningPostgres>;
  users: number;
}
const registry = globalThis as typeof globalThis & { [SHARED]?: SharedCluster };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (registry[SHARED] ??= { server: startPostgres({ maxConnections: 300 }), users: 0 });
  shared.users++;
  const server = await shared.server;
  const connection = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
  };
  project.provide("postgres", connection);
  // Test workers are forked after the global setup, so they (and whatever they spawn) inherit these.
  Object.assign(process.env, postgresEnv(connection));
  return async () => {
    shared.users--;
    if (shared.users === 0) {
      delete registry[SHARED];
      await server.stop();
    }
  };
}
