/**
 * The resolved tenant: pure data, the only thing infra components consume.
 *
 * Everything here has already been validated and merged (defaults < plans.<plan> < tenant), so
 * consumers never look at raw YAML and never need to re-apply defaults.
 */
import type { MigrationFile } from "./migrations/migrationFiles";

export type TenantStatus = "active" | "suspended" | "decommissioned";
export type DatabaseIsolation = "database" | "schema";
export type DnsProviderName = "cloudflare" | "route53";
export type TlsProviderName = "cloudflare" | "acm";
export type AuthProviderName = "auth0" | "authhero";

/** Which layer of the inheritance chain set a resolved value. */
export type Layer = "defaults" | `plans.${string}` | "tenant" | "derived";

export interface Provenance {
  readonly layer: Layer;
  /** The file that set the value; absent for values derived by tenantctl itself. */
  readonly file?: string;
  /**
   * Dotted path of the value inside that file (`plans.enterprise.limits.users`). Line and column are
   * looked up only when shown (`tenantctl explain`), so that resolving a large fleet stays cheap.
   */
  readonly filePath?: string;
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export interface DatabaseServer {
  /** The key under `database.servers` in the template. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Database that holds one schema per tenant for `isolation: schema`. */
  readonly sharedDatabase: string;
  /** Upper bound for the sum of the tenants' connection limits, when the template gives one. */
  readonly maxConnections?: number;
}

export interface Role {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

export interface ResourceServer {
  readonly identifier: string;
  readonly name: string;
  readonly scopes: readonly string[];
}

export interface TenantDatabaseSpec {
  readonly isolation: DatabaseIsolation;
  readonly server: DatabaseServer;
  readonly extensions: readonly string[];
  /** Login role that owns the tenant's database or schema. */
  readonly roleName: string;
  /** The tenant's own database (`isolation: database`) or the server's shared database (`isolation: schema`). */
  readonly databaseName: string;
  /** Schema holding the tenant's data: the tenant schema, or `public` of its own database. */
  readonly schemaName: string;
  /** Connection limit of the tenant role, from the plan. */
  readonly connectionLimit: number;
}

export interface TenantDomainsSpec {
  readonly subdomain: string;
  /** `<subdomain>.<baseDomain>`, lower case, no trailing dot. */
  readonly hostname: string;
  /** Customer-owned hostnames, lower case, no trailing dot. */
  readonly custom: readonly { readonly hostname: string }[];
  readonly dns: { readonly provider: DnsProviderName; readonly zone: string };
  readonly tls: { readonly provider: TlsProviderName };
  /** Where tenant hostnames point (CNAME target). */
  readonly ingressHostname: string;
}

export interface TenantAuthSpec {
  readonly provider: AuthProviderName;
  /** Organization name at the auth provider (lowercase, unique per tenant). */
  readonly organizationName: string;
  /** Roles every tenant gets; they live in the `control-plane` stack. */
  readonly templateRoles: readonly Role[];
  /** Roles only this tenant has; they live in the tenant stack. */
  readonly roles: readonly Role[];
  readonly resourceServers: readonly ResourceServer[];
}

export interface TenantSettingsSpec {
  /** The resolved settings tree. */
  readonly values: JsonObject;
  /**
   * Dotted setting keys (relative to `settings`, e.g. `branding.primaryColor`) that are written once
   * and then belong to the tenant. Every other leaf is managed: enforced on every `up`.
   */
  readonly seedOnlyKeys: readonly string[];
}

export interface Tenant {
  readonly slug: string;
  readonly name: string;
  readonly plan: string;
  readonly status: TenantStatus;
  /** The tenant's file, relative to the working directory. */
  readonly file: string;
  readonly limits: { readonly users: number; readonly dbConnections: number };
  readonly database: TenantDatabaseSpec;
  readonly domains: TenantDomainsSpec;
  readonly auth: TenantAuthSpec;
  readonly settings: TenantSettingsSpec;
  /** The rollout group its file declares (`rollout: { group: canary }`), which `--waves` can name. */
  readonly rolloutGroup?: string;
  /** Dotted path of every resolved leaf (e.g. `settings.security.mfa`) to the layer that set it. */
  readonly provenance: ReadonlyMap<string, Provenance>;
}

/** Where the registry lives (DESIGN.md, "The registry"): resolved from the template's `registry` key. */
export interface RegistrySpec {
  /** The key under `database.servers` (default: `defaults.database.server`). */
  readonly server: string;
  /** @default "tenantctl" */
  readonly database: string;
  /** Always `tenantctl`: apps name its tables. */
  readonly schema: string;
}

/** What every tenant shares: deployed by the `control-plane` stack. */
export interface ControlPlane {
  readonly file: string;
  readonly baseDomain: string;
  readonly ingressHostname: string;
  readonly dns: { readonly provider: DnsProviderName; readonly zone: string };
  readonly tls: { readonly provider: TlsProviderName };
  readonly databaseServers: readonly DatabaseServer[];
  readonly auth: {
    readonly provider: AuthProviderName;
    readonly resourceServers: readonly ResourceServer[];
    readonly roles: readonly Role[];
  };
  readonly plans: readonly string[];
  readonly locked: readonly string[];
  readonly seedOnly: readonly string[];
  /** `migrations.dir` as the template writes it (unset: `migrations`), relative to the tenants directory's parent. */
  readonly migrationsDir?: string;
  /** The migrations read from that folder (src/core/migrations/); set by `loadFleet`, which reads the disk. */
  readonly migrations?: readonly MigrationFile[];
  /** The absolute path of that folder on this machine. */
  readonly migrationsFolder?: string;
  readonly registry: RegistrySpec;
}
