/**
 * The dynamic provider of PowerDNS records (one rrset each).
 *
 * - `create` writes the rrset with REPLACE, so a record already at that name and type (left by hand, or by an
 *   interrupted run) is taken over and brought to the spec instead of failing;
 * - `read` reports what PowerDNS really holds, so a hand edit is drift naming `records` or `ttl`, and a record deleted
 *   by hand is gone from state (an `up` writes it again);
 * - `diff` replaces (delete first) when the zone, name or type changes: a CNAME cannot share its name with another
 *   type; `delete` accepts "already gone".
 *
 * The provider's source is its factories' own source (see ../dynamic/prebuilt.ts), so what is tested is what ships.
 */
import type * as pulumi from "@pulumi/pulumi";
import { composedProviderSource, loadProviderSource } from "../dynamic/prebuilt";
import { providerValues, type ProviderValues } from "../dynamic/providerValues";
import { powerdnsApi, type PowerDnsApi } from "./powerdnsApi";
import type { PowerDnsConnection } from "./powerdnsConnection";

/** The record's inputs and outputs: the same shape, so the engine compares them leaf by leaf. */
export interface PowerDnsRecordState {
  /** A secret in state, as a whole. */
  readonly connection: PowerDnsConnection;
  /** The stack's tenant, for messages. */
  readonly tenant: string;
  /** The zone, absolute: `example.com.`. */
  readonly zone: string;
  /** Absolute: `acme.app.example.com.`. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  /** Contents in PowerDNS's presentation format (absolute CNAME targets, quoted TXT), sorted. */
  readonly records: readonly string[];
}

export function powerdnsRecordProvider(api: PowerDnsApi, { containsUnknown, canonicalJson }: ProviderValues) {
  const context = (state: PowerDnsRecordState) => ({ tenant: state.tenant, record: `${state.type} ${state.name}` });
  const rrsetOf = (state: PowerDnsRecordState) => ({
    name: state.name,
    type: state.type,
    ttl: state.ttl,
    records: [...state.records].sort(),
  });
  const idOf = (state: PowerDnsRecordState) => `${state.zone}/${state.name}/${state.type}`;

  const provider: pulumi.dynamic.ResourceProvider<PowerDnsRecordState, PowerDnsRecordState> = {
    async create(inputs) {
      await api.replaceRrset(inputs.connection, context(inputs), inputs.zone, rrsetOf(inputs));
      return { id: idOf(inputs), outs: inputs };
    },

    async read(id, props) {
      if (!props) return { id };
      const observed = await api.readRrset(props.connection, context(props), props.zone, props.name, props.type);
      // Deleted behind the tool's back: an empty id is "not found" to the engine, which drops it from state.
      if (!observed) return { id: "" };
      return { id, props: { ...props, ttl: observed.ttl, records: observed.records } };
    },

    async diff(_id, olds, news) {
      if (containsUnknown(news)) return { changes: true };
      const replaces = (["zone", "name", "type"] as const).filter((field) => olds[field] !== news[field]);
      const changed =
        replaces.length > 0 ||
        olds.ttl !== news.ttl ||
        canonicalJson([...olds.records].sort()) !== canonicalJson([...news.records].sort()) ||
        // New credentials must reach state, or the next refresh would call with the old ones.
        canonicalJson(olds.connection) !== canonicalJson(news.connection) ||
        olds.tenant !== news.tenant;
      return { changes: changed, replaces, deleteBeforeReplace: replaces.length > 0 };
    },

    async update(_id, _olds, news) {
      await api.replaceRrset(news.connection, context(news), news.zone, rrsetOf(news));
      return { outs: news };
    },

    async delete(_id, props) {
      await api.deleteRrset(props.connection, context(props), props.zone, props.name, props.type);
    },
  };
  return { provider };
}

/** What the engine runs. */
export const POWERDNS_RECORD_PROVIDER_SOURCE = composedProviderSource([
  powerdnsApi,
  providerValues,
  powerdnsRecordProvider,
]);

/**
 * The provider loaded from that source as the engine loads it: the tests exercise what ships. A function, so that
 * importing the DNS adapters evaluates nothing.
 */
export function loadPowerDnsRecordProvider(): pulumi.dynamic.ResourceProvider<
  PowerDnsRecordState,
  PowerDnsRecordState
> {
  return loadProviderSource(POWERDNS_RECORD_PROVIDER_SOURCE);
}
