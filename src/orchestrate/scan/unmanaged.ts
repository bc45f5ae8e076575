/**
 * What sits on the servers and at the auth provider under tenantctl's names that no tenant file owns: a database made
 * by hand under a tenant's name, the role of a tenant whose file was removed without `destroy`, an organization with
 * no tenant. Each comes with its remedy: `tenantctl adopt <slug>` when a tenant file declares an object of that kind
 * and name (its stack does not hold it yet), else the statement that drops it. `all` lists every non-system object.
 */
import type { Tenant } from "../../core/model";
import { SLUG_PATTERN } from "../../core/naming";
import type { AuthListing } from "./authListing";
import type { ServerCatalog } from "./catalog";
import type { UnmanagedObject } from "../../report/runReport";

export type { UnmanagedObject };

/** Roles, databases and schemas named like a tenant's (src/core/naming.ts tenantIdentifier). */
const TENANT_NAME = /^tenant_[a-z0-9_]+$/;
const SYSTEM_SCHEMA = /^(pg_.*|information_schema|public)$/;
const SYSTEM_DATABASES = new Set(["postgres", "template0", "template1"]);

export interface Ownership {
  readonly tenants: readonly Tenant[];
  /** Per tenant, the names of the objects its stack's state holds (kind:name), to tell adopt from already owned. */
  readonly held: (slug: string) => ReadonlySet<string>;
  /** Databases and roles the control plane and the registry own, by name: never listed. */
  readonly shared: { readonly databases: ReadonlySet<string>; readonly roles: ReadonlySet<string> };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Unmanaged roles, databases and schemas of one server. `visited`: the databases whose schemas were read. */
export function unmanagedOnServer(
  server: string,
  admin: string,
  catalog: ServerCatalog,
  owners: Ownership,
  all: boolean,
): UnmanagedObject[] {
  const declared = new Map<string, Tenant>();
  for (const tenant of owners.tenants.filter((t) => t.database.server.name === server)) {
    declared.set(`role:${tenant.database.roleName}`, tenant);
    if (tenant.database.isolation === "database") declared.set(`database:${tenant.database.databaseName}`, tenant);
    else declared.set(`schema:${tenant.database.databaseName}.${tenant.database.schemaName}`, tenant);
  }
  const listed = (kind: "role" | "database" | "schema", name: string): boolean =>
    (all || TENANT_NAME.test(name.split(".").pop()!)) && !owned(kind, name);
  const owned = (kind: string, name: string): boolean => {
    const tenant = declared.get(`${kind}:${name}`);
    return tenant !== undefined && owners.held(tenant.slug).has(`${kind}:${name}`);
  };
  const remedy = (kind: "role" | "database" | "schema", name: string, drop: string): string => {
    const tenant = declared.get(`${kind}:${name}`);
    return tenant ? `tenantctl adopt ${tenant.slug}` : drop;
  };
  const found: UnmanagedObject[] = [];
  for (const name of [...catalog.roles.keys()].sort()) {
    if (name.startsWith("pg_") || name === admin || owners.shared.roles.has(name) || !listed("role", name)) continue;
    found.push({
      kind: "role",
      name,
      server,
      remedy: remedy(
        "role",
        name,
        `REASSIGN OWNED BY ${quote(name)} TO ${quote(admin)}; DROP OWNED BY ${quote(name)}; DROP ROLE ${quote(name)};  -- in every database where it owns or holds something`,
      ),
    });
  }
  for (const name of [...catalog.databases.keys()].sort()) {
    if (SYSTEM_DATABASES.has(name) || owners.shared.databases.has(name) || !listed("database", name)) continue;
    found.push({
      kind: "database",
      name,
      server,
      remedy: remedy(
        "database",
        name,
        `DROP DATABASE ${quote(name)};  -- its data goes with it: pg_dump it first if it matters`,
      ),
    });
  }
  for (const [database, read] of [...catalog.contents.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!read.ok) continue;
    for (const schema of [...read.value.schemas.keys()].sort()) {
      const name = `${database}.${schema}`;
      if (SYSTEM_SCHEMA.test(schema) || !listed("schema", name)) continue;
      // A tenant database's own schemas are the tenant's business, not tenantctl's.
      if (!all && declared.get(`database:${database}`)) continue;
      found.push({
        kind: "schema",
        name,
        server,
        remedy: remedy(
          "schema",
          name,
          `DROP SCHEMA ${quote(schema)} CASCADE;  -- in database ${quote(database)}; pg_dump -n it first if it matters`,
        ),
      });
    }
  }
  return found;
}

/**
 * Organizations no tenant file names (DELETE), and those a tenant file names whose scanned stack does not hold them
 * (adopt). `heldIds`: the organization ids in the scanned stacks' states; `scanned`: the slugs whose states were read.
 */
export function unmanagedOrganizations(
  listing: AuthListing,
  owners: Ownership,
  held: { readonly ids: ReadonlySet<string>; readonly scanned: ReadonlySet<string> },
  provider: string,
  all: boolean,
): UnmanagedObject[] {
  const byName = new Map(owners.tenants.map((t) => [t.auth.organizationName, t]));
  return [...listing.organizations.values()]
    .filter((o) => {
      // A tenant's organization is named by its slug: other names (the provider's own) are not tenantctl's.
      if (held.ids.has(o.id) || (!all && !SLUG_PATTERN.test(o.name))) return false;
      const tenant = byName.get(o.name);
      return !tenant || held.scanned.has(tenant.slug);
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => {
      const tenant = byName.get(o.name);
      return {
        kind: "organization" as const,
        name: o.name,
        server: provider,
        remedy: tenant
          ? `tenantctl adopt ${tenant.slug}`
          : `DELETE /api/v2/organizations/${encodeURIComponent(o.id)}  -- at the auth provider's Management API`,
      };
    });
}
