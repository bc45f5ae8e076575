/**
 * Auth naming and permission rules shared by the control-plane and tenant stacks. Pure (no @pulumi imports): the
 * components turn the errors thrown here into `pulumi.ResourceError`s, and `validate` rules may reuse them.
 */
import { AUTH0_MAX_ASSIGNABLE_ROLES } from "../../src/core/limits";
import type { ResourceServer, Role, Tenant } from "../../src/core/model";
import { TENANT_ROLE_SEPARATOR } from "../../src/core/naming";

export { TENANT_ROLE_SEPARATOR, tenantRoleName } from "../../src/core/naming";

/** Template roles keep their plain names; one with the separator could pass for a tenant's role. */
export function templateRoleName(roleName: string): string {
  if (roleName.includes(TENANT_ROLE_SEPARATOR)) {
    throw new Error(
      `Template role "${roleName}" contains "${TENANT_ROLE_SEPARATOR}", which is reserved for tenant roles ` +
        `("<slug>${TENANT_ROLE_SEPARATOR}<role>"): rename it in tenants/_control-plane.yaml under auth.roles.`,
    );
  }
  return roleName;
}

/** A permission as Auth0 stores it: a scope of one resource server. */
export interface RolePermission {
  readonly name: string;
  readonly resourceServerIdentifier: string;
}

/**
 * Maps each of a role's permissions to the resource server that defines it as a scope. A scope defined by no
 * server, or by several (the role could not say which it means), is an error rather than a guess.
 */
export function permissionsFor(role: Role, resourceServers: readonly ResourceServer[]): RolePermission[] {
  const permissions: RolePermission[] = [];
  for (const scope of new Set(role.permissions)) {
    const holders = resourceServers.filter((server) => server.scopes.includes(scope));
    const [holder] = holders;
    if (holder === undefined) {
      const known = resourceServers.flatMap((server) => server.scopes);
      throw new Error(
        `Role "${role.name}" has permission "${scope}", which no resource server defines` +
          ` (known scopes: ${known.length > 0 ? known.join(", ") : "none"}): add it to a resource server's scopes` +
          ` in tenants/_control-plane.yaml or remove it from the role.`,
      );
    }
    if (holders.length > 1) {
      throw new Error(
        `Role "${role.name}" has permission "${scope}", which several resource servers define` +
          ` (${holders.map((server) => server.identifier).join(", ")}): give each API's scopes distinct names.`,
      );
    }
    permissions.push({ name: scope, resourceServerIdentifier: holder.identifier });
  }
  return permissions;
}

/**
 * What the organization's metadata says about the tenant. `status` lets a post-login Action refuse logins of
 * suspended and decommissioned tenants, since the organization itself is kept.
 */
export function organizationMetadata(tenant: Pick<Tenant, "slug" | "plan" | "status">): Record<string, string> {
  return { slug: tenant.slug, plan: tenant.plan, status: tenant.status };
}

/**
 * Auth0 has no per-organization role catalogue: any role of the Auth0 tenant can be given to an organization's
 * member. The organization's metadata `roles` (comma-separated role ids) is the allow-list the app offers when a
 * tenant administrator invites or edits a member: the template roles plus the tenant's own.
 */
export function assignableRolesMetadataValue(roleIds: readonly string[]): string {
  const unique = [...new Set(roleIds)];
  // Counted, not measured: `validate` counts the same way (rule assignableRolesFitMetadata), and an offline plan's
  // placeholder ids are not as long as Auth0's.
  if (unique.length > AUTH0_MAX_ASSIGNABLE_ROLES) {
    throw new Error(
      `The organization's ${unique.length} assignable roles do not fit one Auth0 metadata value` +
        ` (at most ${AUTH0_MAX_ASSIGNABLE_ROLES} role ids): give this tenant fewer roles.`,
    );
  }
  return unique.join(",");
}

/** The control-plane ids of the template roles a tenant gets, in template order. */
export function templateRoleIds(
  roleIdsByName: Readonly<Record<string, string>>,
  templateRoles: readonly Pick<Role, "name">[],
  controlPlaneStack: string,
): string[] {
  const missing = templateRoles.filter((role) => roleIdsByName[role.name] === undefined).map((role) => role.name);
  if (missing.length > 0) {
    throw new Error(
      `Template role(s) ${missing.join(", ")} are not in the outputs of stack "${controlPlaneStack}":` +
        ` run \`pulumi up -s control-plane\` before the tenant stacks.`,
    );
  }
  return templateRoles.map((role) => roleIdsByName[role.name] as string);
}

/** Resource servers a tenant's permissions need but the control-plane stack has not deployed. */
export function undeployedResourceServers(
  permissions: readonly RolePermission[],
  resourceServerIds: Readonly<Record<string, string>>,
): string[] {
  return [...new Set(permissions.map((p) => p.resourceServerIdentifier))].filter(
    (id) => resourceServerIds[id] === undefined,
  );
}
