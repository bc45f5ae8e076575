import * as pulumi from "@pulumi/pulumi";
import type { AuthProviderName, ControlPlane, ResourceServer, Role } from "../../src/core/model";
import { CONTROL_PLANE_STACK, resourceServerKey } from "../../src/core/naming";
import type { AuthProvider, Declared, DeclaredResourceServer } from "../auth/authProvider";
import { CONTROL_PLANE_OUTPUTS } from "../auth/controlPlaneOutputs";
import { idsByKey } from "../auth/idsByKey";
import { permissionsFor, type RolePermission, templateRoleName } from "../auth/roles";
import { withEarlierTypes } from "../earlierTypes";
import { orFail } from "../resourceErrors";

export interface ControlPlaneAuthArgs {
  /** The resolved template, `tenants/_control-plane.yaml`. */
  readonly controlPlane: ControlPlane;
  /** Where the resource servers and template roles are declared: the deployment context's `auth()`. */
  readonly auth: AuthProvider;
}

/**
 * The type tokens this component had when each provider had a component of its own (Auth0's was plain
 * `ControlPlane`): stacks deployed then keep every resource.
 */
const EARLIER_TYPES: Record<AuthProviderName, readonly string[]> = {
  auth0: ["tenantctl:index:ControlPlane"],
  authhero: ["tenantctl:index:AuthHeroControlPlane"],
};

interface CheckedRole {
  readonly spec: Role;
  readonly roleName: string;
  readonly permissions: readonly RolePermission[];
}

/**
 * What every tenant shares at the auth provider, owned by the `control-plane` stack alone: the resource servers
 * with their scopes, and the template roles with their permissions. Tenant stacks read `roleIds` and
 * `resourceServerIds` from this stack's outputs (see `stackOutputs()`) and never write these entities, so a template
 * role changed by hand is drift of this stack, and its `up` reverts it.
 */
export class ControlPlaneAuth extends pulumi.ComponentResource {
  /** Template role ids by role name. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Resource server ids by identifier. */
  readonly resourceServerIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ControlPlaneAuthArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:ControlPlaneAuth", name, {}, withEarlierTypes(opts, EARLIER_TYPES[args.auth.kind]));
    const { auth } = args.controlPlane;

    const checkedRoles = this.checkTemplateRoles(auth.roles, auth.resourceServers);
    const servers = this.createResourceServers(name, auth.resourceServers, args.auth);
    const roles = this.createTemplateRoles(name, checkedRoles, servers, args.auth);

    this.resourceServerIds = idsByKey(servers, (server) => server.id);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.registerOutputs(this.stackOutputs());
  }

  /** What the `control-plane` program must export, under the names tenant stacks read. */
  stackOutputs(): Record<
    (typeof CONTROL_PLANE_OUTPUTS)[keyof typeof CONTROL_PLANE_OUTPUTS],
    pulumi.Output<Record<string, string>>
  > {
    return {
      [CONTROL_PLANE_OUTPUTS.roleIds]: this.roleIds,
      [CONTROL_PLANE_OUTPUTS.resourceServerIds]: this.resourceServerIds,
    };
  }

  /** Names and permissions are checked before anything is declared: a mistake in the template leaves the provider untouched. */
  private checkTemplateRoles(roles: readonly Role[], resourceServers: readonly ResourceServer[]): CheckedRole[] {
    return roles.map((spec) => ({
      spec,
      roleName: orFail(this, () => templateRoleName(spec.name)),
      permissions: orFail(this, () => permissionsFor(spec, resourceServers)),
    }));
  }

  private createResourceServers(
    name: string,
    resourceServers: readonly ResourceServer[],
    auth: AuthProvider,
  ): Map<string, DeclaredResourceServer> {
    const deployed = new Map<string, DeclaredResourceServer>();
    for (const spec of resourceServers) {
      const server = auth.createResourceServer(
        `${name}-${resourceServerKey(spec.identifier)}`,
        { owner: CONTROL_PLANE_STACK, identifier: spec.identifier, name: spec.name, scopes: spec.scopes },
        { parent: this },
      );
      deployed.set(spec.identifier, server);
    }
    return deployed;
  }

  private createTemplateRoles(
    name: string,
    roles: readonly CheckedRole[],
    servers: ReadonlyMap<string, DeclaredResourceServer>,
    auth: AuthProvider,
  ): Map<string, Declared> {
    const created = new Map<string, Declared>();
    for (const { spec, roleName, permissions } of roles) {
      // The permissions wait for the scopes they name.
      const needed = [...new Set(permissions.map((p) => servers.get(p.resourceServerIdentifier)))].filter(
        (server): server is DeclaredResourceServer => server !== undefined,
      );
      const role = auth.createRole(
        `${name}-role-${spec.name}`,
        {
          owner: CONTROL_PLANE_STACK,
          name: roleName,
          description: spec.description,
          permissions,
          permissionsDependOn: needed.flatMap((server) => server.scopesReady),
        },
        { parent: this },
      );
      created.set(spec.name, role);
    }
    return created;
  }
}
