/** What `tenantctl explain` shows: every resolved value with the layer that set it. Pure. */
import type { Provenance, Tenant } from "../model";
import { valueAtDotted } from "../trees";

export interface ExplainedValue {
  readonly key: string;
  readonly value: unknown;
  readonly provenance: Provenance;
}

/** The tenant as a tree whose dotted paths match the provenance keys. */
function explainView(tenant: Tenant): Record<string, unknown> {
  return {
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    status: tenant.status,
    limits: tenant.limits,
    database: {
      isolation: tenant.database.isolation,
      server: tenant.database.server.name,
      extensions: tenant.database.extensions,
      roleName: tenant.database.roleName,
      databaseName: tenant.database.databaseName,
      schemaName: tenant.database.schemaName,
    },
    domains: {
      subdomain: tenant.domains.subdomain,
      hostname: tenant.domains.hostname,
      custom: tenant.domains.custom.map((c) => c.hostname),
    },
    auth: { roles: tenant.auth.roles.map((role) => role.name) },
    settings: tenant.settings.values,
  };
}

export function explainTenant(tenant: Tenant, key?: string): ExplainedValue[] {
  const view = explainView(tenant);
  const entries: ExplainedValue[] = [];
  for (const [path, provenance] of tenant.provenance) {
    if (key !== undefined && path !== key && !path.startsWith(`${key}.`)) continue;
    entries.push({ key: path, value: valueAtDotted(view, path), provenance });
  }
  return entries.sort((a, b) => a.key.localeCompare(b.key));
}
