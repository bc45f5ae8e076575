import * as pulumi from "@pulumi/pulumi";
import type { Role, Tenant } from "../../src/core/model";
import { type ControlPlaneIds, referenceControlPlane } from "../auth/controlPlaneReference";
import { idsByKey } from "../auth/idsByKey";
import { organizationMetadata, permissionsFor, type RolePermission, templateRoleIds, tenantRoleName, undeployedResourceServers } from "../auth/roles";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { AuthHeroOrganization, AuthHeroRole } from "../dynamic/authhero/resources";
import { orFail } from "../resourceErrors";

export interface AuthHeroTenantAuthArgs {
  readonly tenant: Tenant;
  /** Fully qualified name of the stack that owns the resource servers and template roles (`<organization>/<project>/control-plane`). */
  readonly controlPlaneStack: string;
  /** The Management API client of AuthHero's control-plane tenant; a secret. */
  readonly connection: pulumi.Input<AuthHeroConnection>;
}


/**
 * The tenant's side of auth with AuthHero: an organization named after the slug, the tenant's own roles
 * (`<slug>:<role>`) with their permissions, and the organization's metadata (slug, plan, status and `roles`, the ids
 * of the roles its members may be given: template roles from the control-plane stack, then its own).
 *
 * The template roles are read from the control-plane stack's outputs and never declared here: a tenant stack cannot
 * write them. Statuses change no entity, as with Auth0: suspended and decommissioned tenants keep the organization
 * and their roles (audit); `metadata.status` says which, so the login flow (an AuthHero action or the app) refuses
 * their logins.
 */
export class AuthHeroTenantAuth extends pulumi.ComponentResource {
  readonly organizationId: pulumi.Output<string>;
  /** Ids of the tenant's own roles, by their name in the tenant file. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Every role the organization's members may be given: template roles first, then the tenant's own. */
  readonly assignableRoleIds: pulumi.Output<string[]>;

  constructor(name: string, args: AuthHeroTenantAuthArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantctl:index:AuthHeroTenantAuth", name, {}, opts);
    const { tenant, connection } = args;

    const controlPlane = referenceControlPlane(this, name, args.controlPlaneStack);
    const roles = this.createTenantRoles(name, tenant, controlPlane, connection);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.assignableRoleIds = this.assignableRoles(tenant, controlPlane, roles);
    this.organizationId = this.createOrganization(name, tenant, this.assignableRoleIds, connection).id;

    this.registerOutputs({ organizationId: this.organizationId, roleIds: this.roleIds, assignableRoleIds: this.assignableRoleIds });
  }


  private createTenantRoles(name: string, tenant: Tenant, controlPlane: ControlPlaneIds, connection: pulumi.Input<AuthHeroConnection>): Map<string, AuthHeroRole> {
    const created = new Map<string, AuthHeroRole>();
    // Every role's permissions are checked before anything is declared: a mistake leaves AuthHero untouched.
    const permissionsByRole = tenant.auth.roles.map((spec) => ({ spec, permissions: orFail(this, () => permissionsFor(spec, tenant.auth.resourceServers)) }));
    for (const { spec, permissions } of permissionsByRole) {
      const role = new AuthHeroRole(
        `${name}-role-${spec.name}`,
        { connection, tenant: tenant.slug, name: tenantRoleName(tenant.slug, spec.name), description: spec.description, permissions: this.deployedPermissions(spec, permissions, controlPlane) },
        { parent: this },
      );
      created.set(spec.name, role);
    }
    return created;
  }

  /** Read through the control-plane's outputs: the permissions wait for that stack, and name it if it lacks a server. */
  private deployedPermissions(spec: Role, permissions: readonly RolePermission[], controlPlane: ControlPlaneIds): pulumi.Output<RolePermission[]> {
    return controlPlane.resourceServerIds.apply((resourceServerIds) => {
      const missing = undeployedResourceServers(permissions, resourceServerIds);
      if (missing.length > 0) {
        throw new pulumi.ResourceError(
          `Role "${spec.name}" needs resource server(s) ${missing.join(", ")}, which stack "${controlPlane.stack}"` +
            ` has not deployed: run \`pulumi up -s control-plane\` before the tenant stacks.`,
          this,
        );
      }
      return permissions.map((p) => ({ ...p }));
    });
  }

  private assignableRoles(tenant: Tenant, controlPlane: ControlPlaneIds, roles: ReadonlyMap<string, AuthHeroRole>): pulumi.Output<string[]> {
    const templateIds = controlPlane.roleIds.apply((roleIdsByName) => orFail(this, () => templateRoleIds(roleIdsByName, tenant.auth.templateRoles, controlPlane.stack)));
    const ownIds = pulumi.all([...roles.values()].map((role) => role.id));
    return pulumi.all([templateIds, ownIds]).apply(([template, own]) => [...new Set([...template, ...own])]);
  }

  private createOrganization(name: string, tenant: Tenant, assignableRoleIds: pulumi.Output<string[]>, connection: pulumi.Input<AuthHeroConnection>): AuthHeroOrganization {
    return new AuthHeroOrganization(
      `${name}-organization`,
      {
        connection,
        tenant: tenant.slug,
        name: tenant.auth.organizationName,
        displayName: tenant.name,
        metadata: assignableRoleIds.apply((ids) => ({ ...organizationMetadata(tenant), roles: ids.join(",") })),
      },
      { parent: this },
    );
  }
}
