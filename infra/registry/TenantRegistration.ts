import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { RegistrySpec, Tenant } from "../../src/core/model";
import { type CustomDomainTls, domainRowsOf, RUNTIME_ROLE, tenantRowOf } from "../../src/core/registry";
import type { AdminConnection } from "../dynamic/settings/adminConnection";
import { componentsFor } from "../status";
import { type DomainRowValues, RegistryRows } from "./registryRows";

export interface TenantRegistrationArgs {
  readonly tenant: Tenant;
  /** Where the registry is (the template's `registry`), and the admin connection to its server (a secret). */
  readonly registry: RegistrySpec;
  readonly registryConnection: pulumi.Input<AdminConnection>;
  /** The provider of the tenant's own database server: the runtime role's grants are made there. */
  readonly provider: postgresql.Provider;
  /** Where apps reach the tenant's server (the deployment's host and port for it). */
  readonly host: string;
  readonly port: number;
  /** The tenant's role, once it exists (TenantDatabase's `user`): the grants wait for it. */
  readonly role: pulumi.Output<string>;
  /** The tenant's database, once it exists (TenantDatabase's `database`). */
  readonly database: pulumi.Output<string>;
  /** Whether the tenant has a database of its own (the runtime role then needs CONNECT on it). */
  readonly ownDatabase: boolean;
  /** The organization's id at the auth provider; absent where auth is not deployed. */
  readonly organizationId?: pulumi.Output<string>;
  /** What the TLS provider reported for the custom domains; absent where TLS is not deployed. */
  readonly customDomains?: pulumi.Output<readonly CustomDomainTls[]>;
}

/**
 * The tenant in the registry: its rows (RegistryRows), and, while it is active, the runtime role's way to its data
 * (membership in its role, CONNECT on its own database). Suspending or decommissioning the tenant stops declaring the
 * grants, so the same `up` revokes them; the rows stay, with the new status.
 */
export class TenantRegistration extends pulumi.ComponentResource {
  public readonly rows: RegistryRows;

  constructor(name: string, args: TenantRegistrationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:TenantRegistration", name, {}, opts);
    const parent = this;
    const { tenant, provider } = args;

    this.rows = createRows();
    if (componentsFor(tenant.status).runtimeAccess) createRuntimeAccess();
    this.registerOutputs({});

    function createRows(): RegistryRows {
      const { slug: _slug, ...row } = tenantRowOf(tenant, args, null);
      const tlsDeployed = args.customDomains !== undefined;
      const domains = pulumi
        .output(args.customDomains ?? [])
        .apply((reported) => domainsByHostname(domainRowsOf(tenant, { deployed: tlsDeployed, domains: reported })));
      return new RegistryRows(
        `${name}-rows`,
        {
          connection: args.registryConnection,
          database: args.registry.database,
          schema: args.registry.schema,
          slug: tenant.slug,
          // Through the role's and the database's outputs: the row is written once what it points at exists.
          row: pulumi
            .all([args.role, args.database, args.organizationId ?? null])
            .apply(([role, database, organizationId]) => ({
              ...row,
              role,
              database,
              organization_id: organizationId,
            })),
          domains,
        },
        { parent },
      );
    }

    function createRuntimeAccess(): void {
      new postgresql.GrantRole(
        `${name}-runtime-member`,
        { role: RUNTIME_ROLE, grantRole: args.role },
        { parent, provider },
      );
      if (args.ownDatabase) {
        new postgresql.Grant(
          `${name}-runtime-connect`,
          { database: args.database, role: RUNTIME_ROLE, objectType: "database", privileges: ["CONNECT"] },
          { parent, provider },
        );
      }
    }
  }
}

function domainsByHostname(rows: ReturnType<typeof domainRowsOf>): Record<string, DomainRowValues> {
  return Object.fromEntries(rows.map(({ hostname, slug: _slug, ...values }) => [hostname, values]));
}
