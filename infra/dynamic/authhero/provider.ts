/**
 * The AuthHero dynamic providers: one per entity kind (entities.ts), all alike.
 *
 * - `create` adopts an entity that already has the name tenantctl would give it (bringing it to the spec) instead of
 *   making a second one;
 * - `read` reports what AuthHero really holds, so a change made by hand is drift naming the property (the engine
 *   compares the refreshed outputs with the inputs leaf by leaf), and an entity deleted by hand is gone from state;
 * - `diff` compares the kind's fields; `update` sends the whole entity; `delete` accepts "already gone".
 *
 * Each provider's source is its factories' own source (see ../prebuilt.ts), so what is tested is what ships.
 */
import type * as pulumi from "@pulumi/pulumi";
import { composedProviderSource, loadProviderSource } from "../prebuilt";
import { providerValues, type ProviderValues } from "../providerValues";
import { authheroApi, type AuthHeroApi } from "./api";
import {
  authheroEntities,
  type AuthHeroEntities,
  type EntityKind,
  type EntityStateBase,
  type OrganizationState,
  type ResourceServerState,
  type RoleState,
} from "./entities";

export function authheroProviders(
  _api: AuthHeroApi,
  entities: AuthHeroEntities,
  { containsUnknown, canonicalJson }: ProviderValues,
) {
  function providerFor<S extends EntityStateBase>(kind: EntityKind<S>): pulumi.dynamic.ResourceProvider<S, S> {
    const context = (state: S) => ({ tenant: state.tenant, entity: kind.label(state) });
    const changedFields = (olds: S, news: S) =>
      kind.fields.filter((field) => canonicalJson(olds[field]) !== canonicalJson(news[field]));
    return {
      async create(inputs) {
        const existing = await kind.find(inputs.connection, context(inputs), inputs);
        if (existing !== undefined) {
          await kind.update(inputs.connection, context(inputs), existing, inputs);
          return { id: existing, outs: inputs };
        }
        return { id: await kind.create(inputs.connection, context(inputs), inputs), outs: inputs };
      },

      async read(id, props) {
        if (!props) return { id };
        const observed = await kind.read(props.connection, context(props), id);
        // Deleted behind the tool's back: an empty id is "not found" to the engine, which drops it from state, so
        // `up` creates it again. (An empty string, not undefined: Pulumi's own host sets the id as given.)
        if (!observed) return { id: "" };
        return { id, props: { ...props, ...observed } };
      },

      async diff(_id, olds, news) {
        if (containsUnknown(news)) return { changes: true };
        const changed = changedFields(olds, news);
        // New credentials must reach state, or the next refresh would call with the old ones.
        const connectionChanged = canonicalJson(olds.connection) !== canonicalJson(news.connection);
        return { changes: changed.length > 0 || connectionChanged || olds.tenant !== news.tenant };
      },

      async update(id, olds, news) {
        if (changedFields(olds, news).length > 0) await kind.update(news.connection, context(news), id, news);
        return { outs: news };
      },

      async delete(id, props) {
        await kind.remove(props.connection, context(props), id);
      },
    };
  }

  return {
    resourceServer: providerFor(entities.resourceServer),
    role: providerFor(entities.role),
    organization: providerFor(entities.organization),
  };
}

export type AuthHeroProviders = ReturnType<typeof authheroProviders>;

// The last factory of each source picks its kind's provider.
function resourceServerProviderModule(
  _api: AuthHeroApi,
  _entities: AuthHeroEntities,
  _values: ProviderValues,
  providers: AuthHeroProviders,
) {
  return { provider: providers.resourceServer };
}
function roleProviderModule(
  _api: AuthHeroApi,
  _entities: AuthHeroEntities,
  _values: ProviderValues,
  providers: AuthHeroProviders,
) {
  return { provider: providers.role };
}
function organizationProviderModule(
  _api: AuthHeroApi,
  _entities: AuthHeroEntities,
  _values: ProviderValues,
  providers: AuthHeroProviders,
) {
  return { provider: providers.organization };
}

/** What the engine runs, per kind. */
export const AUTHHERO_RESOURCE_SERVER_PROVIDER_SOURCE = composedProviderSource([
  authheroApi,
  authheroEntities,
  providerValues,
  authheroProviders,
  resourceServerProviderModule,
]);
export const AUTHHERO_ROLE_PROVIDER_SOURCE = composedProviderSource([
  authheroApi,
  authheroEntities,
  providerValues,
  authheroProviders,
  roleProviderModule,
]);
export const AUTHHERO_ORGANIZATION_PROVIDER_SOURCE = composedProviderSource([
  authheroApi,
  authheroEntities,
  providerValues,
  authheroProviders,
  organizationProviderModule,
]);

/** The providers loaded from those sources as the engine loads them: the integration tests exercise what ships. */
export const authheroResourceServerProvider = loadProviderSource<
  pulumi.dynamic.ResourceProvider<ResourceServerState, ResourceServerState>
>(AUTHHERO_RESOURCE_SERVER_PROVIDER_SOURCE);
export const authheroRoleProvider =
  loadProviderSource<pulumi.dynamic.ResourceProvider<RoleState, RoleState>>(AUTHHERO_ROLE_PROVIDER_SOURCE);
export const authheroOrganizationProvider = loadProviderSource<
  pulumi.dynamic.ResourceProvider<OrganizationState, OrganizationState>
>(AUTHHERO_ORGANIZATION_PROVIDER_SOURCE);
