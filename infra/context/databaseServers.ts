/**
 * How a tenant stack reaches its database server as an administrator.
 *
 * The template (`database.servers`) names the servers and says where they are; it never holds credentials,
 * because it lives in git. The admin credentials, and optionally a different address (a tunnel, a test
 * server on 127.0.0.1), come from Pulumi config `tenantctl:databaseServers`, an object keyed by server name:
 *
 * ```sh
 * pulumi config set --path --secret 'tenantctl:databaseServers.primary.password' '...'
 * pulumi config set --path 'tenantctl:databaseServers.primary.username' tenantctl_admin
 * pulumi config set --path 'tenantctl:databaseServers.primary.port' 6543    # optional override
 * ```
 *
 * or, without any stack config file (the sandbox, the end-to-end tests, a CI job that holds the credentials in
 * its own secret store), from the environment variable `TENANTCTL_DATABASE_SERVERS`: JSON of the same shape,
 *
 * ```sh
 * export TENANTCTL_DATABASE_SERVERS='{"primary": {"host": "127.0.0.1", "port": 5433,
 *   "username": "tenantctl_admin", "password": "...", "sslmode": "disable"}}'
 * ```
 *
 * Precedence, field by field: `TENANTCTL_DATABASE_SERVERS` entry > config entry > environment (`PGUSER`,
 * `PGPASSWORD`, `PGSSLMODE`, the libpq names every PostgreSQL tool already honours, handy in CI) > template
 * (host, port) > built-in default (sslmode `require`, superuser `true`). So the variable overrides only the
 * fields it sets: `{"primary": {"port": 6543}}` moves the port and keeps the config's credentials.
 * Missing credentials are an error that names the config key to set. The password is always wrapped as a
 * Pulumi secret, whichever source it came from, and no error message ever quotes it.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseServer } from "../../src/core/model";
import { didYouMean } from "../../src/core/suggest";
import type { AdminConnection, SslMode } from "../dynamic/tenantSettingsProvider";

/** One entry of `tenantctl:databaseServers`. */
export interface DatabaseServerConfig {
  /** @default the template's `database.servers.<name>.host` */
  readonly host?: string;
  /** @default the template's `database.servers.<name>.port` */
  readonly port?: number;
  /** @default env PGUSER */
  readonly username?: string;
  /** @default env PGPASSWORD */
  readonly password?: string;
  /** @default env PGSSLMODE, else "require" */
  readonly sslmode?: SslMode;
  /**
   * Whether `username` is a PostgreSQL superuser. Set it to false on managed services (RDS, Cloud SQL), so
   * the provider grants itself membership in a role before acting for it instead of assuming it can.
   * @default true
   */
  readonly superuser?: boolean;
}

/** The resolved admin connection of one server, password in clear: only pure code sees this shape. */
export interface ResolvedDatabaseServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly sslmode: SslMode;
  readonly superuser: boolean;
}

const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-ca", "verify-full"];

/** The environment variable holding server entries as JSON; see the module comment for the precedence. */
export const DATABASE_SERVERS_ENV = "TENANTCTL_DATABASE_SERVERS";

const CONFIG_FIELDS: Readonly<Record<keyof DatabaseServerConfig, "string" | "number" | "boolean">> = {
  host: "string",
  port: "number",
  username: "string",
  password: "string",
  sslmode: "string",
  superuser: "boolean",
};

/**
 * Parses `TENANTCTL_DATABASE_SERVERS`; an unset or empty variable is `{}`. Throws an Error naming the variable,
 * the server and the field at fault, and never quoting the text (it holds passwords): not even the snippet that
 * `JSON.parse`'s own message would show.
 */
export function databaseServersFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, DatabaseServerConfig>> {
  const text = env[DATABASE_SERVERS_ENV];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${DATABASE_SERVERS_ENV} is not valid JSON: set it to an object keyed by server name, e.g. {"primary": {"username": "...", "password": "..."}}.`);
  }
  if (!isPlainObject(parsed)) {
    throw new Error(`${DATABASE_SERVERS_ENV} must be a JSON object keyed by server name, e.g. {"primary": {...}}.`);
  }
  const servers: Record<string, DatabaseServerConfig> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (!isPlainObject(entry)) throw new Error(`${DATABASE_SERVERS_ENV}: the entry of server "${name}" must be an object.`);
    for (const [field, value] of Object.entries(entry)) {
      const expected = CONFIG_FIELDS[field as keyof DatabaseServerConfig];
      if (expected === undefined) {
        // `user` and `pass` are what libpq and most URLs call them.
        const prefixed = Object.keys(CONFIG_FIELDS).find((known) => field.length >= 4 && known.startsWith(field));
        const hint = didYouMean(field, Object.keys(CONFIG_FIELDS)) ?? (prefixed ? `did you mean \`${prefixed}\`?` : undefined);
        throw new Error(`${DATABASE_SERVERS_ENV}: unknown field "${field}" for server "${name}"${hint ? ` (${hint})` : ""}; fields are ${Object.keys(CONFIG_FIELDS).join(", ")}.`);
      }
      if (typeof value !== expected) {
        throw new Error(`${DATABASE_SERVERS_ENV}: "${name}.${field}" must be a ${expected}, not ${value === null ? "null" : typeof value}.`);
      }
    }
    servers[name] = entry as DatabaseServerConfig;
  }
  return servers;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Applies the precedence above (`env` holds both `TENANTCTL_DATABASE_SERVERS` and the libpq variables).
 * Throws an Error whose message names the missing setting and how to set it.
 */
export function resolveDatabaseServer(
  server: DatabaseServer,
  fromConfig: DatabaseServerConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedDatabaseServer {
  const key = `tenantctl:databaseServers.${server.name}`;
  const config: DatabaseServerConfig = { ...fromConfig, ...databaseServersFromEnv(env)[server.name] };
  const username = config.username ?? env["PGUSER"];
  const password = config.password ?? env["PGPASSWORD"];
  if (!username) {
    throw new Error(
      `No admin user for database server "${server.name}": set \`pulumi config set --path '${key}.username' <user>\`, or "username" in ${DATABASE_SERVERS_ENV}, or env PGUSER.`,
    );
  }
  if (password === undefined) {
    throw new Error(
      `No admin password for database server "${server.name}": set \`pulumi config set --path --secret '${key}.password' <password>\`, or "password" in ${DATABASE_SERVERS_ENV}, or env PGPASSWORD.`,
    );
  }
  const sslmode = config.sslmode ?? env["PGSSLMODE"] ?? "require";
  if (!SSL_MODES.includes(sslmode as SslMode)) {
    throw new Error(`Unsupported sslmode "${sslmode}" for database server "${server.name}" (${key}.sslmode, ${DATABASE_SERVERS_ENV} or PGSSLMODE); use one of ${SSL_MODES.join(", ")}.`);
  }
  const port = config.port ?? server.port;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Invalid port ${JSON.stringify(config.port)} for database server "${server.name}" (${key}.port or ${DATABASE_SERVERS_ENV}); use a number between 1 and 65535.`);
  }
  return {
    name: server.name,
    host: config.host ?? server.host,
    port,
    username,
    password,
    sslmode: sslmode as SslMode,
    superuser: config.superuser ?? true,
  };
}

/** All entries of `tenantctl:databaseServers`; an absent key means every server relies on the environment. */
export function readDatabaseServersConfig(): Readonly<Record<string, DatabaseServerConfig>> {
  return new pulumi.Config("tenantctl").getObject<Record<string, DatabaseServerConfig>>("databaseServers") ?? {};
}

/** Everything a tenant stack needs to work on one database server. */
export interface DatabaseServerAccess {
  readonly server: DatabaseServer;
  /** Where tenants' clients connect: the config override, else the template's host and port. */
  readonly host: string;
  readonly port: number;
  /** For the @pulumi/postgresql resources (`TenantDatabase`'s `provider`). */
  readonly provider: postgresql.Provider;
  /** For the settings writer (`TenantSettings`' `connection`); a secret as a whole. */
  readonly connection: pulumi.Output<AdminConnection>;
}

/**
 * Resolves `server`'s admin access from stack config and environment (`TENANTCTL_DATABASE_SERVERS` first) and creates its `postgresql.Provider`
 * (named `db-<server name>`; create one per server and stack, then share it).
 */
export function databaseServerAccess(
  server: DatabaseServer,
  opts: pulumi.CustomResourceOptions = {},
  config: Readonly<Record<string, DatabaseServerConfig>> = readDatabaseServersConfig(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): DatabaseServerAccess {
  const resolved = resolveOrRunError(() => resolveDatabaseServer(server, config[server.name], env));
  const password = pulumi.secret(resolved.password);
  const provider = new postgresql.Provider(
    `db-${server.name}`,
    {
      host: resolved.host,
      port: resolved.port,
      username: resolved.username,
      password,
      sslmode: resolved.sslmode,
      superuser: resolved.superuser,
      // The maintenance database every server has; tenant resources name their own database explicitly.
      database: "postgres",
      connectTimeout: 15,
    },
    opts,
  );
  const connection = pulumi.secret({
    host: resolved.host,
    port: resolved.port,
    user: resolved.username,
    password: resolved.password,
    sslmode: resolved.sslmode,
  });
  return { server, host: resolved.host, port: resolved.port, provider, connection };
}

/** A setup mistake (missing credentials, bad JSON) is one message for the user, not a JavaScript stack trace. */
function resolveOrRunError<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
  }
}
