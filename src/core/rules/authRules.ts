/** Rules about what the auth provider will be given: organizations, roles, resource servers (limits in src/core/limits.ts). */
import type { Finding } from "../diagnostics";
import {
  AUTH0_MAX_ASSIGNABLE_ROLES,
  AUTHHERO_ORGANIZATION_NAME_PATTERN,
  AUTHHERO_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH,
  AUTHHERO_RESOURCE_SERVER_SCOPES_MAX_LENGTH,
  AUTHHERO_ROLE_DESCRIPTION_MAX_LENGTH,
  AUTHHERO_ROLE_NAME_MAX_LENGTH,
} from "../limits";
import { resourceServerKey, tenantRoleName } from "../naming";
import type { Rule } from "./context";

/**
 * What AuthHero's Management API (and its database) refuses, checked when the template's provider is authhero:
 * role names (a tenant role is `<slug>:<role>`) and descriptions, resource server identifiers and their scope lists,
 * organization names. Unknown permission names, which AuthHero accepts silently, are refused by permissionsExist.
 */
export const authheroLimits: Rule = ({ controlPlane, tenants }) => {
  if (controlPlane.auth.provider !== "authhero") return [];
  const findings: Finding[] = [];
  const roleFindings = (
    file: string,
    roles: readonly { name: string; description: string }[],
    fullName: (name: string) => string,
  ) =>
    roles.forEach((role, index) => {
      const name = fullName(role.name);
      if (name.length > AUTHHERO_ROLE_NAME_MAX_LENGTH) {
        findings.push({
          file,
          path: ["auth", "roles", index, "name"],
          rule: "authheroLimits",
          message: `role name \`${name}\` has ${name.length} characters; AuthHero role names have at most ${AUTHHERO_ROLE_NAME_MAX_LENGTH}`,
          fix: `shorten it to ${AUTHHERO_ROLE_NAME_MAX_LENGTH - (name.length - role.name.length)} characters or fewer`,
        });
      }
      if (role.description.length > AUTHHERO_ROLE_DESCRIPTION_MAX_LENGTH) {
        findings.push({
          file,
          path: ["auth", "roles", index, "description"],
          rule: "authheroLimits",
          message: `role description has ${role.description.length} characters; AuthHero takes at most ${AUTHHERO_ROLE_DESCRIPTION_MAX_LENGTH}`,
          fix: "shorten it",
        });
      }
    });
  roleFindings(controlPlane.file, controlPlane.auth.roles, (name) => name);
  controlPlane.auth.resourceServers.forEach((server, index) => {
    if (server.identifier.length > AUTHHERO_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH) {
      findings.push({
        file: controlPlane.file,
        path: ["auth", "resourceServers", index, "identifier"],
        rule: "authheroLimits",
        message: `resource server identifier has ${server.identifier.length} characters; AuthHero takes at most ${AUTHHERO_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH}`,
        fix: "use a shorter identifier (audience)",
      });
    }
    const scopesText = JSON.stringify(server.scopes.map((value) => ({ value, description: value })));
    if (scopesText.length > AUTHHERO_RESOURCE_SERVER_SCOPES_MAX_LENGTH) {
      findings.push({
        file: controlPlane.file,
        path: ["auth", "resourceServers", index, "scopes"],
        rule: "authheroLimits",
        message: `the scopes of \`${server.identifier}\` take ${scopesText.length} characters as AuthHero stores them; it takes at most ${AUTHHERO_RESOURCE_SERVER_SCOPES_MAX_LENGTH}`,
        fix: "use fewer or shorter scopes",
      });
    }
  });
  for (const { file, spec, tenant } of tenants) {
    roleFindings(file, spec.auth?.roles ?? [], (name) => tenantRoleName(spec.slug, name));
    const organization = tenant?.auth.organizationName ?? spec.slug;
    if (!AUTHHERO_ORGANIZATION_NAME_PATTERN.test(organization)) {
      findings.push({
        file,
        path: ["slug"],
        rule: "authheroLimits",
        message: `organization name \`${organization}\` is not one AuthHero takes (lowercase letters, digits, \`-\`, \`_\`)`,
        fix: "use a lowercase slug",
      });
    }
  }
  return findings;
};

/** Each template role is one resource of the control-plane stack: a name used twice would be two resources with one name. */
export const templateRolesUnique: Rule = ({ controlPlane }) => {
  const seen = new Map<string, number>();
  return controlPlane.auth.roles.flatMap((role, index): Finding[] => {
    const first = seen.get(role.name);
    if (first === undefined) {
      seen.set(role.name, index);
      return [];
    }
    return [
      {
        file: controlPlane.file,
        path: ["auth", "roles", index, "name"],
        rule: "templateRolesUnique",
        message: `role \`${role.name}\` is defined twice (also at auth.roles[${first}])`,
        fix: "keep one definition",
      },
    ];
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
    const message =
      other === server.identifier
        ? `resource server \`${server.identifier}\` is defined twice`
        : `resource servers \`${other}\` and \`${server.identifier}\` differ only in their scheme or punctuation`;
    return [
      {
        file: controlPlane.file,
        path: ["auth", "resourceServers", index, "identifier"],
        rule: "resourceServersDistinct",
        message,
        fix: "give each resource server an identifier of its own",
      },
    ];
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
    return [
      {
        file: controlPlane.file,
        path: ["auth", "roles"],
        rule: "assignableRolesFitMetadata",
        message: `${templateRoles} template roles are more than an Auth0 organization's metadata can list (${AUTH0_MAX_ASSIGNABLE_ROLES})`,
        fix: `keep at most ${AUTH0_MAX_ASSIGNABLE_ROLES} roles`,
      },
    ];
  }
  return tenants.flatMap(({ file, spec }): Finding[] => {
    const own = new Set((spec.auth?.roles ?? []).map((role) => role.name)).size;
    if (templateRoles + own <= AUTH0_MAX_ASSIGNABLE_ROLES) return [];
    return [
      {
        file,
        path: ["auth", "roles"],
        rule: "assignableRolesFitMetadata",
        message: `${templateRoles} template roles and ${own} roles of this tenant are more than an Auth0 organization's metadata can list (${AUTH0_MAX_ASSIGNABLE_ROLES})`,
        fix: `keep at most ${AUTH0_MAX_ASSIGNABLE_ROLES - templateRoles} roles here`,
      },
    ];
  });
};
