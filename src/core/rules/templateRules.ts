/** Rules about the control-plane template itself. */
import { leaves } from "../trees";
import type { Finding } from "../diagnostics";
import { didYouMean, listOf } from "../suggest";
import type { Rule } from "./context";

export const defaultPlanExists: Rule = ({ template, controlPlane }) => {
  const plan = template.defaults.plan;
  return plan === undefined || plan in template.plans
    ? []
    : [
        {
          file: controlPlane.file,
          path: ["defaults", "plan"],
          rule: "defaultPlanExists",
          message: `default plan \`${plan}\` is not defined under \`plans\``,
          fix: didYouMean(plan, Object.keys(template.plans)) ?? `use one of ${listOf(Object.keys(template.plans))}`,
        },
      ];
};

/** A locked or seed-only key that no layer sets is almost always a typo that silently protects nothing. */
export const lockedAndSeedOnlyKeysExist: Rule = ({ template, controlPlane }) => {
  const layers = [template.defaults, ...Object.values(template.plans)];
  const known = new Set(
    layers.flatMap((layer) => leaves(layer as Record<string, unknown>).flatMap(([path]) => prefixes(path))),
  );
  const findings: Finding[] = [];
  for (const [listName, list] of [
    ["locked", controlPlane.locked],
    ["seedOnly", controlPlane.seedOnly],
  ] as const) {
    list.forEach((key, index) => {
      if (!known.has(key)) {
        findings.push({
          file: controlPlane.file,
          path: [listName, index],
          severity: "warning",
          rule: "lockedAndSeedOnlyKeysExist",
          message: `\`${key}\` is not set by the defaults or any plan`,
          fix: didYouMean(key, known) ?? "check the spelling of the key",
        });
      }
    });
  }
  controlPlane.seedOnly.forEach((key, index) => {
    const lockedOverlap = controlPlane.locked.find(
      (locked) => locked === key || locked.startsWith(`${key}.`) || key.startsWith(`${locked}.`),
    );
    if (lockedOverlap) {
      findings.push({
        file: controlPlane.file,
        path: ["seedOnly", index],
        rule: "lockedAndSeedOnlyKeysExist",
        message: `\`${key}\` is both seed-only and locked (\`${lockedOverlap}\`)`,
        fix: "a locked key is enforced on every tenant; remove it from one of the two lists",
      });
    }
  });
  return findings;
};

function prefixes(path: string): string[] {
  const parts = path.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

export const resourceServerScopesUnique: Rule = ({ controlPlane }) => {
  const findings: Finding[] = [];
  const owner = new Map<string, string>();
  controlPlane.auth.resourceServers.forEach((server, serverIndex) => {
    server.scopes.forEach((scope, scopeIndex) => {
      const previous = owner.get(scope);
      if (previous !== undefined) {
        findings.push({
          file: controlPlane.file,
          path: ["auth", "resourceServers", serverIndex, "scopes", scopeIndex],
          rule: "resourceServerScopesUnique",
          message: `scope \`${scope}\` is offered by two resource servers (\`${previous}\` and \`${server.identifier}\`)`,
          fix: "role permissions name scopes without a server: give each scope one server",
        });
      }
      owner.set(scope, server.identifier);
    });
  });
  return findings;
};

/**
 * The registry lives on one of the template's servers, in a database of its own: a shared tenants database or a
 * tenant's would mix the registry with tenant data and hand its privileges around.
 */
export const registryPlacement: Rule = ({ template, controlPlane }) => {
  const { registry } = controlPlane;
  const names = controlPlane.databaseServers.map((server) => server.name);
  const findings: Finding[] = [];
  const server = controlPlane.databaseServers.find((candidate) => candidate.name === registry.server);
  if (!server) {
    findings.push({
      file: controlPlane.file,
      path: template.registry?.server !== undefined ? ["registry", "server"] : ["registry"],
      rule: "registryPlacement",
      message: `the registry's database server \`${registry.server}\` is not defined under \`database.servers\``,
      fix: didYouMean(registry.server, names) ?? `set \`registry.server\` to one of ${listOf(names)}`,
    });
  }
  const path = template.registry?.database !== undefined ? ["registry", "database"] : ["registry"];
  if (server && registry.database === server.sharedDatabase) {
    findings.push({
      file: controlPlane.file,
      path,
      rule: "registryPlacement",
      message: `the registry's database \`${registry.database}\` is server \`${server.name}\`'s shared tenants database`,
      fix: "give the registry a database of its own (`registry.database`, default `tenantctl`)",
    });
  }
  if (registry.database.startsWith("tenant_") || ["postgres", "template0", "template1"].includes(registry.database)) {
    findings.push({
      file: controlPlane.file,
      path,
      rule: "registryPlacement",
      message: `the registry's database \`${registry.database}\` is a name tenants or PostgreSQL itself use`,
      fix: "choose another name for `registry.database` (default `tenantctl`)",
    });
  }
  return findings;
};
