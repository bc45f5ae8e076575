import type * as pulumi from "@pulumi/pulumi";
import type { AuthProviderName } from "../../src/core/model";
import type { RolePermission } from "./roles";

/** Every entity is declared for one stack: AuthHero files it under that tenant and names it in its errors. */
interface OwnedEntity {
  /** The slug of the stack's tenant, or `control-plane`. */
  readonly owner: string;
}

export interface ResourceServerSpec extends OwnedEntity {
  readonly identifier: string;
  readonly name: string;
  /** Scope values, in template order. */
  readonly scopes: readonly string[];
}

export interface DeclaredResourceServer {
  readonly id: pulumi.Output<string>;
  /** What a role's permissions on this server's scopes must wait for: the provider refuses (or may refuse) them before. */
  readonly scopesReady: readonly pulumi.Resource[];
}

export interface RoleSpec extends OwnedEntity {
  /** The name at the provider: plain for a template role, `<slug>:<role>` for a tenant's own. */
  readonly name: string;
  readonly description: string;
  /** Checked already (`permissionsFor`); none means no grant at all. */
  readonly permissions: readonly RolePermission[];
  /**
   * The same permissions once what they name is deployed: a tenant stack waits for the control-plane stack's outputs.
   * @default `permissions`, as they are
   */
  readonly deployedPermissions?: pulumi.Output<RolePermission[]>;
  /**
   * Resources the permissions must wait for (`DeclaredResourceServer.scopesReady`).
   * @default nothing
   */
  readonly permissionsDependOn?: readonly pulumi.Resource[];
  /**
   * The id of an existing role to import (`tenantctl adopt`, auth0Adoption.ts).
   * @default created; AuthHero's provider adopts a same-named role on create by itself and ignores this
   */
  readonly importId?: string;
}

export interface OrganizationSpec extends OwnedEntity {
  /** The tenant's slug. */
  readonly name: string;
  readonly displayName: string;
  readonly metadata: Record<string, pulumi.Input<string>>;
  /**
   * The id of an existing organization to import (`tenantctl adopt`).
   * @default created; AuthHero's provider adopts a same-named organization on create by itself and ignores this
   */
  readonly importId?: string;
}

export interface Declared {
  readonly id: pulumi.Output<string>;
}

/**
 * Where tenantctl declares auth entities. The components (TenantAuth, ControlPlaneAuth) talk to this interface only
 * and hold every rule (names, permission checks, the wait for the control plane, the assignable roles and their
 * metadata limit), so both providers get the same; an adapter only says how its provider stores each entity.
 * `authFor` picks the implementation from the deployment's auth provider. `opts.parent` is the owning component.
 */
export interface AuthProvider {
  readonly kind: AuthProviderName;
  /** An API with its scopes, RBAC on and permissions in its access tokens (the control plane). */
  createResourceServer(
    name: string,
    server: ResourceServerSpec,
    opts: pulumi.CustomResourceOptions,
  ): DeclaredResourceServer;
  /** A role with its permissions: a template role (the control plane) or a tenant's own. */
  createRole(name: string, role: RoleSpec, opts: pulumi.CustomResourceOptions): Declared;
  /** A tenant's organization. */
  createOrganization(name: string, organization: OrganizationSpec, opts: pulumi.CustomResourceOptions): Declared;
}
