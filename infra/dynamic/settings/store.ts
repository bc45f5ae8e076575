/**
 * Where a tenant's settings live: a `tenant_settings` table in the tenant's database or schema, owned by the tenant's
 * role, read and written with `pg`. Every statement runs in one transaction as the tenant's role (`SET LOCAL ROLE`),
 * so everything created is owned by the tenant and nothing is reachable that the tenant itself could not reach.
 * The table is never dropped: settings are tenant data and outlive the stack.
 *
 * A self-contained factory, like semantics.ts: its source travels in state (see ../prebuilt.ts); `pg` is required
 * inside the functions that connect.
 */
import type { Client } from "pg";
import type { SslMode } from "../../context/databaseServerConfig";
import type { ProviderValues } from "../providerValues";
import type { SettingsSemantics, TenantSettingsState } from "./semantics";

export function settingsStore({ canonicalJson }: ProviderValues, { isSeedOnly }: SettingsSemantics) {
  /** The table every tenant database or schema gets. */
  const SETTINGS_TABLE = "tenant_settings";

  /** The resource's id: the table it keeps. */
  function settingsId(state: TenantSettingsState): string {
    return `${state.database}/${state.schema}/${SETTINGS_TABLE}`;
  }

  /** node-postgres TLS options for a libpq-style sslmode. */
  function sslOptions(sslmode: SslMode | undefined): false | { rejectUnauthorized: boolean } {
    switch (sslmode ?? "require") {
      case "disable":
        return false;
      case "require":
        // libpq's `require` encrypts without verifying the certificate; so does this.
        return { rejectUnauthorized: false };
      case "verify-ca":
      case "verify-full":
        return { rejectUnauthorized: true };
      default:
        throw new Error(`Unsupported sslmode "${sslmode}"; use one of disable, require, verify-ca, verify-full.`);
    }
  }

  /** PostgreSQL error codes `read` treats as "nothing there yet" rather than as a failure. */
  const MISSING_DATABASE = "3D000";

  /**
   * Runs `work` in one transaction as the tenant's role (`SET LOCAL ROLE`), so everything created is owned by
   * the tenant and nothing is reachable that the tenant itself could not reach.
   */
  async function asTenant<T>(
    state: TenantSettingsState,
    work: (client: Client, table: string) => Promise<T>,
  ): Promise<T> {
    const pg = require("pg") as typeof import("pg");
    const { connection } = state;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      database: state.database,
      ssl: sslOptions(connection.sslmode),
      application_name: "tenantctl",
      connectionTimeoutMillis: 15_000,
    });
    await client.connect();
    try {
      await client.query("BEGIN");
      try {
        await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(state.role)}`);
      } catch (error) {
        throw explain(
          error,
          state,
          `The admin user "${connection.user}" must be a superuser or a member of role "${state.role}" (GRANT "${state.role}" TO "${connection.user}").`,
        );
      }
      const table = `${client.escapeIdentifier(state.schema)}.${client.escapeIdentifier(SETTINGS_TABLE)}`;
      const result = await work(client, table);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  function explain(error: unknown, state: TenantSettingsState, fix: string): Error {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`tenant settings in ${state.database}.${state.schema}: ${message}. ${fix}`);
  }

  /** Creates the table if needed, enforces managed keys, seeds seed-only keys, and deletes `remove`. Idempotent. */
  async function writeSettings(state: TenantSettingsState, remove: readonly string[]): Promise<void> {
    const managed = Object.entries(state.settings).filter(([key]) => !isSeedOnly(key, state.seedOnlyKeys));
    const seedOnly = Object.entries(state.settings).filter(([key]) => isSeedOnly(key, state.seedOnlyKeys));
    await asTenant(state, async (client, table) => {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (
           key text PRIMARY KEY,
           value jsonb NOT NULL,
           seed_only boolean NOT NULL DEFAULT false,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      // Rows already holding the value are left alone, so updated_at only moves when a value really changes.
      await client.query(
        `INSERT INTO ${table} AS t (key, value, seed_only, updated_at)
           SELECT key, value::jsonb, false, now() FROM unnest($1::text[], $2::text[]) AS s (key, value)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, seed_only = false, updated_at = now()
           WHERE t.value IS DISTINCT FROM excluded.value OR t.seed_only IS DISTINCT FROM false`,
        [managed.map(([key]) => key), managed.map(([, value]) => value)],
      );
      // An existing row keeps the tenant's value; only its flag follows the spec.
      await client.query(
        `INSERT INTO ${table} AS t (key, value, seed_only, updated_at)
           SELECT key, value::jsonb, true, now() FROM unnest($1::text[], $2::text[]) AS s (key, value)
         ON CONFLICT (key) DO UPDATE SET seed_only = true WHERE t.seed_only IS DISTINCT FROM true`,
        [seedOnly.map(([key]) => key), seedOnly.map(([, value]) => value)],
      );
      if (remove.length > 0) {
        await client.query(`DELETE FROM ${table} WHERE key = ANY($1::text[]) AND seed_only IS NOT true`, [[...remove]]);
      }
    });
  }

  async function readManagedRows(state: TenantSettingsState): Promise<Map<string, string>> {
    const managedKeys = Object.keys(state.settings).filter((key) => !isSeedOnly(key, state.seedOnlyKeys));
    try {
      return await asTenant(state, async (client, table) => {
        const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table]);
        if (!exists.rows[0]?.exists) return new Map<string, string>();
        const result = await client.query<{ key: string; value: string }>(
          `SELECT key, value::text AS value FROM ${table} WHERE key = ANY($1::text[])`,
          [managedKeys],
        );
        return new Map(result.rows.map((row) => [row.key, canonicalJson(JSON.parse(row.value))]));
      });
    } catch (error) {
      // A dropped database holds no settings: report every managed key as missing (drift) instead of failing.
      if ((error as { code?: string }).code === MISSING_DATABASE) return new Map();
      throw error;
    }
  }

  return { SETTINGS_TABLE, settingsId, sslOptions, writeSettings, readManagedRows };
}

export type SettingsStore = ReturnType<typeof settingsStore>;
