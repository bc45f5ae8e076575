/**
 * The settings table's dynamic provider: the engine's create/read/diff/update/delete, in terms of the semantics
 * (semantics.ts) and the table (store.ts), on the values the engine hands it (../providerValues.ts). Its source, with theirs, is what travels in state (see ../prebuilt.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { composedProviderSource, loadProviderSource } from "../prebuilt";
import { providerValues, type ProviderValues } from "../providerValues";
import { settingsSemantics, type SettingsSemantics, type TenantSettingsState } from "./semantics";
import { settingsStore, type SettingsStore } from "./store";

export function settingsProvider(
  { containsUnknown }: ProviderValues,
  semantics: SettingsSemantics,
  store: SettingsStore,
) {
  const { diffSettings, hasSettingsChanges, observedSettings, sameTarget, sameConnection } = semantics;
  const { settingsId, writeSettings, readManagedRows } = store;

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

  return { provider };
}

/** What the engine runs: the factories' own source, composed. */
export const TENANT_SETTINGS_PROVIDER_SOURCE = composedProviderSource([
  providerValues,
  settingsSemantics,
  settingsStore,
  settingsProvider,
]);
/** The provider, loaded from that source as the engine loads it: tests exercise exactly what ships. */
export const tenantSettingsProvider = loadProviderSource<
  pulumi.dynamic.ResourceProvider<TenantSettingsState, TenantSettingsState>
>(TENANT_SETTINGS_PROVIDER_SOURCE);
