import * as pulumi from "@pulumi/pulumi";
import * as auth0 from "@pulumi/auth0";
import type { ControlPlane, ResourceServer, Role } from "../../src/core/model";
import { CONTROL_PLANE_OUTPUTS } from "../auth/controlPlaneOutputs";
import { idsByKey } from "../auth/idsByKey";
import { resourceServerKey } from "../../src/core/naming";
import { permissionsFor, templateRoleName, type RolePermission } from "../auth/roles";
import { orFail } from "../resourceErrors";

export interface Auth0ControlPlaneArgs {
  /** The resolved template, `tenants/_control-plane.yaml`. */
  readonly controlPlane: ControlPlane;
}

interface CheckedRole {
  readonly spec: Role;
  readonly roleName: string;
  readonly permissions: readonly RolePermission[];
}

interface DeployedResourceServer {
  readonly server: auth0.ResourceServer;
  /** Present when the server has scopes; role permissions must wait for it. */
  readonly scopes?: auth0.ResourceServerScopes;
}

/**
 * What every tenant shares, deployed once by the `control-plane` stack: the auth resource servers with their
 * scopes, and the template roles with their permissions. Tenant stacks read `roleIds` and `resourceServerIds`
 * from this stack's outputs (see `stackOutputs()`).
 */
export class Auth0ControlPlane extends pulumi.ComponentResource {
  /** Template role ids by role name. */
  readonly roleIds: pulumi.Output<Record<string, string>>;
  /** Resource server ids by identifier. */
  readonly resourceServerIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: Auth0ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantctl:index:ControlPlane", name, {}, opts);
    const { auth } = args.controlPlane;
    this.assertSupportedProvider(auth.provider);

    const checkedRoles = this.checkTemplateRoles(auth.roles, auth.resourceServers);
    const servers = this.createResourceServers(name, auth.resourceServers);
    const roles = this.createTemplateRoles(name, checkedRoles, servers);

    this.resourceServerIds = idsByKey(servers, ({ server }) => server.id);
    this.roleIds = idsByKey(roles, (role) => role.id);
    this.registerOutputs(this.stackOutputs());
  }

  /** What the `control-plane` program must export, under the names tenant stacks read. */
  stackOutputs(): Record<(typeof CONTROL_PLANE_OUTPUTS)[keyof typeof CONTROL_PLANE_OUTPUTS], pulumi.Output<Record<string, string>>> {
    return { [CONTROL_PLANE_OUTPUTS.roleIds]: this.roleIds, [CONTROL_PLANE_OUTPUTS.resourceServerIds]: this.resourceServerIds };
  }

  private assertSupportedProvider(provider: string): void {
    if (provider !== "auth0") {
      throw new pulumi.ResourceError(
        `Auth0ControlPlane deploys auth.provider auth0, not "${provider}":` +
          ` use AuthHeroControlPlane for authhero (infra/stacks.ts chooses by the deployment's auth provider).`,
        this,
      );
    }
  }

  private createResourceServers(
    name: string,
    resourceServers: readonly ResourceServer[],
  ): Map<string, DeployedResourceServer> {
    const deployed = new Map<string, DeployedResourceServer>();
    for (const spec of resourceServers) {
      const key = `${name}-${resourceServerKey(spec.identifier)}`;
      const server = new auth0.ResourceServer(
        key,
        {
          identifier: spec.identifier,
          name: spec.name,
          // Role-based access control on, and permissions in access tokens: without it, Auth0 ignores the roles'
          // permissions and the roles mean nothing to the APIs.
          enforcePolicies: true,
          tokenDialect: "access_token_authz",
        },
        { parent: this },
      );
      // Scopes are their own, authoritative resource: a scope removed from the template is removed from Auth0.
      const scopes =
        spec.scopes.length === 0
          ? undefined
          : new auth0.ResourceServerScopes(
              `${key}-scopes`,
              {
                resourceServerIdentifier: server.identifier,
                scopes: spec.scopes.map((scope) => ({ name: scope, description: scope })),
              },
              { parent: this },
            );
      deployed.set(spec.identifier, { server, scopes });
    }
    return deployed;
  }

  /** Names and permissions are checked before anything is declared: a mistake in the template leaves Auth0 untouched. */
  private checkTemplateRoles(roles: readonly Role[], resourceServers: readonly ResourceServer[]): CheckedRole[] {
    return roles.map((spec) => ({
      spec,
      roleName: orFail(this, () => templateRoleName(spec.name)),
      permissions: orFail(this, () => permissionsFor(spec, resourceServers)),
    }));
  }

  private createTemplateRoles(
    name: string,
    roles: readonly CheckedRole[],
    deployed: ReadonlyMap<string, DeployedResourceServer>,
  ): Map<string, auth0.Role> {
    const created = new Map<string, auth0.Role>();
    for (const { spec, roleName, permissions } of roles) {
      const role = new auth0.Role(`${name}-role-${spec.name}`, { name: roleName, description: spec.description }, { parent: this });
      if (permissions.length > 0) {
        // Auth0 refuses a permission whose scope does not exist yet.
        const scopes = [...new Set(permissions.map((p) => deployed.get(p.resourceServerIdentifier)?.scopes))].filter(
          (resource): resource is auth0.ResourceServerScopes => resource !== undefined,
        );
        new auth0.RolePermissions(
          `${name}-role-${spec.name}-permissions`,
          { roleId: role.id, permissions: permissions.map((p) => ({ ...p })) },
          { parent: this, dependsOn: scopes },
        );
      }
      created.set(spec.name, role);
    }
    return created;
  }
}
