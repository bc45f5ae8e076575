/**
 * The registry (DESIGN.md, "The registry"): the names apps, scripts and grants outside tenantctl depend on, and what a
 * tenant's row says, as plain data. Pure: the control-plane stack creates the tables and roles, each tenant stack writes
 * its rows (infra/registry/), the sandbox and `tenantctl rotate` hand the runtime role's credentials to apps.
 */
import type { DatabaseServer, Tenant, TenantStatus } from "./model";

/** The schema that holds the registry's tables; apps name it in their queries, so it is not configurable. */
export const REGISTRY_SCHEMA = "tenantctl";
/** The registry's database when the template names none (`registry.database`). */
export const REGISTRY_DEFAULT_DATABASE = "tenantctl";
/** LOGIN, reads the registry's two tables and nothing else: what an app routes requests with. */
export const REGISTRY_READER_ROLE = "tenantctl_registry_reader";
/**
 * LOGIN NOINHERIT, member of every active tenant's role: a pooled app's one login, which reaches a tenant's data only
 * after `SET ROLE <the tenant's role from the registry>`.
 */
export const RUNTIME_ROLE = "tenantctl_runtime";

/** A row of `tenantctl.tenants`, without what only others write (`migration_version`, by migrations) or the clock. */
export interface TenantRow {
  readonly slug: string;
  readonly name: string;
  readonly plan: string;
  readonly status: TenantStatus;
  readonly limits: { readonly users: number; readonly dbConnections: number };
  /** The template's server name. */
  readonly server: string;
  /** Where apps connect: the server's host and port as this deployment reaches them. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly schema: string;
  readonly role: string;
  /** The tenant's organization at the auth provider; null where auth is not deployed. */
  readonly organization_id: string | null;
}

export type DomainKind = "platform" | "custom";

/** A row of `tenantctl.tenant_domains`. */
export interface TenantDomainRow {
  readonly hostname: string;
  readonly slug: string;
  readonly kind: DomainKind;
  readonly is_primary: boolean;
  /** The TLS provider's status of a custom domain (`pending`, `active`, `failed`); `none` where no TLS is deployed. */
  readonly tls_status: string;
  /** The records the customer must add to their DNS (custom domains), as the TLS provider reports them. */
  readonly customer_records: readonly unknown[];
}

/** The tenant's row, given where this deployment reaches its server and its organization, if any. */
export function tenantRowOf(
  tenant: Tenant,
  reachedAt: Pick<DatabaseServer, "host" | "port">,
  organizationId: string | null,
): TenantRow {
  const { database } = tenant;
  return {
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    status: tenant.status,
    limits: { users: tenant.limits.users, dbConnections: tenant.limits.dbConnections },
    server: database.server.name,
    host: reachedAt.host,
    port: reachedAt.port,
    database: database.databaseName,
    schema: database.schemaName,
    role: database.roleName,
    organization_id: organizationId,
  };
}

/** What the TLS provider reported for one custom domain (infra/tls/customerRecords.ts's CustomDomain, in short). */
export interface CustomDomainTls {
  readonly hostname: string;
  readonly status: string;
  readonly records: readonly unknown[];
}

/**
 * The tenant's hostnames: its platform hostname first (the primary one), then its custom domains in file order. A custom
 * domain the TLS provider reported on gets its status and records; one without TLS in this deployment gets `none`,
 * one whose TLS has not reported (yet) `pending`.
 */
export function domainRowsOf(
  tenant: Tenant,
  tls: { readonly deployed: boolean; readonly domains: readonly CustomDomainTls[] },
): TenantDomainRow[] {
  const reported = new Map(tls.domains.map((domain) => [domain.hostname, domain]));
  return [
    {
      hostname: tenant.domains.hostname,
      slug: tenant.slug,
      kind: "platform",
      is_primary: true,
      tls_status: "none",
      customer_records: [],
    },
    ...tenant.domains.custom.map(({ hostname }): TenantDomainRow => {
      const domain = reported.get(hostname);
      return {
        hostname,
        slug: tenant.slug,
        kind: "custom",
        is_primary: false,
        tls_status: domain?.status ?? (tls.deployed ? "pending" : "none"),
        customer_records: domain?.records ?? [],
      };
    }),
  ];
}
