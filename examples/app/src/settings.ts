import type { PoolClient } from "pg";

/**
 * The tenant's settings as tenantctl seeded them into its own `tenant_settings` table (one row per dotted key),
 * including the values the tenant changed itself since (seed-only keys): the table is the truth, not the tenant file.
 */
export async function readSettings(client: PoolClient, schema: string): Promise<Record<string, unknown>> {
  const { rows } = await client.query<{ key: string; value: unknown }>(
    `SELECT key, value FROM ${schema}.tenant_settings ORDER BY key`,
  );
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}
