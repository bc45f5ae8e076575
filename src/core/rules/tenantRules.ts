/** Rules about one tenant at a time. */
import { basename } from "node:path";
import { CONTROL_PLANE_STACK } from "../naming";
import { isPlainMap, valueAt } from "../trees";
import type { Finding, PathSegment } from "../diagnostics";
import { didYouMean, listOf } from "../suggest";
import type { FileRule, Rule } from "./context";
import { settingKeyProblem } from "./settingsRules";

/** Names a tenant may not take: they are hostnames the platform itself uses, or the shared stack. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "www",
  "api",
  "admin",
  "app",
  "apps",
  "auth",
  "login",
  "sso",
  "id",
  "account",
  "accounts",
  "dashboard",
  "console",
  "status",
  "docs",
  "help",
  "support",
  "mail",
  "smtp",
  "imap",
  "ftp",
  "cdn",
  "static",
  "assets",
  "edge",
  "ns1",
  "ns2",
  "internal",
  "system",
  "root",
  "postgres",
  "public",
  "tenant",
  "tenants",
  "default",
  "test",
  "staging",
  "billing",
  CONTROL_PLANE_STACK,
]);

/** The file name is the slug and the stack name: `tenants/acme.yaml` must say `slug: acme`. */
export const slugMatchesFileName: FileRule = ({ tenants }) =>
  tenants.flatMap(({ file, spec }) => {
    const expected = basename(file).replace(/\.ya?ml$/, "");
    return spec.slug === expected
      ? []
      : [
          {
            file,
            path: ["slug"],
            rule: "slugMatchesFileName",
            message: `slug \`${spec.slug}\` differs from the file name \`${basename(file)}\``,
            fix: `set \`slug: ${expected}\`, or rename the file to \`${spec.slug}.yaml\``,
          },
        ];
  });

export const noReservedSlugs: FileRule = ({ tenants }) =>
  tenants.flatMap(({ file, spec }) => {
    const findings: Finding[] = [];
    if (RESERVED_SLUGS.has(spec.slug)) {
      findings.push({
        file,
        path: ["slug"],
        rule: "noReservedSlugs",
        message: `slug \`${spec.slug}\` is reserved for the platform`,
        fix: "choose another slug (and rename the file to match)",
      });
    }
    const subdomain = spec.domains?.subdomain;
    if (subdomain !== undefined && RESERVED_SLUGS.has(subdomain)) {
      findings.push({
        file,
        path: ["domains", "subdomain"],
        rule: "noReservedSlugs",
        message: `subdomain \`${subdomain}\` is reserved for the platform`,
        fix: "choose another subdomain",
      });
    }
    return findings;
  });

/** Tenant roles live next to the template roles in the organization: the same name would be ambiguous. */
export const tenantRolesDoNotShadowTemplateRoles: Rule = ({ tenants, controlPlane }) => {
  const templateRoles = new Set(controlPlane.auth.roles.map((role) => role.name));
  return tenants.flatMap(({ file, spec }) => {
    const findings: Finding[] = [];
    const seen = new Map<string, number>();
    (spec.auth?.roles ?? []).forEach((role, index) => {
      const path: PathSegment[] = ["auth", "roles", index, "name"];
      if (templateRoles.has(role.name)) {
        findings.push({
          file,
          path,
          rule: "tenantRolesDoNotShadowTemplateRoles",
          message: `role \`${role.name}\` is already defined by the control-plane template`,
          fix: `every tenant gets the template's \`${role.name}\`; remove it here or give this role another name`,
        });
      } else if (seen.has(role.name)) {
        findings.push({
          file,
          path,
          rule: "tenantRolesDoNotShadowTemplateRoles",
          message: `role \`${role.name}\` is defined twice in this file (also at auth.roles[${seen.get(role.name)}])`,
          fix: "keep one definition",
        });
      }
      seen.set(role.name, index);
    });
    return findings;
  });
};

/** A permission no resource server offers could never be granted: it is a typo or a missing scope. */
export const permissionsExist: Rule = ({ tenants, controlPlane }) => {
  const scopes = new Set(controlPlane.auth.resourceServers.flatMap((server) => server.scopes));
  const check = (
    file: string,
    rolesPath: PathSegment[],
    roles: readonly { permissions: readonly string[] }[],
  ): Finding[] =>
    roles.flatMap((role, roleIndex) =>
      role.permissions.flatMap((permission, index) =>
        scopes.has(permission)
          ? []
          : [
              {
                file,
                path: [...rolesPath, roleIndex, "permissions", index],
                rule: "permissionsExist",
                message: `permission \`${permission}\` is not a scope of any resource server`,
                fix:
                  didYouMean(permission, scopes) ??
                  `use one of ${listOf(scopes)}, or add the scope to a resource server in the template`,
              },
            ],
      ),
    );
  return [
    ...check(controlPlane.file, ["auth", "roles"], controlPlane.auth.roles),
    ...tenants.flatMap(({ file, spec }) => check(file, ["auth", "roles"], spec.auth?.roles ?? [])),
  ];
};

/** Within one tenant, a custom hostname is listed once and is not the tenant's own platform hostname. */
export const customHostnamesListedOnce: Rule = ({ tenants }) =>
  tenants.flatMap(({ file, tenant }) => {
    if (!tenant) return [];
    const seen = new Set<string>([tenant.domains.hostname]);
    return tenant.domains.custom.flatMap(({ hostname }, index) => {
      const duplicate = seen.has(hostname);
      seen.add(hostname);
      return duplicate
        ? [
            {
              file,
              path: ["domains", "custom", index, "hostname"],
              rule: "customHostnamesListedOnce",
              message: `\`${hostname}\` is listed more than once for this tenant`,
              fix: "remove the duplicate entry",
            },
          ]
        : [];
    });
  });

/**
 * Settings a tenant overrides must exist in the template and keep their type: a misspelt key would
 * otherwise be seeded into the tenant's table and silently ignored by the application.
 */
export const settingsMatchTemplate: Rule = ({ tenants, template }) => {
  const templateTrees = [
    template.defaults.settings ?? {},
    ...Object.values(template.plans).map((plan) => plan.settings ?? {}),
  ];
  const findings: Finding[] = [];
  const walk = (file: string, value: unknown, path: string[]) => {
    // A key that cannot be stored is settingKeysStorable's to report; it can match nothing in a storable template.
    if (settingKeyProblem(path[path.length - 1]!, path.slice(1).join(".")) !== undefined) return;
    const candidates = templateTrees.map((tree) => valueAt(tree, path.slice(1)));
    const known = candidates.filter((candidate) => candidate !== undefined);
    if (known.length === 0) {
      const siblings = new Set(
        templateTrees.flatMap((tree) => {
          const parent = valueAt(tree, path.slice(1, -1));
          return isPlainMap(parent) ? Object.keys(parent) : [];
        }),
      );
      const key = path[path.length - 1]!;
      findings.push({
        file,
        path,
        atKey: true,
        rule: "settingsMatchTemplate",
        message: `setting \`${path.join(".")}\` does not exist in the template`,
        fix:
          didYouMean(key, siblings) ??
          (siblings.size > 0
            ? `use one of ${listOf(siblings)}, or add it to the template's \`defaults.settings\``
            : "add it to the template's `defaults.settings` first"),
      });
      return;
    }
    if (isPlainMap(value)) {
      if (known.every(isPlainMap)) for (const [key, child] of Object.entries(value)) walk(file, child, [...path, key]);
      else
        findings.push({
          file,
          path,
          rule: "settingsMatchTemplate",
          message: `setting \`${path.join(".")}\` is ${kind(known[0])} in the template, not a map`,
          fix: `write ${kind(known[0])} here`,
        });
      return;
    }
    if (!known.some((candidate) => kind(candidate) === kind(value))) {
      findings.push({
        file,
        path,
        rule: "settingsMatchTemplate",
        message: `setting \`${path.join(".")}\` is ${kind(known[0])} in the template, got ${kind(value)}`,
        fix: `write ${kind(known[0])} here`,
      });
    }
  };
  for (const { file, spec } of tenants) {
    for (const [key, value] of Object.entries(spec.settings ?? {})) walk(file, value, ["settings", key]);
  }
  return findings;
};

function kind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (isPlainMap(value)) return "a map";
  if (value === null) return "null";
  return typeof value === "number" ? "a number" : typeof value === "boolean" ? "a boolean" : "a string";
}
