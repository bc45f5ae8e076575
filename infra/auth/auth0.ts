import * as auth0 from "@pulumi/auth0";
import type * as pulumi from "@pulumi/pulumi";
import type {
  AuthProvider,
  Declared,
  DeclaredResourceServer,
  OrganizationSpec,
  ResourceServerSpec,
  RoleSpec,
} from "./authProvider";

/**
 * Auth0, through @pulumi/auth0: scopes and a role's permissions are resources of their own (each authoritative, so
 * a scope or permission removed from the files is removed from Auth0). Needs the provider's `auth0:*` config.
 */
export class Auth0Auth implements AuthProvider {
  readonly kind = "auth0" as const;

  createResourceServer(
    name: string,
    server: ResourceServerSpec,
    opts: pulumi.CustomResourceOptions,
  ): DeclaredResourceServer {
    const created = new auth0.ResourceServer(
      name,
      {
        identifier: server.identifier,
        name: server.name,
        // Role-based access control on, and permissions in access tokens: without it, Auth0 ignores the roles'
        // permissions and the roles mean nothing to the APIs.
        enforcePolicies: true,
        tokenDialect: "access_token_authz",
      },
      opts,
    );
    if (server.scopes.length === 0) return { id: created.id, scopesReady: [] };
    const scopes = new auth0.ResourceServerScopes(
      `${name}-scopes`,
      {
        resourceServerIdentifier: created.identifier,
        scopes: server.scopes.map((scope) => ({ name: scope, description: scope })),
      },
      opts,
    );
    // Auth0 refuses a permission whose scope does not exist yet.
    return { id: created.id, scopesReady: [scopes] };
  }

  createRole(name: string, role: RoleSpec, opts: pulumi.CustomResourceOptions): Declared {
    const created = new auth0.Role(
      name,
      { name: role.name, description: role.description },
      { ...opts, import: role.importId },
    );
    if (role.permissions.length > 0) {
      new auth0.RolePermissions(
        `${name}-permissions`,
        { roleId: created.id, permissions: role.deployedPermissions ?? role.permissions.map((p) => ({ ...p })) },
        { ...opts, dependsOn: [...(role.permissionsDependOn ?? [])] },
      );
    }
    return created;
  }

  createOrganization(name: string, organization: OrganizationSpec, opts: pulumi.CustomResourceOptions): Declared {
    return new auth0.Organization(
      name,
      { name: organization.name, displayName: organization.displayName, metadata: organization.metadata },
      { ...opts, import: organization.importId },
    );
  }
}
