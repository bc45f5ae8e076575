/**
 * One throwaway PostgreSQL per database server the template names (`database.servers`), so that the sandbox holds
 * each server for real: a tenant on `secondary` lives in another cluster than one on `primary`, and a move between
 * them copies between two servers. initdb, most of a cluster's start-up, runs once: each cluster starts from a copy of
 * that data directory (so they share the superuser's password), all at once.
 */
import { initDataDir, type RunningPostgres, type StartPostgresOptions, startPostgres } from "./postgres";

/** A cluster standing in for the template's server `name`. */
export interface SandboxServer {
  readonly name: string;
  readonly postgres: RunningPostgres;
}

/**
 * Starts a cluster per name, at once. If one fails, those that started are stopped and the first failure is thrown:
 * nothing is left running.
 */
export async function startDatabaseServers(
  names: readonly string[],
  options: StartPostgresOptions = {},
  start: typeof startPostgres = startPostgres,
  init: typeof initDataDir = initDataDir,
): Promise<SandboxServer[]> {
  const template = names.length > 1 ? await init(options) : undefined;
  const started = await Promise.allSettled(
    names.map(async (name) => ({ name, postgres: await start(template ? { ...options, copyOf: template } : options) })),
  ).finally(() => template?.remove());
  const running = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    await stopDatabaseServers(running);
    throw failed.reason;
  }
  return running;
}

/** Stops every cluster, each even when another fails to stop; rejects with the first failure. */
export async function stopDatabaseServers(servers: readonly SandboxServer[]): Promise<void> {
  const stopped = await Promise.allSettled(servers.map((server) => server.postgres.stop()));
  const failed = stopped.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

/** `TENANTCTL_DATABASE_SERVERS`: each server of the template pointed at its own cluster, as its administrator. */
export function databaseServersJson(servers: readonly SandboxServer[]): string {
  return JSON.stringify(
    Object.fromEntries(
      servers.map(({ name, postgres }) => [
        name,
        {
          host: postgres.host,
          port: postgres.port,
          username: postgres.user,
          password: postgres.password,
          sslmode: "disable",
        },
      ]),
    ),
  );
}
