/**
 * What each stack declares, given resolved data: a tenant stack per tenant and the shared `control-plane` stack.
 * The entry point (program.ts) loads the files and builds the deployment context; `tenantctl plan` calls these
 * directly, offline, with a context of placeholders.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { type DataLocation, dataLocationOf } from "../src/core/location";
import type { ControlPlane, Tenant } from "../src/core/model";
import { type AuthImports, NO_AUTH_IMPORTS } from "./auth/auth0Adoption";
import { ControlPlaneAuth } from "./components/ControlPlaneAuth";
import { TenantAuth } from "./components/TenantAuth";
import { TenantDatabase, tenantDatabaseLayout } from "./components/TenantDatabase";
import { TenantDomains } from "./components/TenantDomains";
import { TenantSettings } from "./components/TenantSettings";
import { TenantMigrations } from "./dynamic/migrations/TenantMigrationsTable";
import { type AdoptionPlan, NOTHING_TO_ADOPT, sharedDatabaseResourceName } from "./adopt/adoptionPlan";
import type { DeploymentContext } from "./context/deploymentContext";
import { runError } from "./resourceErrors";
import { componentsFor } from "./status";
import { ControlPlaneRegistry } from "./registry/ControlPlaneRegistry";
import { TenantRegistration } from "./registry/TenantRegistration";

export interface TenantStackOutputs {
  readonly slug: string;
  readonly plan: string;
  readonly status: string;
  readonly database: pulumi.Output<{ host: string; port: number; database: string; schema: string; user: string }>;
  /**
   * Where the tenant's data lives, by the template's server name: what the next run compares the files with to tell
   * a move (src/core/location.ts) from an add and a remove. Plain values, not secret.
   */
  readonly dataLocation: DataLocation;
  readonly connectionString: pulumi.Output<string>;
  readonly settingsKeys: pulumi.Output<string[]>;
  readonly hostname?: pulumi.Output<string>;
  readonly customDomains?: pulumi.Output<unknown[]>;
  readonly organizationId?: pulumi.Output<string>;
}

/**
 * `adoption`: the database objects that already exist and are imported (infra/adopt/), a refusal there deploys
 * nothing; `authImports`: the auth entities `tenantctl adopt` found by name.
 */
export function tenantStack(
  tenant: Tenant,
  context: DeploymentContext,
  adoption: AdoptionPlan = NOTHING_TO_ADOPT,
  authImports: AuthImports = NO_AUTH_IMPORTS,
): TenantStackOutputs {
  const { features } = context;
  if (adoption.refusals.length > 0) {
    throw runError(
      `what exists on the database server differs from what tenants/${tenant.slug}.yaml says; nothing was deployed:\n${adoption.refusals.map((r) => `  - ${r}`).join("\n")}`,
    );
  }
  const access = context.databaseServer(tenant.database.server);
  const database = new TenantDatabase(tenant.slug, {
    tenant,
    provider: access.provider,
    host: access.host,
    port: access.port,
    imports: adoption.imports,
    ...(context.rotation?.tenantRoles ? { rotation: context.rotation.token } : {}),
  });
  // The role and the database or schema must exist before the settings table is written into them.
  const settings = new TenantSettings(
    `${tenant.slug}-settings`,
    { tenant, connection: access.connection },
    { dependsOn: [database] },
  );
  const domains =
    features.dns || features.tls
      ? new TenantDomains(tenant.slug, { tenant, dns: context.dns, tls: context.tls, features })
      : undefined;
  const auth =
    features.auth && componentsFor(tenant.status).auth
      ? new TenantAuth(tenant.slug, {
          tenant,
          auth: context.auth(),
          controlPlaneStack: context.controlPlaneStack,
          imports: authImports,
        })
      : undefined;

  const registration = features.registry
    ? new TenantRegistration(tenant.slug, {
        tenant,
        registry: context.registry,
        registryConnection: context.registryConnection(),
        provider: access.provider,
        host: access.host,
        port: access.port,
        role: database.user,
        database: database.database,
        ownDatabase: tenantDatabaseLayout(tenant).ownDatabase,
        ...(auth ? { organizationId: auth.organizationId } : {}),
        ...(domains && features.tls && componentsFor(tenant.status).tls
          ? { customDomains: domains.customDomains }
          : {}),
      })
    : undefined;
  // The app's schema: a new tenant comes up at the latest migration, and a later `up` applies what is new; then the
  // registry's migration_version, once the tenant's row is there.
  if (context.migrations)
    new TenantMigrations(
      `${tenant.slug}-migrations`,
      {
        tenant,
        files: context.migrations.files,
        dir: context.migrations.dir,
        connection: access.connection,
        ...(registration
          ? {
              registry: {
                connection: context.registryConnection(),
                database: context.registry.database,
                schema: context.registry.schema,
              },
            }
          : {}),
      },
      { dependsOn: registration ? [database, registration] : [database] },
    );

  return {
    slug: tenant.slug,
    plan: tenant.plan,
    status: tenant.status,
    database: pulumi
      .all([database.host, database.port, database.database, database.schema, database.user])
      .apply(([host, port, db, schema, user]) => ({ host, port, database: db, schema, user })),
    dataLocation: dataLocationOf(tenant),
    connectionString: database.connectionString,
    settingsKeys: settings.keys,
    ...(domains ? { hostname: domains.hostname, customDomains: domains.customDomains } : {}),
    ...(auth ? { organizationId: auth.organizationId } : {}),
  };
}

/**
 * What every tenant shares: the shared databases that hold schema-isolated tenants, and the auth resource
 * servers and template roles. Shared databases are retained like tenant data, and PUBLIC may not connect.
 */
export function controlPlaneStack(
  controlPlane: ControlPlane,
  context: DeploymentContext,
  /** Import ids of shared databases that already exist, by server name (infra/adopt/). */
  sharedDatabaseImports: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const sharedDatabases: Record<string, pulumi.Output<string>> = {};
  const sharedDatabaseResources: Record<string, postgresql.Database> = {};
  for (const server of controlPlane.databaseServers) {
    const access = context.databaseServer(server);
    const database = new postgresql.Database(
      sharedDatabaseResourceName(server.name),
      { name: server.sharedDatabase },
      { provider: access.provider, retainOnDelete: true, import: sharedDatabaseImports[server.name] },
    );
    new postgresql.Grant(
      `shared-${server.name}-revoke-public`,
      { database: database.name, role: "public", objectType: "database", privileges: [] },
      { provider: access.provider },
    );
    // Every schema tenant has `public` on its search path (shared extensions live there). Before PostgreSQL 15
    // PUBLIC may also CREATE in it, which would let one tenant plant objects that another tenant's queries
    // resolve to: PUBLIC keeps USAGE only, whatever the server's version.
    new postgresql.Grant(
      `shared-${server.name}-public-schema-usage-only`,
      { database: database.name, schema: "public", role: "public", objectType: "schema", privileges: ["USAGE"] },
      { provider: access.provider },
    );
    sharedDatabases[server.name] = database.name;
    sharedDatabaseResources[server.name] = database;
  }
  const outputs: Record<string, unknown> = { sharedDatabases };
  if (context.features.registry) {
    const rotation = context.rotation;
    const registry = new ControlPlaneRegistry("registry", {
      controlPlane,
      access: (name) => context.databaseServer(controlPlane.databaseServers.find((server) => server.name === name)!),
      sharedDatabases: sharedDatabaseResources,
      ...(rotation?.runtime ? { runtimeRotation: { token: rotation.token, step: rotation.runtime } } : {}),
    });
    // The sandbox (env.sh) and `tenantctl rotate` read these; apps get them from wherever the team keeps secrets.
    Object.assign(outputs, {
      registry: registry.location,
      registryUrl: registry.readerUrl,
      runtimeCredentials: registry.runtimeCredentials,
    });
  }
  if (context.features.auth)
    Object.assign(
      outputs,
      new ControlPlaneAuth("control-plane", { controlPlane, auth: context.auth() }).stackOutputs(),
    );
  return outputs;
}
