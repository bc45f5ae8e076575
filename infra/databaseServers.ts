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
 * Precedence, field by field: config entry > environment (`PGUSER`, `PGPASSWORD`, `PGSSLMODE`, the libpq
 * names every PostgreSQL tool already honours, handy in CI) > template (host, port) > built-in default
 * (sslmode `require`, superuser `true`). Missing credentials are an error that names the config key to set.
 * The password is always wrapped as a Pulumi secret, whichever source it came from.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseServer } from "../src/model/tenant";
import type { AdminConnection, SslMode } from "./dynamic/tenantSettingsProvider";

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

/** Applies the precedence above. Throws an Error whose message names the missing setting and how to set it. */
export function resolveDatabaseServer(
  server: DatabaseServer,
  config: DatabaseServerConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedDatabaseServer {
  const key = `tenantctl:databaseServers.${server.name}`;
  const username = config?.username ?? env["PGUSER"];
  const password = config?.password ?? env["PGPASSWORD"];
  if (!username) {
    throw new Error(
      `No admin user for database server "${server.name}": set \`pulumi config set --path '${key}.username' <user>\` or env PGUSER.`,
    );
  }
  if (password === undefined) {
    throw new Error(
      `No admin password for database server "${server.name}": set \`pulumi config set --path --secret '${key}.password' <password>\` or env PGPASSWORD.`,
    );
  }
  const sslmode = config?.sslmode ?? env["PGSSLMODE"] ?? "require";
  if (!SSL_MODES.includes(sslmode as SslMode)) {
    throw new Error(`Unsupported sslmode "${sslmode}" for database server "${server.name}" (${key}.sslmode or PGSSLMODE); use one of ${SSL_MODES.join(", ")}.`);
  }
  const port = config?.port ?? server.port;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Invalid port ${JSON.stringify(config?.port)} for database server "${server.name}" (${key}.port); use a number between 1 and 65535.`);
  }
  return {
    name: server.name,
    host: config?.host ?? server.host,
    port,
    username,
    password,
    sslmode: sslmode as SslMode,
    superuser: config?.superuser ?? true,
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
 * Resolves `server`'s admin access from stack config and environment and creates its `postgresql.Provider`
 * (named `db-<server name>`; create one per server and stack, then share it).
 */
export function databaseServerAccess(
  server: DatabaseServer,
  opts: pulumi.CustomResourceOptions = {},
  config: Readonly<Record<string, DatabaseServerConfig>> = readDatabaseServersConfig(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): DatabaseServerAccess {
  const resolved = resolveDatabaseServer(server, config[server.name], env);
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
