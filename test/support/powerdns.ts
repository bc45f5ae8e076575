/**
 * The real PowerDNS server of the DNS tests (src/sandbox/powerdns.ts starts it on free loopback ports), what a person
 * would do to it by hand (edit an rrset through its API), and a resolver that asks it over real DNS.
 */
import { Resolver } from "node:dns/promises";
import { type RunningPowerDns, startPowerDns } from "../../src/sandbox/powerdns";
import { absoluteName } from "../../src/orchestrate/scan/dnsListing";

export type { RunningPowerDns } from "../../src/sandbox/powerdns";

export function startTestPowerDns(zone: string): Promise<RunningPowerDns> {
  return startPowerDns({ zone });
}

/** A resolver that asks only this server, over UDP on its port (as `dig @127.0.0.1 -p PORT` does). */
export function resolverFor(server: Pick<RunningPowerDns, "dnsPort">): Resolver {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([`127.0.0.1:${server.dnsPort}`]);
  return resolver;
}

/** The CNAME target the server answers for `name`, or undefined when it has none (NXDOMAIN or no CNAME). */
export async function cnameOf(server: Pick<RunningPowerDns, "dnsPort">, name: string): Promise<string | undefined> {
  try {
    const [target] = await resolverFor(server).resolveCname(name);
    return target;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return undefined;
    throw error;
  }
}

/** An rrset as the API holds it: every record, disabled ones included. */
export interface HeldRrset {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly records: readonly { readonly content: string; readonly disabled: boolean }[];
}

/** The rrset `name`/`type` as the server holds it now, or undefined. */
export async function rrsetHeld(server: RunningPowerDns, name: string, type: string): Promise<HeldRrset | undefined> {
  const answer = await fetch(`${server.apiUrl}/api/v1/servers/localhost/zones/${absoluteName(server.zone)}`, {
    headers: { "x-api-key": server.apiKey },
  });
  if (answer.status !== 200)
    throw new Error(`PowerDNS refused the zone listing: ${answer.status} ${await answer.text()}`);
  const body = (await answer.json()) as {
    rrsets: (HeldRrset & { records: { content: string; disabled?: boolean }[] })[];
  };
  const found = body.rrsets.find((r) => absoluteName(r.name) === absoluteName(name) && r.type === type);
  return found && { ...found, records: found.records.map((r) => ({ content: r.content, disabled: !!r.disabled })) };
}

/**
 * Sets an rrset through the API, as an operator would by hand (or removes it with `records: []`). A record given as
 * `{content, disabled}` can be disabled: the server keeps it but does not answer it.
 */
export async function editByHand(
  server: RunningPowerDns,
  rrset: {
    name: string;
    type: string;
    ttl?: number;
    records: readonly (string | { readonly content: string; readonly disabled: boolean })[];
  },
): Promise<void> {
  const body = {
    rrsets: [
      {
        name: absoluteName(rrset.name),
        type: rrset.type,
        ttl: rrset.ttl ?? 300,
        changetype: rrset.records.length === 0 ? "DELETE" : "REPLACE",
        records: rrset.records.map((record) =>
          typeof record === "string" ? { content: record, disabled: false } : record,
        ),
      },
    ],
  };
  const answer = await fetch(`${server.apiUrl}/api/v1/servers/localhost/zones/${absoluteName(server.zone)}`, {
    method: "PATCH",
    headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (answer.status !== 204) throw new Error(`PowerDNS refused the hand edit: ${answer.status} ${await answer.text()}`);
}
