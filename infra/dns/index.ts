/**
 * DNS adapters: where tenantctl writes the records of zones it controls.
 *
 * Each adapter loads its provider SDK on first use, so importing this module costs nothing and a stack only ever
 * loads the SDK of the provider its template names.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { TenantDomainsSpec } from "../../src/core/model";
import { CloudflareDns } from "./cloudflare";
import { PowerDns } from "./powerdns";
import type { PowerDnsConnection } from "./powerdnsConnection";
import { Route53Dns } from "./route53";

export { CloudflareDns, type CloudflareDnsArgs } from "./cloudflare";
export { PowerDns, type PowerDnsArgs } from "./powerdns";
export type { PowerDnsConnection } from "./powerdnsConnection";
export { Route53Dns, type Route53DnsArgs } from "./route53";
export { DEFAULT_DNS_TTL_SECONDS, type DnsProvider, type DnsRecordSpec } from "./dnsProvider";

/** Every DNS provider tenantctl supports. */
export type Dns = CloudflareDns | Route53Dns | PowerDns;

export interface DnsForOptions {
  /**
   * The zone's id at its provider.
   * @default looked up by zone name (the deployment context passes `tenantctl:cloudflareZoneId` or `tenantctl:route53ZoneId`)
   */
  readonly zoneId?: pulumi.Input<string>;
  /** PowerDNS's API URL, server id and key (a secret), resolved on first use. Throws a SetupError when unset. */
  readonly powerdnsConnection?: () => pulumi.Input<PowerDnsConnection>;
}

/** The adapter for the template's `dns` block; the one place that branches on the provider's name. */
export function dnsFor(dns: TenantDomainsSpec["dns"], options: DnsForOptions = {}): Dns {
  switch (dns.provider) {
    case "cloudflare":
      return new CloudflareDns({ zone: dns.zone, zoneId: options.zoneId });
    case "route53":
      return new Route53Dns({ zone: dns.zone, zoneId: options.zoneId });
    case "powerdns":
      return new PowerDns({
        zone: dns.zone,
        connection: () => {
          if (!options.powerdnsConnection) throw new Error("dns.provider is powerdns, but no connection was given");
          return options.powerdnsConnection();
        },
      });
    default:
      return unsupported(dns.provider);
  }
}

function unsupported(provider: never): never {
  throw new Error(`dns.provider "${String(provider)}" is not supported: use cloudflare, route53 or powerdns.`);
}
