/**
 * What the real providers refuse, as numbers, each with where it is documented. The schema and the rules check these
 * at pull-request time, so that `validate` exit 0 means no provider refuses a value for a reason the files show.
 */

/** PostgreSQL keeps NAMEDATALEN-1 = 63 bytes of an identifier and silently truncates the rest (docs: "SQL Syntax, Identifiers"); we refuse instead. */
export const POSTGRES_IDENTIFIER_MAX_BYTES = 63;

/** A role's CONNECTION LIMIT is an int4 (pg_authid.rolconnlimit). */
export const POSTGRES_INT4_MAX = 2_147_483_647;

/**
 * A setting's dotted key is the primary key of `tenant_settings`: a btree entry is at most 2704 bytes with 8 kB pages
 * (nbtree.h BTMaxItemSize, "index row size exceeds btree version 4 maximum 2704"). 2048 bytes leaves room for the
 * tuple headers.
 */
export const SETTING_KEY_MAX_BYTES = 2048;

/** A domain name is at most 255 octets on the wire, 253 characters written out (RFC 1035 §2.3.4; Route 53 "DNS domain name format"). */
export const DNS_NAME_MAX_LENGTH = 253;

/**
 * A certificate's Common Name is at most 64 characters (RFC 5280 ub-common-name). ACM refuses a longer first domain
 * (RequestCertificate DomainName: "cannot exceed 64 octets"), and Cloudflare for SaaS needs `cloudflare_branding` for
 * one (developers.cloudflare.com, "Create custom hostnames": "limit of 64 characters").
 */
export const CERTIFICATE_COMMON_NAME_MAX_LENGTH = 64;

/** Auth0 organization `name`: 1–50 of `a-z 0-9 _ -` (Management API v2 CreateOrganization); slugs are organization names. */
export const AUTH0_ORGANIZATION_NAME_MAX_LENGTH = 50;

/** Auth0 organization `display_name`: 1–255 characters (Management API v2 CreateOrganization); the tenant's `name` is it. */
export const AUTH0_ORGANIZATION_DISPLAY_NAME_MAX_LENGTH = 255;

/** Auth0 organization metadata: string values of at most 255 characters (Management API v2 OrganizationMetadata). */
export const AUTH0_METADATA_VALUE_MAX_LENGTH = 255;

/** Auth0 role ids are `rol_` and 16 characters. */
export const AUTH0_ROLE_ID_LENGTH = 20;

/**
 * The organization's metadata `roles` lists the ids of the roles its members may get, comma-separated, in one metadata
 * value: 12 ids of 20 characters and 11 commas are 251 characters, a 13th would pass the 255-character limit.
 */
export const AUTH0_MAX_ASSIGNABLE_ROLES = Math.floor(
  (AUTH0_METADATA_VALUE_MAX_LENGTH + 1) / (AUTH0_ROLE_ID_LENGTH + 1),
);

/** Auth0 resource server `name`: at most 200 characters, no `<` or `>` (Management API v2 CreateResourceServer). */
export const AUTH0_RESOURCE_SERVER_NAME_MAX_LENGTH = 200;

/** Auth0 resource server `identifier` (the audience): 1–600 characters (Management API v2 CreateResourceServer). */
export const AUTH0_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH = 600;

/** Auth0 scope `value`: 1–280 characters (Management API v2 ResourceServerScope); role permissions name scopes. */
export const AUTH0_SCOPE_MAX_LENGTH = 280;

/**
 * AuthHero role `name`: 1–50 characters (@authhero/adapter-interfaces roleInsertSchema `max(50)`; the kysely adapter's
 * `roles.name varchar(50)`). Tenant roles are named `<slug>:<role>`, so the slug counts too.
 */
export const AUTHHERO_ROLE_NAME_MAX_LENGTH = 50;

/** AuthHero role `description`: at most 255 characters (roleInsertSchema `max(255)`, `roles.description varchar(255)`). */
export const AUTHHERO_ROLE_DESCRIPTION_MAX_LENGTH = 255;

/**
 * AuthHero resource server `identifier`: at most 191 characters (@authhero/kysely-adapter migration:
 * `resource_servers.identifier varchar(191)`, the longest a MySQL utf8mb4 unique index takes; SQLite does not enforce it).
 */
export const AUTHHERO_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH = 191;

/** AuthHero resource server `scopes`: stored as one JSON text of at most 4096 characters (`resource_servers.scopes varchar(4096)`). */
export const AUTHHERO_RESOURCE_SERVER_SCOPES_MAX_LENGTH = 4096;

/**
 * AuthHero organization `name`: lowercase letters, digits, `-` and `_` (organizationInsertSchema
 * `regex(/^[a-z0-9_-]+$/)`). Slugs are organization names; the slug pattern is narrower, this guards it.
 */
export const AUTHHERO_ORGANIZATION_NAME_PATTERN = /^[a-z0-9_-]+$/;
