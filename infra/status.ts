/**
 * What a tenant's lifecycle status means for the resources of its stack. Pure (no @pulumi imports): the stack
 * program (infra/stacks.ts) and the components (TenantDatabase, TenantDomains) all read this one decision.
 *
 * - `active`: everything.
 * - `suspended`: DNS, TLS and the auth organization stay (the app serves a "suspended" page at the tenant's own
 *   hostnames and blocks logins); the database login role is disabled so nothing can use the data meanwhile, and the
 *   runtime role (`tenantctl_runtime`) loses its membership in it, so a pooled app cannot `SET ROLE` to it either.
 * - `decommissioned`: DNS records and TLS custom hostnames/certificates are not declared, so an `up` removes them and
 *   the customer's hostnames stop resolving to us; the auth organization and its roles stay for audit; data is
 *   retained (databases and schemas are never dropped by a status change).
 */
import type { TenantStatus } from "../src/core/model";

export interface StatusComponents {
  /** The tenant hostname's DNS record. */
  readonly dns: boolean;
  /** Custom-domain TLS: Cloudflare for SaaS custom hostnames or ACM certificates. */
  readonly tls: boolean;
  /** The auth organization and the tenant's roles. */
  readonly auth: boolean;
  /** Whether the tenant's database role may log in. */
  readonly databaseLogin: boolean;
  /** Whether the runtime role is a member of the tenant's role (and may connect to its database): the app's way in. */
  readonly runtimeAccess: boolean;
}

const COMPONENTS_BY_STATUS: Readonly<Record<TenantStatus, StatusComponents>> = {
  active: { dns: true, tls: true, auth: true, databaseLogin: true, runtimeAccess: true },
  suspended: { dns: true, tls: true, auth: true, databaseLogin: false, runtimeAccess: false },
  decommissioned: { dns: false, tls: false, auth: true, databaseLogin: false, runtimeAccess: false },
};

export function componentsFor(status: TenantStatus): StatusComponents {
  const components = COMPONENTS_BY_STATUS[status];
  // The model's type says this cannot happen; a stale state file or a hand-built Tenant can still get here.
  if (components === undefined) {
    throw new Error(
      `Unknown tenant status "${String(status)}": expected one of ${Object.keys(COMPONENTS_BY_STATUS).join(", ")}.`,
    );
  }
  return components;
}
