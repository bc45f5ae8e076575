import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DNS_TTL_SECONDS, type DnsProvider, type DnsRecordSpec } from "./dnsProvider";
import type { PowerDnsConnection } from "./powerdnsConnection";
import { PowerDnsRecord } from "./powerdnsRecord";

export interface PowerDnsArgs {
  /** Zone name, e.g. `example.com`: it must exist in PowerDNS (tenantctl writes records, never zones). */
  readonly zone: string;
  /** The API's URL, server id and key: a secret, resolved on first use (see infra/context/powerdnsConfig.ts). */
  readonly connection: () => pulumi.Input<PowerDnsConnection>;
}

/**
 * Records in a zone of a PowerDNS Authoritative server the team runs, through its HTTP API (a dynamic provider of
 * ours: ./powerdnsProvider.ts). Needs `dns.powerdns.apiUrl` in the template and the API key as
 * `tenantctl:powerdns.apiKey` (a secret) or TENANTCTL_POWERDNS_API_KEY.
 */
export class PowerDns implements DnsProvider {
  readonly kind = "powerdns" as const;
  readonly zone: string;
  private readonly args: PowerDnsArgs;

  constructor(args: PowerDnsArgs) {
    this.zone = args.zone;
    this.args = args;
  }

  createRecord(name: string, record: DnsRecordSpec, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    return new PowerDnsRecord(
      name,
      {
        connection: this.args.connection(),
        // The stack is the tenant (or `control-plane`): named in the provider's messages.
        tenant: pulumi.getStack(),
        zone: this.zone,
        name: record.name,
        type: record.type,
        ttl: DEFAULT_DNS_TTL_SECONDS,
        records: [pulumi.output(record.value).apply((value) => presentation(record.type, value))],
      },
      opts,
    );
  }
}

/** PowerDNS stores contents in zone-file form: a CNAME's target absolute, a TXT's text quoted. */
export function presentation(type: DnsRecordSpec["type"], value: string): string {
  switch (type) {
    case "CNAME":
      return value.endsWith(".") ? value.toLowerCase() : `${value.toLowerCase()}.`;
    case "TXT":
      return `"${value.replace(/(["\\])/g, "\\$1")}"`;
    default:
      return value;
  }
}
