/**
 * Dynamic provider that keeps a tenant's resolved settings in a `tenant_settings` table inside the tenant's
 * own database or schema.
 *
 * Semantics (the product contract in DESIGN.md, "Settings"):
 * - Managed keys are enforced. `read` reports what the table holds, so a change made at run time shows up as
 *   drift in `refresh`/`preview --refresh`, and `update` writes the spec's value back.
 * - Seed-only keys (equal to, or under, one of `seedOnlyKeys`) are inserted once and then belong to the
 *   tenant: a later change in the table is kept, and `read` reports the seeded value, so it is never drift.
 *   Changing a seed-only value in the spec therefore only affects tenants that do not have the row yet.
 * - A managed key removed from the spec is deleted from the table (the spec owns managed keys; a stale row
 *   would look enforced). A seed-only key removed from the spec keeps its row: it is the tenant's data.
 *   Rows tenantctl never wrote (the tenant's own keys) are never read, compared or touched.
 * - `delete` leaves the table and its rows alone: settings are tenant data and outlive the stack.
 *
 * The provider and everything it uses live in one self-contained function, `tenantSettingsModule`, whose own source
 * is what travels in state (see prebuilt.ts): it may refer to nothing outside itself but globals and `require`, and
 * `pg` is required inside the functions that connect.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Client } from "pg";
import type { JsonValue, Tenant } from "../../src/core/model";
import { loadProviderSource, PrebuiltDynamicResource, providerSource } from "./prebuilt";

/** How the admin connection negotiates TLS; the libpq names, restricted to those node-postgres can honour. */
export type SslMode = "disable" | "require" | "verify-ca" | "verify-full";

/** Server admin credentials, used to connect before switching to the tenant's role. A secret in state. */
export interface AdminConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** @default "require" */
  readonly sslmode?: SslMode;
}

/** Inputs and outputs of the dynamic resource: the same shape, so `diff` can compare them directly. */
export interface TenantSettingsState {
  readonly connection: AdminConnection;
  /** Database holding the table: the tenant's own, or the server's shared database. */
  readonly database: string;
  readonly schema: string;
  /** The tenant's role: it owns the table, and every statement runs as it. */
  readonly role: string;
  /**
   * Dotted leaf key → canonical JSON text of its value. In outputs after `read`, managed keys hold what the
   * table holds (a missing row is a missing key); seed-only keys hold the seeded value.
   */
  readonly settings: Readonly<Record<string, string>>;
  /** Dotted prefixes, relative to `settings`, of the keys that are seeded once. */
  readonly seedOnlyKeys: readonly string[];
}

/** What `update` (or `create`) will do to the table. */
export interface SettingsDiff {
  /** Managed keys that are new, changed, or were seed-only before: their value is written. */
  readonly upsert: readonly string[];
  /** Seed-only keys not seeded yet: inserted unless a row exists. */
  readonly seed: readonly string[];
  /** Managed keys no longer in the spec: their rows are deleted. */
  readonly remove: readonly string[];
  /** Keys that were managed and are now seed-only: the row is kept as is and marked seed-only. */
  readonly release: readonly string[];
}

/**
 * The provider with its helpers, self-contained (see the file comment). The helpers are exported below, for the
 * component and the tests; the provider travels as `TENANT_SETTINGS_PROVIDER_SOURCE`.
 */
function tenantSettingsModule() {
  /** The table every tenant database or schema gets. */
  const SETTINGS_TABLE = "tenant_settings";

  /** JSON text with object keys sorted at every level, so equal values always compare equal as strings. */
  function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value));
  }

  function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
      return sorted;
    }
    return value;
  }

  /**
   * `{features: {sso: true}, locale: "en-US"}` → `{"features.sso": "true", "locale": "\"en-US\""}`.
   * Lists are leaves (resolution replaces lists whole); an empty map has no leaves, so it writes nothing.
   * Keys containing a dot are refused: `a.b` under `x` and `b` under `x.a` would be the same row.
   */
  function flattenSettings(values: { readonly [key: string]: JsonValue }, prefix = ""): Record<string, string> {
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (key === "" || key.includes(".")) {
        throw new Error(
          `Setting key "${path}" ${key === "" ? "is empty" : "contains a dot"}; setting keys are stored as dotted paths, ` +
            `so nest the value instead (e.g. \`a: { b: ... }\` rather than \`"a.b": ...\`).`,
        );
      }
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        Object.assign(flat, flattenSettings(value as { readonly [key: string]: JsonValue }, path));
      } else {
        flat[path] = canonicalJson(value);
      }
    }
    return flat;
  }

  /** A key is seed-only if it equals one of the prefixes or lies under one (`branding` covers `branding.logo`). */
  function isSeedOnly(key: string, seedOnlyKeys: readonly string[]): boolean {
    return seedOnlyKeys.some((prefix) => key === prefix || key.startsWith(`${prefix}.`));
  }

  /**
   * Compares the last known state (`olds`: outputs, refreshed or not) with the desired state (`news`).
   * Seed-only values are not compared: once seeded, the row is the tenant's.
   */
  function diffSettings(
    olds: Pick<TenantSettingsState, "settings" | "seedOnlyKeys">,
    news: Pick<TenantSettingsState, "settings" | "seedOnlyKeys">,
  ): SettingsDiff {
    const oldSettings = olds.settings ?? {};
    const oldSeedOnly = olds.seedOnlyKeys ?? [];
    const upsert: string[] = [];
    const seed: string[] = [];
    const release: string[] = [];
    for (const [key, value] of Object.entries(news.settings)) {
      const known = Object.prototype.hasOwnProperty.call(oldSettings, key);
      const wasSeedOnly = known && isSeedOnly(key, oldSeedOnly);
      if (isSeedOnly(key, news.seedOnlyKeys)) {
        if (!known) seed.push(key);
        else if (!wasSeedOnly) release.push(key);
      } else if (!known || wasSeedOnly || oldSettings[key] !== value) {
        upsert.push(key);
      }
    }
    const remove = Object.keys(oldSettings).filter(
      (key) => !Object.prototype.hasOwnProperty.call(news.settings, key) && !isSeedOnly(key, oldSeedOnly),
    );
    return { upsert: upsert.sort(), seed: seed.sort(), remove: remove.sort(), release: release.sort() };
  }

  function hasSettingsChanges(diff: SettingsDiff): boolean {
    return diff.upsert.length + diff.seed.length + diff.remove.length + diff.release.length > 0;
  }

  /** The settings map `read` reports: the table's values for managed keys, the seeded values for seed-only ones. */
  function observedSettings(
    state: Pick<TenantSettingsState, "settings" | "seedOnlyKeys">,
    rows: ReadonlyMap<string, string>,
  ): Record<string, string> {
    const observed: Record<string, string> = {};
    for (const [key, value] of Object.entries(state.settings)) {
      if (isSeedOnly(key, state.seedOnlyKeys)) observed[key] = value;
      else {
        const row = rows.get(key);
        if (row !== undefined) observed[key] = row;
      }
    }
    return observed;
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

  /** During preview, inputs computed from other resources arrive as this sentinel (pulumi's rpc.unknownValue). */
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
  }

  function settingsId(state: TenantSettingsState): string {
    return `${state.database}/${state.schema}/${SETTINGS_TABLE}`;
  }

  function sameTarget(a: TenantSettingsState, b: TenantSettingsState): boolean {
    return a.database === b.database && a.schema === b.schema && a.role === b.role;
  }

  function sameConnection(a: AdminConnection | undefined, b: AdminConnection | undefined): boolean {
    return canonicalJson(a ?? null) === canonicalJson(b ?? null);
  }

  /** PostgreSQL error codes `read` treats as "nothing there yet" rather than as a failure. */
  const MISSING_DATABASE = "3D000";

  /**
   * Runs `work` in one transaction as the tenant's role (`SET LOCAL ROLE`), so everything created is owned by
   * the tenant and nothing is reachable that the tenant itself could not reach.
   */
  async function asTenant<T>(state: TenantSettingsState, work: (client: Client, table: string) => Promise<T>): Promise<T> {
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
        throw explain(error, state, `The admin user "${connection.user}" must be a superuser or a member of role "${state.role}" (GRANT "${state.role}" TO "${connection.user}").`);
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

  const provider: pulumi.dynamic.ResourceProvider<TenantSettingsState, TenantSettingsState> = {
    async create(inputs) {
      await writeSettings(inputs, []);
      return { id: settingsId(inputs), outs: inputs };
    },

    async read(id, props) {
      if (!props) return { id };
      const rows = await readManagedRows(props);
      return { id, props: { ...props, settings: observedSettings(props, rows) } };
    },

    async diff(_id, olds, news) {
      if (containsUnknown(news)) return { changes: true };
      const changes =
        hasSettingsChanges(diffSettings(olds, news)) ||
        !sameTarget(olds, news) ||
        // New credentials must reach state, or the next refresh would connect with the old ones.
        !sameConnection(olds.connection, news.connection);
      return { changes };
    },

    async update(_id, olds, news) {
      // Moving to another database or schema writes everything there; the old rows stay where they are.
      const remove = sameTarget(olds, news) ? diffSettings(olds, news).remove : [];
      await writeSettings(news, remove);
      return { outs: news };
    },

    // Settings are tenant data: removing the resource (a decommission, a deleted tenant file) keeps the table.
    async delete() {},
  };

  return {
    SETTINGS_TABLE,
    canonicalJson,
    flattenSettings,
    isSeedOnly,
    diffSettings,
    hasSettingsChanges,
    observedSettings,
    sslOptions,
    provider,
  };
}

const tenantSettings = tenantSettingsModule();
export const SETTINGS_TABLE = tenantSettings.SETTINGS_TABLE;
export const canonicalJson = tenantSettings.canonicalJson;
export const flattenSettings = tenantSettings.flattenSettings;
export const isSeedOnly = tenantSettings.isSeedOnly;
export const diffSettings = tenantSettings.diffSettings;
export const hasSettingsChanges = tenantSettings.hasSettingsChanges;
export const observedSettings = tenantSettings.observedSettings;
export const sslOptions = tenantSettings.sslOptions;
/** What the engine runs: the provider's own source. */
export const TENANT_SETTINGS_PROVIDER_SOURCE = providerSource(tenantSettingsModule);
/** The provider, loaded from that source as the engine loads it: tests exercise exactly what ships. */
export const tenantSettingsProvider = loadProviderSource<pulumi.dynamic.ResourceProvider<TenantSettingsState, TenantSettingsState>>(TENANT_SETTINGS_PROVIDER_SOURCE);

/** Everything but the connection: where the tenant's settings go, and what they are. Throws on a dotted key. */
export function desiredSettings(tenant: Tenant): Omit<TenantSettingsState, "connection"> {
  return {
    database: tenant.database.databaseName,
    schema: tenant.database.schemaName,
    role: tenant.database.roleName,
    settings: flattenSettings(tenant.settings.values),
    seedOnlyKeys: [...tenant.settings.seedOnlyKeys],
  };
}

export interface TenantSettingsTableArgs {
  readonly connection: pulumi.Input<AdminConnection>;
  readonly database: pulumi.Input<string>;
  readonly schema: pulumi.Input<string>;
  readonly role: pulumi.Input<string>;
  readonly settings: pulumi.Input<Record<string, string>>;
  readonly seedOnlyKeys: pulumi.Input<readonly string[]>;
}

/** The dynamic resource itself; use it through the `TenantSettings` component. */
export class TenantSettingsTable extends PrebuiltDynamicResource {
  declare public readonly database: pulumi.Output<string>;
  declare public readonly schema: pulumi.Output<string>;
  declare public readonly role: pulumi.Output<string>;
  declare public readonly settings: pulumi.Output<Record<string, string>>;
  declare public readonly seedOnlyKeys: pulumi.Output<string[]>;

  constructor(name: string, args: TenantSettingsTableArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      TENANT_SETTINGS_PROVIDER_SOURCE,
      "TenantSettingsTable",
      name,
      // The whole connection is secret (not only the password) so that it stays secret in state.
      { ...args, connection: pulumi.secret(args.connection) },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"] },
    );
  }
}
