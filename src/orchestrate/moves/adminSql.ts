/**
 * The move's own admin connections (infra/context/adminConnection.ts): unlike infra/context/adminClient.ts, a failed
 * statement keeps PostgreSQL's own words (a move reports what went wrong, not a connection problem), and SQL
 * identifiers are quoted in one place.
 */
import type { Client } from "pg";
import { adminLibpqEnv, adminPgClient } from "../../../infra/context/adminConnection";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";

export async function withAdmin<T>(
  server: ResolvedDatabaseServer,
  database: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = adminPgClient(server, database, "tenantctl move");
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

/** The libpq environment of the move's client tools. */
export function libpqEnv(server: ResolvedDatabaseServer): NodeJS.ProcessEnv {
  return adminLibpqEnv(server, "tenantctl move");
}

export async function serverMajor(server: ResolvedDatabaseServer): Promise<number> {
  const version = await withAdmin(server, "postgres", (client) =>
    client.query<{ num: string }>("SELECT current_setting('server_version_num') AS num"),
  );
  return Math.floor(Number(version.rows[0]!.num) / 10000);
}
