/**
 * How tenantctl connects as a database server's admin, written once for every caller: a `pg` client (the TLS mode
 * of the server's config, a bounded connect) and the libpq environment of the client tools (pg_dump, pg_restore,
 * psql). `application` names the caller in pg_stat_activity, so a server's admin sees which of tenantctl's jobs is
 * connected.
 */
import type { Client, ClientConfig } from "pg";
import { providerValues } from "../dynamic/providerValues";
import { settingsSemantics } from "../dynamic/settings/semantics";
import { settingsStore } from "../dynamic/settings/store";
import type { ResolvedDatabaseServer } from "./databaseServerConfig";
import { loadPg } from "./loadPg";

const values = providerValues();
const { sslOptions } = settingsStore(values, settingsSemantics(values));

/** A client for `database`, not yet connected. */
export function adminPgClient(server: ResolvedDatabaseServer, database: string, application: string): Client {
  const pg = loadPg();
  return new pg.Client(adminPgConfig(server, database, application));
}

/** The settings of such a client, also for a pool of them (`tenantctl migrate`). */
export function adminPgConfig(server: ResolvedDatabaseServer, database: string, application: string): ClientConfig {
  return {
    host: server.host,
    port: server.port,
    user: server.username,
    password: server.password,
    database,
    ssl: sslOptions(server.sslmode),
    application_name: application,
    connectionTimeoutMillis: 15_000,
  };
}

/** The libpq environment of the client tools: the password in the environment, never on a command line. */
export function adminLibpqEnv(server: ResolvedDatabaseServer, application: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.username,
    PGPASSWORD: server.password,
    PGSSLMODE: server.sslmode,
    PGAPPNAME: application,
  };
}
