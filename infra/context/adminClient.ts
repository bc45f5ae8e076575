/**
 * One short admin connection to a database server, for the reads tenantctl makes outside the providers (what exists
 * already, the server's version): `pg`, the TLS mode of the server's config, and a failure worded like the postgresql
 * provider's own, so the run report gives the same cause and fix (src/orchestrate/run/engineErrors.ts).
 */
import type { Client } from "pg";
import { SetupError } from "../../src/core/errors";
import { adminPgClient } from "./adminConnection";
import type { ResolvedDatabaseServer } from "./databaseServerConfig";

/** PostgreSQL's "database does not exist". */
const MISSING_DATABASE = "3D000";

/**
 * Runs `work` on a connection to `database`; undefined when that database does not exist. `purpose` says, in a
 * failure, what the connection was for.
 */
export async function withAdminClient<T>(
  server: ResolvedDatabaseServer,
  database: string,
  purpose: string,
  work: (client: Client) => Promise<T>,
): Promise<T | undefined> {
  const client = adminPgClient(server, database, "tenantctl");
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    if ((error as { code?: string }).code === MISSING_DATABASE) return undefined;
    throw new SetupError(
      `error connecting to PostgreSQL server ${server.host}:${server.port} (database server "${server.name}", ${purpose}): ${inProviderWords(error)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** node-postgres's and Node's words for a failed connection, as the Go provider says them. */
function inProviderWords(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const words: Record<string, string> = {
    ECONNREFUSED: "connect: connection refused",
    ENOTFOUND: "no such host",
    EAI_AGAIN: "no such host",
    ETIMEDOUT: "i/o timeout",
    ENETUNREACH: "network is unreachable",
    EHOSTUNREACH: "network is unreachable",
  };
  if (code && words[code]) return words[code];
  if (/timeout expired|Connection terminated due to connection timeout/.test(message ?? "")) return "i/o timeout";
  return message ?? String(error);
}
