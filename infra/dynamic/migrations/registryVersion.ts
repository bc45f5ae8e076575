/**
 * The registry's `migration_version` of a tenant (`tenantctl.tenants`, DESIGN "The registry"): written here and only
 * here, after migrations ran, as the server's admin. The tenant's row itself belongs to the stack's registry resource,
 * which neither writes nor compares this column. A registry that does not exist yet (no control-plane `up` since the
 * registry came) is no error: the tenant's own `tenantctl_migrations` table remains the record.
 *
 * A self-contained factory: the stack's migrations resource ships its source (../prebuilt.ts).
 */
import type { Client, PoolClient } from "pg";

export function registryVersion() {
  /** No such database, schema or table: the registry is not there (yet). */
  const NOT_THERE = new Set(["3D000", "3F000", "42P01"]);

  async function writeMigrationVersion(
    client: Client | PoolClient,
    schema: string,
    slug: string,
    version: number,
  ): Promise<"written" | "no registry" | "no row"> {
    const table = `"${schema.replace(/"/g, '""')}".tenants`;
    try {
      const result = await client.query(
        `UPDATE ${table} SET migration_version = $2 WHERE slug = $1 AND migration_version IS DISTINCT FROM $2`,
        [slug, version],
      );
      if (result.rowCount) return "written";
      const row = await client.query(`SELECT 1 FROM ${table} WHERE slug = $1`, [slug]);
      return row.rowCount ? "written" : "no row";
    } catch (error) {
      if (NOT_THERE.has((error as { code?: string }).code ?? "")) return "no registry";
      throw error;
    }
  }

  return { NOT_THERE, writeMigrationVersion };
}

export type RegistryVersion = ReturnType<typeof registryVersion>;
