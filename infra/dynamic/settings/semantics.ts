/**
 * What the settings of a tenant mean, apart from where they are stored: the flattening of the settings tree into
 * dotted keys, which keys are seed-only, and what an update must do. Pure.
 *
 * - Managed keys are enforced: `read` reports what the table holds, so a change made at run time is drift, and
 *   `update` writes the spec's value back.
 * - Seed-only keys (equal to, or under, one of `seedOnlyKeys`) are inserted once and then belong to the tenant: a later
 *   change in the table is kept, and `read` reports the seeded value, so it is never drift. Changing a seed-only value
 *   in the spec therefore only affects tenants that do not have the row yet.
 * - A managed key removed from the spec is deleted from the table (the spec owns managed keys; a stale row would look
 *   enforced). A seed-only key removed from the spec keeps its row: it is the tenant's data. Rows tenantctl never
 *   wrote (the tenant's own keys) are never read, compared or touched.
 *
 * Written as one self-contained factory, because its source travels in state with the provider (see
 * ../prebuilt.ts): it may refer to nothing outside itself but globals and the factory before it (../providerValues.ts).
 */
import type { JsonValue } from "../../../src/core/model";
import type { ProviderValues } from "../providerValues";
import type { AdminConnection } from "./adminConnection";

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

export function settingsSemantics({ canonicalJson }: ProviderValues) {
  /**
   * `{features: {sso: true}, locale: "en-US"}` → `{"features.sso": "true", "locale": "\"en-US\""}`.
   * Lists are leaves (resolution replaces lists whole); an empty map has no leaves, so it writes nothing.
   * Keys containing a dot are refused: `a.b` under `x` and `b` under `x.a` would be the same row. `validate` refuses
   * them first (rule settingKeysStorable); this guard is for a Tenant built by hand.
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
      const known = Object.hasOwn(oldSettings, key);
      const wasSeedOnly = known && isSeedOnly(key, oldSeedOnly);
      if (isSeedOnly(key, news.seedOnlyKeys)) {
        if (!known) seed.push(key);
        else if (!wasSeedOnly) release.push(key);
      } else if (!known || wasSeedOnly || oldSettings[key] !== value) {
        upsert.push(key);
      }
    }
    const remove = Object.keys(oldSettings).filter(
      (key) => !Object.hasOwn(news.settings, key) && !isSeedOnly(key, oldSeedOnly),
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

  /** Whether two states write to the same table as the same role. */
  function sameTarget(a: TenantSettingsState, b: TenantSettingsState): boolean {
    return a.database === b.database && a.schema === b.schema && a.role === b.role;
  }

  /** New credentials must reach state, or the next refresh would connect with the old ones. */
  function sameConnection(a: AdminConnection | undefined, b: AdminConnection | undefined): boolean {
    return canonicalJson(a) === canonicalJson(b);
  }

  return {
    flattenSettings,
    isSeedOnly,
    diffSettings,
    hasSettingsChanges,
    observedSettings,
    sameTarget,
    sameConnection,
  };
}

export type SettingsSemantics = ReturnType<typeof settingsSemantics>;
