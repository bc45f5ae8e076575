/** Rules about what the auth provider will be given: organizations, roles, resource servers (limits in src/core/limits.ts). */
import type { Finding } from "../diagnostics";
import { AUTH0_MAX_ASSIGNABLE_ROLES } from "../limits";
import { resourceServerKey } from "../naming";
import type { Rule } from "./context";

/**
 * `auth.provider: authhero` is in the schema (it is the contract), but no stack can deploy it yet: refused here, at the
 * line, rather than by every stack at `up`.
 */
export const authProviderSupported: Rule = ({ controlPlane }) =>
  controlPlane.auth.provider === "auth0"
    ? []
    : [{
        file: controlPlane.file,
        path: ["auth", "provider"],
        rule: "authProviderSupported",
        message: `auth.provider \`${controlPlane.auth.provider}\` cannot be deployed yet (only auth0 is supported; AuthHero support is planned)`,
        fix: "set `auth.provider: auth0`",
      }];

/** Each template role is one resource of the control-plane stack: a name used twice would be two resources with one name. */
export const templateRolesUnique: Rule = ({ controlPlane }) => {
  const seen = new Map<string, number>();
  return controlPlane.auth.roles.flatMap((role, index): Finding[] => {
    const first = seen.get(role.name);
    if (first === undefined) {
      seen.set(role.name, index);
      return [];
    }
    return [{ file: controlPlane.file, path: ["auth", "roles", index, "name"], rule: "templateRolesUnique", message: `role \`${role.name}\` is defined twice (also at auth.roles[${first}])`, fix: "keep one definition" }];
  });
};

/**
 * Resource servers are told apart by their identifier, and their resources by a key made from it (`https://api.x` and
 * `http://api.x` make the same key): both must differ.
 */
export const resourceServersDistinct: Rule = ({ controlPlane }) => {
  const seen = new Map<string, string>();
  return controlPlane.auth.resourceServers.flatMap((server, index): Finding[] => {
    const key = resourceServerKey(server.identifier);
    const other = seen.get(key);
    if (other === undefined) {
      seen.set(key, server.identifier);
      return [];
    }
    const message = other === server.identifier ? `resource server \`${server.identifier}\` is defined twice` : `resource servers \`${other}\` and \`${server.identifier}\` differ only in their scheme or punctuation`;
    return [{ file: controlPlane.file, path: ["auth", "resourceServers", index, "identifier"], rule: "resourceServersDistinct", message, fix: "give each resource server an identifier of its own" }];
  });
};

/**
 * Every role a tenant's members may get (the template's and the tenant's own) is listed in one organization metadata
 * value, which holds at most AUTH0_MAX_ASSIGNABLE_ROLES role ids.
 */
export const assignableRolesFitMetadata: Rule = ({ tenants, controlPlane }) => {
  if (controlPlane.auth.provider !== "auth0") return [];
  const templateRoles = new Set(controlPlane.auth.roles.map((role) => role.name)).size;
  if (templateRoles > AUTH0_MAX_ASSIGNABLE_ROLES) {
    return [{ file: controlPlane.file, path: ["auth", "roles"], rule: "assignableRolesFitMetadata", message: `${templateRoles} template roles are more than an Auth0 organization's metadata can list (${AUTH0_MAX_ASSIGNABLE_ROLES})`, fix: `keep at most ${AUTH0_MAX_ASSIGNABLE_ROLES} roles` }];
  }
  return tenants.flatMap(({ file, spec }): Finding[] => {
    const own = new Set((spec.auth?.roles ?? []).map((role) => role.name)).size;
    if (templateRoles + own <= AUTH0_MAX_ASSIGNABLE_ROLES) return [];
    return [{
      file,
      path: ["auth", "roles"],
      rule: "assignableRolesFitMetadata",
      message: `${templateRoles} template roles and ${own} roles of this tenant are more than an Auth0 organization's metadata can list (${AUTH0_MAX_ASSIGNABLE_ROLES})`,
      fix: `keep at most ${AUTH0_MAX_ASSIGNABLE_ROLES - templateRoles} roles here`,
    }];
  });
};
