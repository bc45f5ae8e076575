/**
 * The DNS records the scan reads: each PowerDNS zone the fleet writes into, listed whole in one request (the zone's
 * rrsets), with the connection this run resolves as the program would (infra/context/powerdnsConfig.ts: the
 * environment, then the template; a key kept only in a stack's encrypted config is not read, and those stacks go to
 * the engine). Records are kept as the record provider's refresh sees them: enabled contents, sorted.
 * Cloudflare and Route53 zones are not listed: their tenants' stacks go to the engine.
 */
import { resolvePowerDns } from "../../../infra/context/powerdnsConfig";
import type { PowerDnsServerSpec } from "../../core/model";
import type { Readable } from "./catalog";

export interface ListedRrset {
  readonly ttl: number;
  /** Enabled contents only, sorted. */
  readonly records: readonly string[];
}

/** A zone's rrsets by `<absolute name>/<type>`, the name in lower case. */
export type ZoneListing = ReadonlyMap<string, ListedRrset>;

/** As PowerDnsRecord writes names: absolute, lower case. */
export const absoluteName = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

export const rrsetKey = (name: string, type: string) => `${absoluteName(name)}/${type}`;

/** The zone `zone` at the PowerDNS server `server` names; not readable (with why) rather than thrown. */
export async function listPowerDnsZone(
  zone: string,
  server: PowerDnsServerSpec | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Readable<ZoneListing>> {
  let connection: ReturnType<typeof resolvePowerDns>;
  try {
    connection = resolvePowerDns({ config: undefined, env }, server);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const url = `${connection.apiUrl}/api/v1/servers/${encodeURIComponent(connection.serverId)}/zones/${encodeURIComponent(absoluteName(zone))}`;
  try {
    const response = await fetch(url, {
      headers: { "x-api-key": connection.apiKey, accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status !== 200)
      return {
        ok: false,
        reason: `PowerDNS ${connection.apiUrl} answered ${response.status} for zone ${absoluteName(zone)}`,
      };
    const body = (await response.json()) as {
      rrsets?: { name: string; type: string; ttl: number; records: { content: string; disabled?: boolean }[] }[];
    };
    const listing = new Map<string, ListedRrset>();
    for (const rrset of body.rrsets ?? []) {
      const records = rrset.records.filter((record) => !record.disabled).map((record) => record.content);
      // An rrset with every record disabled answers nothing: the provider's refresh calls it gone.
      if (records.length > 0)
        listing.set(rrsetKey(rrset.name, rrset.type), { ttl: rrset.ttl, records: records.sort() });
    }
    return { ok: true, value: listing };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      reason: `PowerDNS ${connection.apiUrl} could not be reached: ${cause ?? (error as Error).message}`,
    };
  }
}
