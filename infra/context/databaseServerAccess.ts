/** A tenant stack's administrative access to one database server: the @pulumi/postgresql provider and the settings writer's connection. */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseServer } from "../../src/core/model";
import type { AdminConnection } from "../dynamic/settings/adminConnection";
import type { ResolvedDatabaseServer } from "./databaseServerConfig";

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

/** Declares the server's `postgresql.Provider` (named `db-<server name>`): once per server and stack, then shared. */
export function databaseServerAccess(server: DatabaseServer, resolved: ResolvedDatabaseServer): DatabaseServerAccess {
  const provider = new postgresql.Provider(`db-${server.name}`, {
    host: resolved.host,
    port: resolved.port,
    username: resolved.username,
    password: pulumi.secret(resolved.password),
    sslmode: resolved.sslmode,
    superuser: resolved.superuser,
    // The maintenance database every server has; tenant resources name their own database explicitly.
    database: "postgres",
    connectTimeout: 15,
  });
  return { server, host: resolved.host, port: resolved.port, provider, connection: adminConnectionOf(resolved) };
}

/** The settings writer's (and the registry rows') admin connection to a server: a secret as a whole. */
export function adminConnectionOf(resolved: ResolvedDatabaseServer): pulumi.Output<AdminConnection> {
  return pulumi.secret({
    host: resolved.host,
    port: resolved.port,
    user: resolved.username,
    password: resolved.password,
    sslmode: resolved.sslmode,
  });
}
