/**
 * The peer: one OpenTofu root module per tenant, managing in PostgreSQL what a tenantctl tenant stack of
 * `isolation: database` manages there (TenantDatabase): a login role with a password and the plan's connection limit,
 * a database it owns, PUBLIC stripped of CONNECT/TEMP on it, two extensions, and the default privileges that take
 * EXECUTE/USAGE on the role's new functions and types away from PUBLIC. The same Terraform provider
 * (cyrilgdn/postgresql v1.27.0) that our pulumi-resource-postgresql bridges. The tenant's password comes in as a
 * sensitive variable (OpenTofu has no built-in generator and the random provider is not here offline); tenantctl's
 * settings table has no peer in this provider, so tenantctl does a little more per tenant.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface PeerTenant {
  /** Role and database (or schema) name. */
  readonly identifier: string;
  /** `isolation: schema`: the tenant's schema lives in this database, which the module does not manage. */
  readonly sharedDatabase?: string;
  readonly connectionLimit: number;
  readonly extensions: readonly string[];
}

export interface AdminServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

const hcl = (value: string) => JSON.stringify(value);

export function tofuModule(tenant: PeerTenant, server: AdminServer): string {
  // What the tenant's objects live in: its own database, or the shared one (each module declares the shared
  // extensions too, as each tenantctl stack does; the provider creates them IF NOT EXISTS).
  const database = tenant.sharedDatabase ? hcl(tenant.sharedDatabase) : "postgresql_database.tenant.name";
  const extensions = tenant.extensions
    .map(
      (name) => `
resource "postgresql_extension" ${hcl(name)} {
  name     = ${hcl(name)}
  database = ${database}
}`,
    )
    .join("\n");
  const defaultPrivileges = ["function", "type"]
    .map(
      (objectType) => `
resource "postgresql_default_privileges" ${hcl(objectType)} {
  database    = ${database}
  owner       = postgresql_role.tenant.name
  role        = "public"
  object_type = ${hcl(objectType)}
  privileges  = []
}`,
    )
    .join("\n");
  return `terraform {
  required_providers {
    postgresql = {
      source  = "cyrilgdn/postgresql"
      version = "1.27.0"
    }
  }
}

variable "admin_password" {
  type      = string
  sensitive = true
}

variable "tenant_password" {
  type      = string
  sensitive = true
}

provider "postgresql" {
  host            = ${hcl(server.host)}
  port            = ${server.port}
  username        = ${hcl(server.user)}
  password        = var.admin_password
  sslmode         = "disable"
  superuser       = true
  database        = "postgres"
  connect_timeout = 15
}

resource "postgresql_role" "tenant" {
  name             = ${hcl(tenant.identifier)}
  login            = true
  password         = var.tenant_password
  connection_limit = ${tenant.connectionLimit}${tenant.sharedDatabase ? `\n  search_path      = [${hcl(tenant.identifier)}, "public"]` : ""}
}
${tenant.sharedDatabase ? schemaLayout(tenant, tenant.sharedDatabase) : databaseLayout()}
${extensions}
${defaultPrivileges}

output "connection" {
  value = {
    host     = ${hcl(server.host)}
    port     = ${server.port}
    database = ${database}
    user     = postgresql_role.tenant.name
  }
}
`;
}

/** `isolation: database`: a database the role owns, PUBLIC stripped of CONNECT and TEMP on it. */
function databaseLayout(): string {
  return `
resource "postgresql_database" "tenant" {
  name  = postgresql_role.tenant.name
  owner = postgresql_role.tenant.name
}

# An empty privilege list revokes: PUBLIC keeps neither CONNECT nor TEMP.
resource "postgresql_grant" "revoke_public" {
  database    = postgresql_database.tenant.name
  role        = "public"
  object_type = "database"
  privileges  = []
}`;
}

/** `isolation: schema`: a schema the role owns in the shared database, PUBLIC stripped of it, CONNECT for the role. */
function schemaLayout(tenant: PeerTenant, sharedDatabase: string): string {
  return `
resource "postgresql_schema" "tenant" {
  name     = ${hcl(tenant.identifier)}
  database = ${hcl(sharedDatabase)}
  owner    = postgresql_role.tenant.name
}

resource "postgresql_grant" "revoke_public" {
  database    = ${hcl(sharedDatabase)}
  schema      = postgresql_schema.tenant.name
  role        = "public"
  object_type = "schema"
  privileges  = []
}

resource "postgresql_grant" "connect" {
  database    = ${hcl(sharedDatabase)}
  role        = postgresql_role.tenant.name
  object_type = "database"
  privileges  = ["CONNECT"]
}`;
}

/** Writes the module into `dir/main.tf`; returns `dir`. */
export function writeTofuModule(dir: string, tenant: PeerTenant, server: AdminServer): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.tf"), tofuModule(tenant, server));
  return dir;
}
