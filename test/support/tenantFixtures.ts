/**
 * Hand-made resolved `Tenant` values for infra tests: what the resolver would produce for the example fleet,
 * without going through YAML. Override only what a test is about.
 */
import type { DatabaseServer, JsonObject, Tenant, TenantDatabaseSpec, TenantSettingsSpec } from "../../src/core/model";
import { tenantIdentifier } from "../../src/core/naming";

export const PRIMARY_SERVER: DatabaseServer = {
  name: "primary",
  host: "db.internal.example.com",
  port: 5432,
  sharedDatabase: "tenants",
  maxConnections: 500,
};

export const DEFAULT_SETTINGS: JsonObject = {
  locale: "en-US",
  features: { sso: false, auditLog: false },
  security: { mfa: "required", sessionTimeoutMinutes: 60 },
  branding: { primaryColor: "#1f6feb" },
};

export interface TenantOverrides extends Partial<Omit<Tenant, "database" | "settings">> {
  readonly database?: Partial<TenantDatabaseSpec>;
  readonly settings?: Partial<TenantSettingsSpec>;
}

/**
 * A `basic`-plan tenant with schema isolation on the primary server, or the database-isolated shape when
 * `database.isolation` is `"database"` (database named after the tenant, data in its `public` schema).
 */
export function buildTenant(slug: string, overrides: TenantOverrides = {}): Tenant {
  const identifier = tenantIdentifier(slug);
  const isolation = overrides.database?.isolation ?? "schema";
  const server = overrides.database?.server ?? PRIMARY_SERVER;
  const database: TenantDatabaseSpec = {
    isolation,
    server,
    extensions: ["pgcrypto"],
    roleName: identifier,
    databaseName: isolation === "database" ? identifier : server.sharedDatabase,
    schemaName: isolation === "database" ? "public" : identifier,
    connectionLimit: 10,
    ...overrides.database,
  };
  const settings: TenantSettingsSpec = {
    values: DEFAULT_SETTINGS,
    seedOnlyKeys: ["branding"],
    ...overrides.settings,
  };
  return {
    slug,
    name: slug,
    plan: isolation === "database" ? "enterprise" : "basic",
    status: "active",
    file: `tenants/${slug}.yaml`,
    limits: { users: 100, dbConnections: database.connectionLimit },
    domains: {
      subdomain: slug,
      hostname: `${slug}.app.example.com`,
      custom: [],
      dns: { provider: "cloudflare", zone: "example.com" },
      tls: { provider: "cloudflare" },
      ingressHostname: "edge.example.com",
    },
    auth: {
      provider: "auth0",
      organizationName: slug,
      templateRoles: [],
      roles: [],
      resourceServers: [],
    },
    provenance: new Map(),
    ...overrides,
    database,
    settings,
  };
}
