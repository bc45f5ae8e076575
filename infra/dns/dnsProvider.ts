import type * as pulumi from "@pulumi/pulumi";

/** One DNS record in a zone we control, independent of who hosts the zone. */
export interface DnsRecordSpec {
  readonly type: "CNAME" | "TXT" | "A" | "AAAA";
  /** Fully qualified name, without the trailing dot. */
  readonly name: string;
  readonly value: pulumi.Input<string>;
}

/**
 * Where tenantctl writes DNS records. Components talk to this interface only, so they never branch on which
 * provider hosts the zone; `dnsFor` picks the implementation from the template's `dns.provider`.
 */
export interface DnsProvider {
  /** The zone records are written into, e.g. `example.com`. */
  readonly zone: string;
  /** Declares a record; `opts.parent` is the component that owns it. */
  createRecord(name: string, record: DnsRecordSpec, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
}

export const DEFAULT_DNS_TTL_SECONDS = 300;
