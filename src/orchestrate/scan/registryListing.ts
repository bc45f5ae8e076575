/**
 * The registry's rows of the scanned tenants, read once for the whole fleet on the registry's server and database (the
 * template's `registry`): `tenantctl.tenants` and `tenantctl.tenant_domains`, the columns each tenant's RegistryRows
 * resource (infra/registry/registryRows.ts) writes and reads back. `migration_version` belongs to migrations: not read.
 */
import type { TenantDomainRow, TenantRow } from "../../core/registry";
import { adminPgClient } from "../../../infra/context/adminConnection";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";

/** Every column of a row the resource writes: a column added to TenantRow and not here fails to compile. */
const ROW_COLUMN_SET: Record<keyof Omit<TenantRow, "slug">, true> = {
  name: true,
  plan: true,
  status: true,
  limits: true,
  server: true,
  host: true,
  port: true,
  database: true,
  schema: true,
  role: true,
  organization_id: true,
};
const DOMAIN_COLUMN_SET: Record<keyof Omit<TenantDomainRow, "hostname" | "slug">, true> = {
  kind: true,
  is_primary: true,
  tls_status: true,
  customer_records: true,
};
export const ROW_COLUMNS = Object.keys(ROW_COLUMN_SET);
export const DOMAIN_COLUMNS = Object.keys(DOMAIN_COLUMN_SET);

export interface RegistryListing {
  /** The tenants row of each slug, its columns as PostgreSQL returns them (what the provider's `read` sees). */
  readonly tenants: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Each slug's domain rows, by hostname. */
  readonly domains: ReadonlyMap<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>;
}

export async function readRegistry(
  admin: ResolvedDatabaseServer,
  registry: { readonly database: string; readonly schema: string },
  slugs: readonly string[],
): Promise<RegistryListing> {
  const client = adminPgClient(admin, registry.database, "tenantctl drift scan");
  await client.connect();
  try {
    const schema = client.escapeIdentifier(registry.schema);
    const columns = ROW_COLUMNS.map((column) => client.escapeIdentifier(column)).join(", ");
    const rows = await client.query<Record<string, unknown>>(
      `SELECT slug, ${columns} FROM ${schema}.tenants WHERE slug = ANY($1::text[])`,
      [slugs],
    );
    const domainColumns = DOMAIN_COLUMNS.map((column) => client.escapeIdentifier(column)).join(", ");
    const domainRows = await client.query<Record<string, unknown>>(
      `SELECT hostname, slug, ${domainColumns} FROM ${schema}.tenant_domains WHERE slug = ANY($1::text[])`,
      [slugs],
    );
    const tenants = new Map<string, Record<string, unknown>>();
    for (const { slug, ...row } of rows.rows) tenants.set(String(slug), row);
    const domains = new Map<string, Record<string, Record<string, unknown>>>();
    for (const { hostname, slug, ...values } of domainRows.rows) {
      const of = domains.get(String(slug)) ?? {};
      of[String(hostname)] = values;
      domains.set(String(slug), of);
    }
    return { tenants, domains };
  } finally {
    await client.end().catch(() => undefined);
  }
}
