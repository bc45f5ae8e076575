import type * as pulumi from "@pulumi/pulumi";
import type * as auth0Organization from "@pulumi/auth0/organization";
import type * as auth0ResourceServer from "@pulumi/auth0/resourceServer";
import type * as auth0ResourceServerScopes from "@pulumi/auth0/resourceServerScopes";
import type * as auth0Role from "@pulumi/auth0/role";
import type * as auth0RolePermissions from "@pulumi/auth0/rolePermissions";
import type { AuthProvider, Declared, DeclaredResourceServer, OrganizationSpec, ResourceServerSpec, RoleSpec } from "./authProvider";

/**
 * Auth0, through @pulumi/auth0: scopes and a role's permissions are resources of their own (each authoritative, so
 * a scope or permission removed from the files is removed from Auth0). Needs the provider's `auth0:*` config.
 */
export class Auth0Auth implements AuthProvider {
  readonly kind = "auth0" as const;

  createResourceServer(name: string, server: ResourceServerSpec, opts: pulumi.CustomResourceOptions): DeclaredResourceServer {
    const { ResourceServer } = require("@pulumi/auth0/resourceServer") as typeof auth0ResourceServer;
    const created = new ResourceServer(
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
    const { ResourceServerScopes } = require("@pulumi/auth0/resourceServerScopes") as typeof auth0ResourceServerScopes;
    const scopes = new ResourceServerScopes(
      `${name}-scopes`,
      { resourceServerIdentifier: created.identifier, scopes: server.scopes.map((scope) => ({ name: scope, description: scope })) },
      opts,
    );
    // Auth0 refuses a permission whose scope does not exist yet.
    return { id: created.id, scopesReady: [scopes] };
  }

  createRole(name: string, role: RoleSpec, opts: pulumi.CustomResourceOptions): Declared {
    const { Role } = require("@pulumi/auth0/role") as typeof auth0Role;
    const created = new Role(name, { name: role.name, description: role.description }, { ...opts, import: role.importId });
    if (role.permissions.length > 0) {
      const { RolePermissions } = require("@pulumi/auth0/rolePermissions") as typeof auth0RolePermissions;
      new RolePermissions(
        `${name}-permissions`,
        { roleId: created.id, permissions: role.deployedPermissions ?? role.permissions.map((p) => ({ ...p })) },
        { ...opts, dependsOn: [...(role.permissionsDependOn ?? [])] },
      );
    }
    return created;
  }

  createOrganization(name: string, organization: OrganizationSpec, opts: pulumi.CustomResourceOptions): Declared {
    const { Organization } = require("@pulumi/auth0/organization") as typeof auth0Organization;
    return new Organization(
      name,
      { name: organization.name, displayName: organization.displayName, metadata: organization.metadata },
      { ...opts, import: organization.importId },
    );
  }
}
