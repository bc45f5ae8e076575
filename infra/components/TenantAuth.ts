import * as pulumi from "@pulumi/pulumi";
import type { AuthProviderName, Role, Tenant } from "../../src/core/model";
import type { AuthImports } from "../auth/auth0Adoption";
import type { AuthProvider, Declared } from "../auth/authProvider";
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
import { withEarlierTypes } from "../earlierTypes";
import { orFail } from "../resourceErrors";

export interface TenantAuthArgs {
  readonly tenant: Tenant;
  /** Where the organization and roles are declared: the deployment context's `auth()` (`authFor(provider)`). */
  readonly auth: AuthProvider;
  /** Fully qualified name of the stack that owns the resource servers and template roles (`<organization>/<project>/control-plane`). */
  readonly controlPlaneStack: string;
  /**
   * The organization and roles that exist already and are imported (`tenantctl adopt`, infra/auth/auth0Adoption.ts).
   * @default nothing is imported
   */
  readonly imports?: AuthImports;
}

/**
 * The type tokens this component had when each provider had a component of its own: stacks deployed then keep
 * every resource.
 */
const EARLIER_TYPES: Record<AuthProviderName, readonly string[]> = {
  auth0: [],
  authhero: ["tenantctl:index:AuthHeroTenantAuth"],
};

interface CheckedRole {
  readonly spec: Role;
  readonly permissions: readonly RolePermission[];
}

/**
 * The tenant's side of auth: an organization named after the slug, the tenant's own roles (`<slug>:<role>`) with
 * their permissions, and the organization's metadata (slug, plan, status and `roles`, the ids of the roles its
 * members may be given: template roles from the control-plane stack, then its own), at the deployment's auth provider.
 *
 * The template roles are read from the control-plane stack's outputs and never declared here: a tenant stack cannot
 * write them. Statuses change no entity: suspended and decommissioned tenants keep the organization and their roles
 * (audit); `metadata.status` says which, so the login flow (a post-login Action, or the app) refuses their logins.
 */
export class TenantAuth extends pulumi.ComponentResource {
  readonly organizationId: pulumi.Output<string>;
  /** Ids of the tenant's own roles, by their name in the tenant file. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Every role the organization's members may be given, once each: template roles first, then the tenant's own. */
  readonly assignableRoleIds: pulumi.Output<string[]>;

  constructor(name: string, args: TenantAuthArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:TenantAuth", name, {}, withEarlierTypes(opts, EARLIER_TYPES[args.auth.kind]));
    const { tenant } = args;

    const checkedRoles = this.checkRoles(tenant);
    const controlPlane = referenceControlPlane(this, name, args.controlPlaneStack);
    const roles = this.createTenantRoles(name, tenant, checkedRoles, controlPlane, args);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.assignableRoleIds = this.assignableRoles(tenant, controlPlane, roles);
    this.organizationId = this.createOrganization(name, tenant, this.assignableRoleIds, args).id;

    this.registerOutputs({
      organizationId: this.organizationId,
      roleIds: this.roleIds,
      assignableRoleIds: this.assignableRoleIds,
    });
  }

  /** Every role's permissions are checked before anything is declared: a mistake leaves the provider untouched. */
  private checkRoles(tenant: Tenant): CheckedRole[] {
    return tenant.auth.roles.map((spec) => ({
      spec,
      permissions: orFail(this, () => permissionsFor(spec, tenant.auth.resourceServers)),
    }));
  }

  private createTenantRoles(
    name: string,
    tenant: Tenant,
    roles: readonly CheckedRole[],
    controlPlane: ControlPlaneIds,
    args: TenantAuthArgs,
  ): Map<string, Declared> {
    const created = new Map<string, Declared>();
    for (const { spec, permissions } of roles) {
      const role = args.auth.createRole(
        `${name}-role-${spec.name}`,
        {
          owner: tenant.slug,
          name: tenantRoleName(tenant.slug, spec.name),
          description: spec.description,
          permissions,
          deployedPermissions: this.deployedPermissions(spec, permissions, controlPlane),
          importId: args.imports?.roles[spec.name],
        },
        { parent: this },
      );
      created.set(spec.name, role);
    }
    return created;
  }

  /** Read through the control-plane's outputs: the permissions wait for that stack, and name it if it lacks a server. */
  private deployedPermissions(
    spec: Role,
    permissions: readonly RolePermission[],
    controlPlane: ControlPlaneIds,
  ): pulumi.Output<RolePermission[]> {
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

  private assignableRoles(
    tenant: Tenant,
    controlPlane: ControlPlaneIds,
    roles: ReadonlyMap<string, Declared>,
  ): pulumi.Output<string[]> {
    const templateIds = controlPlane.roleIds.apply((roleIdsByName) =>
      orFail(this, () => templateRoleIds(roleIdsByName, tenant.auth.templateRoles, controlPlane.stack)),
    );
    const ownIds = pulumi.all([...roles.values()].map((role) => role.id));
    return pulumi.all([templateIds, ownIds]).apply(([template, own]) => [...new Set([...template, ...own])]);
  }

  private createOrganization(
    name: string,
    tenant: Tenant,
    assignableRoleIds: pulumi.Output<string[]>,
    args: TenantAuthArgs,
  ): Declared {
    return args.auth.createOrganization(
      `${name}-organization`,
      {
        owner: tenant.slug,
        name: tenant.auth.organizationName,
        displayName: tenant.name,
        metadata: {
          ...organizationMetadata(tenant),
          // One metadata value holds the list: checked against its limit whatever the provider, as `validate` does.
          roles: assignableRoleIds.apply((ids) => orFail(this, () => assignableRolesMetadataValue(ids))),
        },
        importId: args.imports?.organization,
      },
      { parent: this },
    );
  }
}
