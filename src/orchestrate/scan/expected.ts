/**
 * What the tenant files say a tenant stack holds, as plain data the scan compares with the stack's state and with the
 * real world: each resource by its type and logical name (the last part of its URN) with the inputs the components
 * give it. Built from the same pure helpers the components use (tenantDatabaseLayout, desiredSettings, componentsFor,
 * organizationMetadata, permissionsFor, tenantRowOf, domainRowsOf, declaredMigrations), and pinned to the offline
 * render of infra/stacks.ts by
 * test/infra/scanExpected.test.ts: a resource added to a component and not taught to the scan fails that test, so the
 * scan never calls a stack clean while its program would create something.
 */
import type { ControlPlane, Tenant } from "../../core/model";
import { tenantRoleName } from "../../core/naming";
import { domainRowsOf, RUNTIME_ROLE, tenantRowOf } from "../../core/registry";
import { organizationMetadata, permissionsFor } from "../../../infra/auth/roles";
import { tenantDatabaseLayout } from "../../../infra/components/TenantDatabase";
import type { Features } from "../../../infra/context/features";
import { declaredMigrations } from "../../../infra/dynamic/migrations/TenantMigrationsTable";
import { desiredSettings } from "../../../infra/dynamic/settings/TenantSettingsTable";
import { componentsFor } from "../../../infra/status";
import { DEFAULT_DNS_TTL_SECONDS } from "../../../infra/dns/dnsProvider";
import { presentation } from "../../../infra/dns/powerdns";
import { absoluteName } from "./dnsListing";

export const TYPES = {
  role: "postgresql:index/role:Role",
  database: "postgresql:index/database:Database",
  schema: "postgresql:index/schema:Schema",
  grant: "postgresql:index/grant:Grant",
  defaultPrivileges: "postgresql:index/defaultPrivileges:DefaultPrivileges",
  extension: "postgresql:index/extension:Extension",
  password: "pulumi-nodejs:dynamic:GeneratedPassword",
  settings: "pulumi-nodejs:dynamic:TenantSettingsTable",
  authheroRole: "pulumi-nodejs:dynamic:AuthHeroRole",
  authheroOrganization: "pulumi-nodejs:dynamic:AuthHeroOrganization",
  grantRole: "postgresql:index/grantRole:GrantRole",
  registryRows: "pulumi-nodejs:dynamic:RegistryRows",
  migrations: "pulumi-nodejs:dynamic:TenantMigrations",
  powerdnsRecord: "pulumi-nodejs:dynamic:PowerDnsRecord",
} as const;

/** What the template says beyond the tenant: where the registry is, and the migrations every tenant is brought to. */
export type ScanTemplate = Pick<ControlPlane, "registry" | "migrations" | "migrationsFolder" | "dns">;

/** An input whose value the scan cannot know from the files (a secret, an id another resource gets): not compared. */
export const NOT_FROM_FILES = Symbol("not from the files");

export interface ExpectedResource {
  readonly type: string;
  /** The logical name: the last part of the URN. */
  readonly name: string;
  /** The inputs the component gives it; NOT_FROM_FILES where the value is a secret or known only once deployed. */
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface ScanDeployment {
  readonly features: Features;
  /** The deployment's auth provider (TENANTCTL_AUTH_PROVIDER, else the template's). */
  readonly authProvider: "auth0" | "authhero";
  /**
   * The stack's own config sets `tenantctl:powerdns` (another server or key than the environment's): the scan does
   * not read its records.
   */
  readonly powerdnsInStackConfig?: boolean;
  /** TENANTCTL_DNS_PROVIDER or the stack's `tenantctl:dnsProvider`: overrides the template's `dns.provider`. */
  readonly dnsProvider?: string;
}

/**
 * The resources of a tenant stack that the scan knows how to read, or undefined when the stack declares something it
 * cannot read (DNS and TLS records, Auth0 entities): such a stack goes to the engine.
 */
export function expectedResources(
  tenant: Tenant,
  deployment: ScanDeployment,
  template: ScanTemplate,
): { resources: ExpectedResource[]; unreadable: string[] } {
  const slug = tenant.slug;
  const layout = tenantDatabaseLayout(tenant);
  const components = componentsFor(tenant.status);
  const db = tenant.database;
  const resources: ExpectedResource[] = [];
  const unreadable: string[] = [];
  const add = (type: string, name: string, inputs: Record<string, unknown>) => resources.push({ type, name, inputs });

  add(TYPES.password, `${slug}-password`, {});
  add(TYPES.role, `${slug}-role`, {
    name: db.roleName,
    login: layout.login,
    password: NOT_FROM_FILES,
    connectionLimit: db.connectionLimit,
    ...(layout.searchPath ? { searchPaths: [...layout.searchPath] } : {}),
  });
  if (layout.ownDatabase) {
    add(TYPES.database, `${slug}-database`, { name: layout.database, owner: db.roleName });
    add(TYPES.grant, `${slug}-revoke-public-database`, {
      database: layout.database,
      role: "public",
      objectType: "database",
      privileges: [],
    });
  } else {
    add(TYPES.schema, `${slug}-schema`, { name: layout.schema, database: layout.database, owner: db.roleName });
    add(TYPES.grant, `${slug}-revoke-public-schema`, {
      database: layout.database,
      schema: layout.schema,
      role: "public",
      objectType: "schema",
      privileges: [],
    });
    add(TYPES.grant, `${slug}-connect-shared-database`, {
      database: layout.database,
      role: db.roleName,
      objectType: "database",
      privileges: ["CONNECT"],
    });
  }
  for (const objectType of ["function", "type"]) {
    add(TYPES.defaultPrivileges, `${slug}-default-privileges-${objectType}`, {
      database: layout.database,
      owner: db.roleName,
      role: "public",
      objectType,
      privileges: [],
    });
  }
  for (const extension of db.extensions)
    add(TYPES.extension, `${slug}-extension-${extension}`, { name: extension, database: layout.database });
  add(TYPES.settings, `${slug}-settings-table`, { connection: NOT_FROM_FILES, ...desiredSettings(tenant) });
  // As infra/stacks.ts: a template with migrations gives every tenant stack its migrations resource.
  if (template.migrations?.length && template.migrationsFolder)
    add(TYPES.migrations, `${slug}-migrations`, {
      connection: NOT_FROM_FILES,
      slug,
      database: db.databaseName,
      schema: db.schemaName,
      role: db.roleName,
      // This machine's checkout: the provider neither compares nor stores anything else from it.
      dir: NOT_FROM_FILES,
      migrations: declaredMigrations(template.migrations),
      // Where `migration_version` is written, with the registry's admin connection: a secret the scan does not read.
      ...(deployment.features.registry ? { registry: NOT_FROM_FILES } : {}),
    });

  const { features } = deployment;
  if (features.registry) {
    const { slug: _slug, ...row } = tenantRowOf(tenant, { host: "", port: 0 }, null);
    // Without custom domains, the rows are the same with TLS or without (the platform hostname's status is `none`).
    const tlsDeployed = features.tls && components.tls && tenant.domains.custom.length > 0;
    add(TYPES.registryRows, `${slug}-rows`, {
      connection: NOT_FROM_FILES,
      database: template.registry.database,
      schema: template.registry.schema,
      slug,
      row: {
        ...row,
        // Where this deployment reaches the server, and the organization's id: compared with the real row by
        // compare.ts (the admin settings this run resolves, the organization's id in the state).
        host: NOT_FROM_FILES,
        port: NOT_FROM_FILES,
        organization_id: features.auth && components.auth ? NOT_FROM_FILES : null,
      },
      // With TLS deployed the custom domains' status comes from the TLS provider (and such a stack is unreadable).
      domains: tlsDeployed
        ? NOT_FROM_FILES
        : Object.fromEntries(
            domainRowsOf(tenant, { deployed: false, domains: [] }).map(({ hostname, slug: _owner, ...values }) => [
              hostname,
              values,
            ]),
          ),
    });
    if (components.runtimeAccess) {
      add(TYPES.grantRole, `${slug}-runtime-member`, { role: RUNTIME_ROLE, grantRole: db.roleName });
      if (layout.ownDatabase)
        add(TYPES.grant, `${slug}-runtime-connect`, {
          database: layout.database,
          role: RUNTIME_ROLE,
          objectType: "database",
          privileges: ["CONNECT"],
        });
    }
  }
  // As TenantDomains: the hostname's record where the template's DNS is, certificates for the custom domains.
  if (features.dns && components.dns) {
    // The deployment context's DNS: the template's, its provider overridden as program.ts does.
    const { hostname, ingressHostname } = tenant.domains;
    const provider = deployment.dnsProvider || template.dns.provider;
    if (provider !== "powerdns") unreadable.push(`DNS records at ${provider} (the scan lists PowerDNS zones)`);
    else if (deployment.powerdnsInStackConfig)
      unreadable.push("DNS records with the stack's own tenantctl:powerdns config");
    else
      add(TYPES.powerdnsRecord, `${slug}-hostname`, {
        connection: NOT_FROM_FILES,
        tenant: slug,
        zone: absoluteName(template.dns.zone),
        name: absoluteName(hostname),
        type: "CNAME",
        ttl: DEFAULT_DNS_TTL_SECONDS,
        records: [presentation("CNAME", ingressHostname)],
      });
  }
  if (features.tls && components.tls && tenant.domains.custom.length > 0)
    unreadable.push("TLS for custom domains (the scan does not read certificates)");
  if (features.auth && components.auth) {
    if (deployment.authProvider !== "authhero") unreadable.push("Auth0 organizations and roles");
    else {
      for (const role of tenant.auth.roles) {
        add(TYPES.authheroRole, `${slug}-role-${role.name}`, {
          connection: NOT_FROM_FILES,
          tenant: slug,
          name: tenantRoleName(slug, role.name),
          description: role.description,
          permissions: sortedPermissions(
            permissionsFor(role, tenant.auth.resourceServers).map((p) => ({
              name: p.name,
              resourceServerIdentifier: p.resourceServerIdentifier,
            })),
          ),
        });
      }
      add(TYPES.authheroOrganization, `${slug}-organization`, {
        connection: NOT_FROM_FILES,
        tenant: slug,
        name: tenant.auth.organizationName,
        displayName: tenant.name,
        metadata: { ...organizationMetadata(tenant), roles: NOT_FROM_FILES },
      });
    }
  }
  return { resources, unreadable };
}

/** AuthHero role permissions in the order the provider keeps them: by resource server, then name. */
export function sortedPermissions<T extends { name: string; resourceServerIdentifier: string }>(
  permissions: readonly T[],
): T[] {
  return [...permissions].sort((a, b) =>
    a.resourceServerIdentifier === b.resourceServerIdentifier
      ? a.name.localeCompare(b.name)
      : a.resourceServerIdentifier.localeCompare(b.resourceServerIdentifier),
  );
}
