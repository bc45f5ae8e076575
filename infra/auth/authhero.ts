import type * as pulumi from "@pulumi/pulumi";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { AuthHeroOrganization, AuthHeroResourceServer, AuthHeroRole } from "../dynamic/authhero/resources";
import type {
  AuthProvider,
  Declared,
  DeclaredResourceServer,
  OrganizationSpec,
  ResourceServerSpec,
  RoleSpec,
} from "./authProvider";

export interface AuthHeroAuthArgs {
  /** The Management API client of AuthHero's control-plane tenant; a secret. */
  readonly connection: pulumi.Input<AuthHeroConnection>;
}

/**
 * AuthHero, through its Management API v2 (our dynamic providers, infra/dynamic/authhero): scopes are part of the
 * resource server and permissions part of the role. Each provider's create adopts an entity that already has the
 * name tenantctl gives it, so there is nothing to import.
 */
export class AuthHeroAuth implements AuthProvider {
  readonly kind = "authhero" as const;
  private readonly connection: pulumi.Input<AuthHeroConnection>;

  constructor(args: AuthHeroAuthArgs) {
    this.connection = args.connection;
  }

  createResourceServer(
    name: string,
    server: ResourceServerSpec,
    opts: pulumi.CustomResourceOptions,
  ): DeclaredResourceServer {
    const created = new AuthHeroResourceServer(
      name,
      {
        connection: this.connection,
        tenant: server.owner,
        identifier: server.identifier,
        name: server.name,
        scopes: server.scopes,
      },
      opts,
    );
    // AuthHero accepts permissions of scopes that do not exist; waiting for the server keeps the order Auth0 needs anyway.
    return { id: created.id, scopesReady: [created] };
  }

  createRole(name: string, role: RoleSpec, opts: pulumi.CustomResourceOptions): Declared {
    const permissions = role.deployedPermissions ?? role.permissions.map((p) => ({ ...p }));
    return new AuthHeroRole(
      name,
      { connection: this.connection, tenant: role.owner, name: role.name, description: role.description, permissions },
      { ...opts, dependsOn: [...(role.permissionsDependOn ?? [])] },
    );
  }

  createOrganization(name: string, organization: OrganizationSpec, opts: pulumi.CustomResourceOptions): Declared {
    return new AuthHeroOrganization(
      name,
      {
        connection: this.connection,
        tenant: organization.owner,
        name: organization.name,
        displayName: organization.displayName,
        metadata: organization.metadata,
      },
      opts,
    );
  }
}
