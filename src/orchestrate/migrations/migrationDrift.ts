/**
 * Migration drift for a whole database at once, for `drift --all`'s scan (src/orchestrate/scan/): one query per
 * database reads every tenant's `tenantctl_migrations` (the shared database holds many schema tenants), and each tenant's
 * rows are compared with the files: not applied yet (`missing`), applied without a file (`unknown`), applied and edited
 * since (`edited`). A tenant with any of these is one the scan sends to the engine, whose refresh of its
 * `<slug>-migrations` resource gives the report's properties.
 */
import type { Client, PoolClient } from "pg";
import type { MigrationFile } from "../../core/migrations/migrationFiles";
import type { Tenant } from "../../core/model";
import { migrationRunner } from "../../../infra/dynamic/migrations/runner";

const { compareApplied, TABLE } = migrationRunner();

/** Where each tenant records what it applied, in its own schema. */
export const MIGRATIONS_TABLE = TABLE;

export interface MigrationDrift {
  readonly missing: readonly string[];
  readonly unknown: readonly string[];
  readonly edited: readonly string[];
}

/**
 * The tenants of one database (all on `client`'s database) whose applied migrations differ from `files`, by slug. A
 * tenant whose schema or table does not exist applied nothing: every file is missing.
 */
export async function migrationDriftIn(
  client: Client | PoolClient,
  tenants: readonly Tenant[],
  files: readonly MigrationFile[],
): Promise<Map<string, MigrationDrift>> {
  const schemas = tenants.map((tenant) => tenant.database.schemaName);
  const tables = await client.query<{ schema: string }>(
    "SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = ANY($2::text[])",
    [TABLE, schemas],
  );
  const withTable = tables.rows.map((row) => row.schema);
  const rows =
    withTable.length === 0
      ? []
      : (
          await client.query<{ schema: string; version: number; name: string; sha256: string }>(
            withTable
              .map(
                (schema, i) =>
                  `SELECT $${i + 1}::text AS schema, version, name, sha256 FROM "${schema.replace(/"/g, '""')}".${TABLE}`,
              )
              .join(" UNION ALL "),
            withTable,
          )
        ).rows;
  return migrationDriftOf(tenants, files, rows);
}

/** The same comparison on rows already read (`schema`, `version`, `name`, `sha256` of every tenant's table). */
export function migrationDriftOf(
  tenants: readonly Tenant[],
  files: readonly MigrationFile[],
  rows: readonly { schema: string; version: number; name: string; sha256: string }[],
): Map<string, MigrationDrift> {
  const drift = new Map<string, MigrationDrift>();
  for (const tenant of tenants) {
    const applied = rows
      .filter((row) => row.schema === tenant.database.schemaName)
      .map((row) => ({ version: Number(row.version), name: row.name, sha256: row.sha256 }));
    const compared = compareApplied(applied, files);
    if (compared.missing.length + compared.unknown.length + compared.edited.length > 0)
      drift.set(tenant.slug, compared);
  }
  return drift;
}
