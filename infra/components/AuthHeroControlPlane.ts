import * as pulumi from "@pulumi/pulumi";
import type { ControlPlane, ResourceServer, Role } from "../../src/core/model";
import { resourceServerKey } from "../../src/core/naming";
import { CONTROL_PLANE_OUTPUTS } from "../auth/controlPlaneOutputs";
import { idsByKey } from "../auth/idsByKey";
import { permissionsFor, templateRoleName, type RolePermission } from "../auth/roles";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { AuthHeroResourceServer, AuthHeroRole } from "../dynamic/authhero/resources";
import { CONTROL_PLANE_STACK } from "../../src/core/naming";
import { orFail } from "../resourceErrors";

export interface AuthHeroControlPlaneArgs {
  /** The resolved template, `tenants/_control-plane.yaml`. */
  readonly controlPlane: ControlPlane;
  /** The Management API client of AuthHero's control-plane tenant; a secret. */
  readonly connection: pulumi.Input<AuthHeroConnection>;
}

interface CheckedRole {
  readonly spec: Role;
  readonly roleName: string;
  readonly permissions: readonly RolePermission[];
}

/**
 * What every tenant shares, in AuthHero's control-plane model: the resource servers with their scopes and the
 * template roles with their permissions, owned by the `control-plane` stack alone. Tenant stacks read `roleIds` and
 * `resourceServerIds` from its outputs (the same CONTROL_PLANE_OUTPUTS as with Auth0) and never write these
 * entities, so a template role changed by hand is drift of this stack, and its `up` reverts it.
 */
export class AuthHeroControlPlane extends pulumi.ComponentResource {
  /** Template role ids by role name. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Resource server ids by identifier. */
  readonly resourceServerIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AuthHeroControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantctl:index:AuthHeroControlPlane", name, {}, opts);
    const { auth } = args.controlPlane;

    const checkedRoles = this.checkTemplateRoles(auth.roles, auth.resourceServers);
    const servers = this.createResourceServers(name, auth.resourceServers, args.connection);
    const roles = this.createTemplateRoles(name, checkedRoles, servers, args.connection);

    this.resourceServerIds = idsByKey(servers, (server) => server.id);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.registerOutputs(this.stackOutputs());
  }

  /** What the `control-plane` program must export, under the names tenant stacks read. */
  stackOutputs(): Record<(typeof CONTROL_PLANE_OUTPUTS)[keyof typeof CONTROL_PLANE_OUTPUTS], pulumi.Output<Record<string, string>>> {
    return { [CONTROL_PLANE_OUTPUTS.roleIds]: this.roleIds, [CONTROL_PLANE_OUTPUTS.resourceServerIds]: this.resourceServerIds };
  }

  /** Names and permissions are checked before anything is declared: a mistake in the template leaves AuthHero untouched. */
  private checkTemplateRoles(roles: readonly Role[], resourceServers: readonly ResourceServer[]): CheckedRole[] {
    return roles.map((spec) => ({
      spec,
      roleName: orFail(this, () => templateRoleName(spec.name)),
      permissions: orFail(this, () => permissionsFor(spec, resourceServers)),
    }));
  }

  private createResourceServers(name: string, resourceServers: readonly ResourceServer[], connection: pulumi.Input<AuthHeroConnection>): Map<string, AuthHeroResourceServer> {
    const deployed = new Map<string, AuthHeroResourceServer>();
    for (const spec of resourceServers) {
      // Scopes are part of the resource server in AuthHero's API; RBAC on and permissions in tokens, as with Auth0.
      const server = new AuthHeroResourceServer(
        `${name}-${resourceServerKey(spec.identifier)}`,
        { connection, tenant: CONTROL_PLANE_STACK, identifier: spec.identifier, name: spec.name, scopes: spec.scopes },
        { parent: this },
      );
      deployed.set(spec.identifier, server);
    }
    return deployed;
  }

  private createTemplateRoles(
    name: string,
    roles: readonly CheckedRole[],
    servers: ReadonlyMap<string, AuthHeroResourceServer>,
    connection: pulumi.Input<AuthHeroConnection>,
  ): Map<string, AuthHeroRole> {
    const created = new Map<string, AuthHeroRole>();
    for (const { spec, roleName, permissions } of roles) {
      // AuthHero accepts permissions of scopes that do not exist; waiting for the servers keeps the order Auth0 needs anyway.
      const needed = [...new Set(permissions.map((p) => servers.get(p.resourceServerIdentifier)))].filter((server): server is AuthHeroResourceServer => server !== undefined);
      const role = new AuthHeroRole(
        `${name}-role-${spec.name}`,
        { connection, tenant: CONTROL_PLANE_STACK, name: roleName, description: spec.description, permissions: permissions.map((p) => ({ ...p })) },
        { parent: this, dependsOn: needed },
      );
      created.set(spec.name, role);
    }
    return created;
  }
}
