/**
 * How the registry's providers reach PostgreSQL: one admin connection to one database, one transaction. A
 * self-contained factory (its source travels in state, see ../dynamic/prebuilt.ts): `pg` is required inside.
 */
import type { Client } from "pg";
import type { AdminConnection } from "../dynamic/settings/adminConnection";

export function registrySql() {
  /** PostgreSQL's "database does not exist": a registry that is gone holds no rows. */
  const MISSING_DATABASE = "3D000";
  /** "relation does not exist": the control plane has not created the tables (yet). */
  const MISSING_TABLE = "42P01";

  /** node-postgres TLS options for a libpq-style sslmode (as the settings store reads it). */
  function sslOptions(sslmode: AdminConnection["sslmode"]): false | { rejectUnauthorized: boolean } {
    switch (sslmode ?? "require") {
      case "disable":
        return false;
      case "require":
        return { rejectUnauthorized: false };
      default:
        return { rejectUnauthorized: true };
    }
  }

  /** Runs `work` in one transaction in `database`, as the server's admin. */
  async function inTransaction<T>(
    connection: AdminConnection,
    database: string,
    work: (client: Client) => Promise<T>,
  ): Promise<T> {
    const pg = require("pg") as typeof import("pg");
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      database,
      ssl: sslOptions(connection.sslmode),
      application_name: "tenantctl",
      connectionTimeoutMillis: 15_000,
    });
    await client.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  function codeOf(error: unknown): string | undefined {
    return (error as { code?: string }).code;
  }

  return { MISSING_DATABASE, MISSING_TABLE, inTransaction, codeOf };
}

export type RegistrySql = ReturnType<typeof registrySql>;
