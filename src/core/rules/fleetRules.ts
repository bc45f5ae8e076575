/** Rules across the fleet: things two tenants could each get right and still get wrong together. */
import type { Finding } from "../diagnostics";
import type { Rule, TenantEntry } from "./context";

/** Each value may belong to one tenant; every tenant after the first that claims it is told who has it. */
function claimOnce(entries: { key: string; entry: TenantEntry; report: (owner: TenantEntry) => Finding }[]): Finding[] {
  const owners = new Map<string, TenantEntry>();
  const findings: Finding[] = [];
  for (const { key, entry, report } of entries) {
    const owner = owners.get(key);
    if (owner && owner !== entry) findings.push(report(owner));
    else owners.set(key, entry);
  }
  return findings;
}

export const noDuplicateSubdomains: Rule = ({ tenants }) =>
  claimOnce(
    tenants.flatMap((entry) =>
      entry.tenant
        ? [
            {
              key: entry.tenant.domains.subdomain,
              entry,
              report: (owner: TenantEntry): Finding => ({
                file: entry.file,
                path: entry.spec.domains?.subdomain !== undefined ? ["domains", "subdomain"] : ["slug"],
                rule: "noDuplicateSubdomains",
                message: `subdomain \`${entry.tenant!.domains.subdomain}\` is already used by tenant \`${owner.spec.slug}\` (${owner.file})`,
                fix: "set a different `domains.subdomain`",
              }),
            },
          ]
        : [],
    ),
  );

export const noDuplicateHostnames: Rule = ({ tenants }) =>
  claimOnce(
    tenants.flatMap((entry) =>
      (entry.tenant?.domains.custom ?? []).map(({ hostname }, index) => ({
        key: hostname,
        entry,
        report: (owner: TenantEntry): Finding => ({
          file: entry.file,
          path: ["domains", "custom", index, "hostname"],
          rule: "noDuplicateHostnames",
          message: `custom hostname \`${hostname}\` is already used by tenant \`${owner.spec.slug}\` (${owner.file})`,
          fix: "a hostname can point at one tenant only: remove it from one of the two files",
        }),
      })),
    ),
  );

function isUnder(hostname: string, domain: string): boolean {
  return hostname === domain || hostname.endsWith(`.${domain}`);
}

/**
 * A custom hostname under the platform's base domain would bypass the subdomain scheme, and one under
 * another tenant's hostname would let a tenant serve pages on a neighbour's name.
 */
export const customHostnamesOutsideOthers: Rule = ({ tenants, controlPlane }) => {
  const ownerOf = new Map<string, TenantEntry>();
  for (const entry of tenants) {
    if (!entry.tenant) continue;
    for (const hostname of [entry.tenant.domains.hostname, ...entry.tenant.domains.custom.map((c) => c.hostname)]) {
      if (!ownerOf.has(hostname)) ownerOf.set(hostname, entry);
    }
  }
  return tenants.flatMap((entry) =>
    (entry.tenant?.domains.custom ?? []).flatMap(({ hostname }, index): Finding[] => {
      const path = ["domains", "custom", index, "hostname"];
      if (isUnder(hostname, controlPlane.baseDomain)) {
        return [
          {
            file: entry.file,
            path,
            rule: "customHostnamesOutsideOthers",
            message: `custom hostname \`${hostname}\` is under the platform domain \`${controlPlane.baseDomain}\``,
            fix: "tenants get `<subdomain>.<baseDomain>` already: set `domains.subdomain` instead",
          },
        ];
      }
      // Walk up the parent domains (a.b.example.com → b.example.com → example.com): a map lookup each,
      // so the rule stays linear in the fleet size.
      for (let parent = parentDomain(hostname); parent !== undefined; parent = parentDomain(parent)) {
        const neighbour = ownerOf.get(parent);
        if (neighbour && neighbour !== entry) {
          return [
            {
              file: entry.file,
              path,
              rule: "customHostnamesOutsideOthers",
              message: `custom hostname \`${hostname}\` is under \`${parent}\`, which belongs to tenant \`${neighbour.spec.slug}\``,
              fix: "use a hostname the customer owns",
            },
          ];
        }
      }
      return [];
    }),
  );
};

function parentDomain(hostname: string): string | undefined {
  const dot = hostname.indexOf(".");
  const parent = dot < 0 ? "" : hostname.slice(dot + 1);
  return parent.includes(".") ? parent : undefined;
}

/** Database, schema and role names are derived from slugs; no two tenants, and no shared database, may share one. */
export const derivedNamesUnique: Rule = ({ tenants, controlPlane }) => {
  const shared = new Set(controlPlane.databaseServers.map((server) => server.sharedDatabase));
  const findings: Finding[] = [];
  const owners = new Map<string, TenantEntry>();
  for (const entry of tenants) {
    if (!entry.tenant) continue;
    const name = entry.tenant.database.roleName;
    if (shared.has(name)) {
      findings.push({
        file: entry.file,
        path: ["slug"],
        rule: "derivedNamesUnique",
        message: `the derived database name \`${name}\` is a shared database of the template`,
        fix: "choose another slug, or rename the shared database in the template",
      });
    }
    const owner = owners.get(name);
    if (owner)
      findings.push({
        file: entry.file,
        path: ["slug"],
        rule: "derivedNamesUnique",
        message: `the derived database/role name \`${name}\` is already used by tenant \`${owner.spec.slug}\` (${owner.file})`,
        fix: "choose another slug",
      });
    else owners.set(name, entry);
  }
  return findings;
};

/** The tenants' connection limits on one server must fit within the server's `maxConnections`. */
export const connectionBudget: Rule = ({ tenants, controlPlane }) =>
  controlPlane.databaseServers.flatMap((server): Finding[] => {
    if (server.maxConnections === undefined) return [];
    const onServer = tenants.filter((entry) => entry.tenant?.database.server.name === server.name);
    const total = onServer.reduce((sum, entry) => sum + entry.tenant!.limits.dbConnections, 0);
    if (total <= server.maxConnections) return [];
    const largest = [...onServer]
      .sort((a, b) => b.tenant!.limits.dbConnections - a.tenant!.limits.dbConnections)
      .slice(0, 3);
    return [
      {
        file: controlPlane.file,
        path: ["database", "servers", server.name, "maxConnections"],
        rule: "connectionBudget",
        message: `tenants on server \`${server.name}\` need ${total} connections, more than its maxConnections of ${server.maxConnections} (largest: ${largest.map((e) => `${e.spec.slug} ${e.tenant!.limits.dbConnections}`).join(", ")})`,
        fix: "raise `maxConnections`, lower plan limits, or move tenants to another server with `database.server`",
      },
    ];
  });
