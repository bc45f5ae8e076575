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
  /** Role and database name. */
  readonly identifier: string;
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
  const extensions = tenant.extensions
    .map(
      (name) => `
resource "postgresql_extension" ${hcl(name)} {
  name     = ${hcl(name)}
  database = postgresql_database.tenant.name
}`,
    )
    .join("\n");
  const defaultPrivileges = ["function", "type"]
    .map(
      (objectType) => `
resource "postgresql_default_privileges" ${hcl(objectType)} {
  database    = postgresql_database.tenant.name
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
  connection_limit = ${tenant.connectionLimit}
}

resource "postgresql_database" "tenant" {
  name  = ${hcl(tenant.identifier)}
  owner = postgresql_role.tenant.name
}

# An empty privilege list revokes: PUBLIC keeps neither CONNECT nor TEMP.
resource "postgresql_grant" "revoke_public" {
  database    = postgresql_database.tenant.name
  role        = "public"
  object_type = "database"
  privileges  = []
}
${extensions}
${defaultPrivileges}

output "connection" {
  value = {
    host     = ${hcl(server.host)}
    port     = ${server.port}
    database = postgresql_database.tenant.name
    user     = postgresql_role.tenant.name
  }
}
`;
}

/** Writes the module into `dir/main.tf`; returns `dir`. */
export function writeTofuModule(dir: string, tenant: PeerTenant, server: AdminServer): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.tf"), tofuModule(tenant, server));
  return dir;
}
