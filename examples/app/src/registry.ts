import { Pool } from "pg";
import type { Tenant } from "./tenant";

/**
 * The tenant a hostname belongs to, read from tenantctl's registry as `tenantctl_registry_reader` (read-only, the
 * registry only). No cache: a status that `tenantctl up` changed is the next request's answer, and the lookup is one
 * primary-key probe joined to one row (bench/ measures it).
 */
export class Registry {
  private readonly pool: Pool;

  constructor(connectionString: string) {
    this.pool = new Pool({ connectionString, max: 4 });
  }

  async tenantByHostname(hostname: string): Promise<Tenant | undefined> {
    const { rows } = await this.pool.query<TenantRow>(
      `SELECT t.slug, t.name, t.plan, t.status, t.limits, t.host, t.port, t.database, t.schema, t.role, t.organization_id
         FROM tenantctl.tenant_domains d
         JOIN tenantctl.tenants t ON t.slug = d.slug
        WHERE d.hostname = $1`,
      [hostname],
    );
    const row = rows[0];
    return row ? tenantOf(row) : undefined;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

interface TenantRow {
  slug: string;
  name: string;
  plan: string;
  status: string;
  limits: Record<string, unknown> | null;
  host: string;
  port: number | string;
  database: string;
  schema: string;
  role: string;
  organization_id: string | null;
}

function tenantOf(row: TenantRow): Tenant {
  return {
    slug: row.slug,
    name: row.name,
    plan: row.plan,
    status: row.status,
    limits: row.limits ?? {},
    host: row.host,
    port: Number(row.port),
    database: row.database,
    schema: row.schema,
    role: row.role,
    organizationId: row.organization_id,
  };
}
