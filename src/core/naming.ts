/**
 * Names derived from a tenant slug. One place, so that the schema rules, the resolver and the
 * infra components always agree on what a tenant's database objects are called.
 */

/** PostgreSQL truncates identifiers silently at 63 bytes; we refuse instead. */
export const POSTGRES_IDENTIFIER_MAX_BYTES = 63;

/** Auth0 organization names allow at most 50 characters; slugs are used as organization names. */
export const SLUG_MAX_LENGTH = 50;

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
