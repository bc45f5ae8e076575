/**
 * Names derived from a tenant slug. One place, so that the schema rules, the resolver and the
 * infra components always agree on what a tenant's database objects are called.
 */

import { AUTH0_ORGANIZATION_NAME_MAX_LENGTH } from "./limits";

/** Slugs are Auth0 organization names (see limits.ts). */
export const SLUG_MAX_LENGTH = AUTH0_ORGANIZATION_NAME_MAX_LENGTH;

/** Lowercase DNS label: letters, digits and inner hyphens. */
export const SLUG_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** `acme-corp` → `tenant_acme_corp`: the tenant's role, and its database or schema. */
export function tenantIdentifier(slug: string): string {
  return `tenant_${slug.replace(/-/g, "_")}`;
}

/** Hostnames compare case-insensitively and without the trailing dot of a fully qualified name. */
export function normalizeHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/\.$/, "");
}

/** Stack names are the slugs; the shared stack has a reserved name no tenant can take. */
export const CONTROL_PLANE_STACK = "control-plane";

/**
 * The logical-name part of a resource server: logical names cannot hold `::` (the URN separator), and an API
 * identifier is usually a URL. Two identifiers with the same key would be one resource (rule resourceServersDistinct).
 */
export function resourceServerKey(identifier: string): string {
  return identifier
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, "")
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Tenant roles are named `<slug>:<role>` at the auth provider. Role names are global to the Auth0 tenant (or the
 * AuthHero control-plane tenant), so the prefix keeps two customers' `auditor` roles apart; template roles never
 * contain the separator, so they cannot collide either.
 */
export const TENANT_ROLE_SEPARATOR = ":";

export function tenantRoleName(slug: string, roleName: string): string {
  return `${slug}${TENANT_ROLE_SEPARATOR}${roleName}`;
}
