/**
 * The move's own admin connections: like infra/context/adminClient.ts, but a failed statement keeps PostgreSQL's own
 * words (a move reports what went wrong, not a connection problem), and SQL identifiers are quoted in one place.
 */
import type { Client } from "pg";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { loadPg } from "../../../infra/context/loadPg";
import { providerValues } from "../../../infra/dynamic/providerValues";
import { settingsSemantics } from "../../../infra/dynamic/settings/semantics";
import { settingsStore } from "../../../infra/dynamic/settings/store";

const values = providerValues();
const { sslOptions } = settingsStore(values, settingsSemantics(values));

export async function withAdmin<T>(
  server: ResolvedDatabaseServer,
  database: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const pg = loadPg();
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.username,
    password: server.password,
    database,
    ssl: sslOptions(server.sslmode),
    application_name: "tenantctl move",
    connectionTimeoutMillis: 15_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` in one transaction: all of it, or none of it. */
export async function inTransaction<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** `"name"`, quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'`, quotes doubled (standard_conforming_strings is on in every supported server). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The libpq environment of the client tools: the password in the environment, never on a command line. */
export function libpqEnv(server: ResolvedDatabaseServer): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.username,
    PGPASSWORD: server.password,
    PGSSLMODE: server.sslmode,
    PGAPPNAME: "tenantctl move",
  };
}

export async function serverMajor(server: ResolvedDatabaseServer): Promise<number> {
  const version = await withAdmin(server, "postgres", (client) =>
    client.query<{ num: string }>("SELECT current_setting('server_version_num') AS num"),
  );
  return Math.floor(Number(version.rows[0]!.num) / 10000);
}
