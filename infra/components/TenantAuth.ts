import * as pulumi from "@pulumi/pulumi";
import * as auth0 from "@pulumi/auth0";
import type { Role, Tenant } from "../../src/core/model";
import type { AuthImports } from "../auth/auth0Adoption";
import { type ControlPlaneIds, referenceControlPlane } from "../auth/controlPlaneReference";
import { idsByKey } from "../auth/idsByKey";
import {
  assignableRolesMetadataValue,
  organizationMetadata,
  permissionsFor,
  type RolePermission,
  templateRoleIds,
  tenantRoleName,
  undeployedResourceServers,
} from "../auth/roles";
import { orFail } from "../resourceErrors";

export interface TenantAuthArgs {
  readonly tenant: Tenant;
  /** Fully qualified name of the stack that owns the resource servers and template roles (`<organization>/<project>/control-plane`). */
  readonly controlPlaneStack: string;
  /**
   * The organization and roles that exist already and are imported (`tenantctl adopt`, infra/auth/auth0Adoption.ts).
   * @default nothing is imported
   */
  readonly imports?: AuthImports;
}


/**
 * The tenant's side of auth (Auth0): an organization, the tenant's own roles with their permissions, and the
 * organization's assignable roles (template roles from the control-plane stack plus its own).
 *
 * Statuses change no resource here: suspended and decommissioned tenants keep the organization and roles (audit);
 * the organization's metadata carries the status so a post-login Action refuses their logins.
 */
export class TenantAuth extends pulumi.ComponentResource {
  readonly organizationId: pulumi.Output<string>;
  /** Ids of the tenant's own roles, by their name in the tenant file. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Every role the organization's members may be given: template roles first, then the tenant's own. */
  readonly assignableRoleIds: pulumi.Output<string[]>;

  constructor(name: string, args: TenantAuthArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantctl:index:TenantAuth", name, {}, opts);
    const { tenant } = args;
    this.assertSupportedProvider(tenant);

    const controlPlane = referenceControlPlane(this, name, args.controlPlaneStack);
    const imports = args.imports ?? { roles: {} };
    const roles = this.createTenantRoles(name, tenant, controlPlane, imports);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.assignableRoleIds = this.assignableRoles(tenant, controlPlane, roles);
    this.organizationId = this.createOrganization(name, tenant, this.assignableRoleIds, imports).id;

    this.registerOutputs({
      organizationId: this.organizationId,
      roleIds: this.roleIds,
      assignableRoleIds: this.assignableRoleIds,
    });
  }

  private assertSupportedProvider(tenant: Tenant): void {
    if (tenant.auth.provider !== "auth0") {
      throw new pulumi.ResourceError(
        `TenantAuth deploys auth.provider auth0, not "${tenant.auth.provider}" (tenant "${tenant.slug}"):` +
          ` use AuthHeroTenantAuth for authhero (infra/stacks.ts chooses by the deployment's auth provider).`,
        this,
      );
    }
  }


  private createTenantRoles(name: string, tenant: Tenant, controlPlane: ControlPlaneIds, imports: AuthImports): Map<string, auth0.Role> {
    const created = new Map<string, auth0.Role>();
    // Every role's permissions are checked before anything is declared: a mistake leaves Auth0 untouched.
    const permissionsByRole = tenant.auth.roles.map((spec) => ({
      spec,
      permissions: orFail(this, () => permissionsFor(spec, tenant.auth.resourceServers)),
    }));
    for (const { spec, permissions } of permissionsByRole) {
      const role = new auth0.Role(
        `${name}-role-${spec.name}`,
        { name: tenantRoleName(tenant.slug, spec.name), description: spec.description },
        { parent: this, import: imports.roles[spec.name] },
      );
      this.grantPermissions(`${name}-role-${spec.name}-permissions`, role, spec, permissions, controlPlane);
      created.set(spec.name, role);
    }
    return created;
  }

  private grantPermissions(
    name: string,
    role: auth0.Role,
    spec: Role,
    permissions: readonly RolePermission[],
    controlPlane: ControlPlaneIds,
  ): void {
    if (permissions.length === 0) return;
    // Read through the control-plane's outputs: the permissions wait for that stack, and name it if it lacks a server.
    const deployedPermissions = controlPlane.resourceServerIds.apply((resourceServerIds) => {
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
    new auth0.RolePermissions(name, { roleId: role.id, permissions: deployedPermissions }, { parent: this });
  }

  private assignableRoles(
    tenant: Tenant,
    controlPlane: ControlPlaneIds,
    roles: ReadonlyMap<string, auth0.Role>,
  ): pulumi.Output<string[]> {
    const templateIds = controlPlane.roleIds.apply((roleIdsByName) =>
      orFail(this, () => templateRoleIds(roleIdsByName, tenant.auth.templateRoles, controlPlane.stack)),
    );
    const ownIds = pulumi.all([...roles.values()].map((role) => role.id));
    return pulumi.all([templateIds, ownIds]).apply(([template, own]) => [...template, ...own]);
  }

  private createOrganization(name: string, tenant: Tenant, assignableRoleIds: pulumi.Output<string[]>, imports: AuthImports): auth0.Organization {
    return new auth0.Organization(
      `${name}-organization`,
      {
        name: tenant.auth.organizationName,
        displayName: tenant.name,
        metadata: {
          ...organizationMetadata(tenant),
          roles: assignableRoleIds.apply((ids) => orFail(this, () => assignableRolesMetadataValue(ids))),
        },
      },
      { parent: this, import: imports.organization },
    );
  }
}
