import type * as pulumi from "@pulumi/pulumi";
import type * as cloudflareDnsRecord from "@pulumi/cloudflare/dnsRecord";
import { cloudflareZoneId } from "./cloudflareZone";
import { DEFAULT_DNS_TTL_SECONDS, type DnsProvider, type DnsRecordSpec } from "./dnsProvider";

export interface CloudflareDnsArgs {
  /** Zone name, e.g. `example.com`. */
  readonly zone: string;
  /**
   * The zone's id.
   * @default looked up by `zone` with `cloudflare.getZone` (one API call per run)
   */
  readonly zoneId?: pulumi.Input<string>;
}

/** Records in a Cloudflare zone (`cloudflare.DnsRecord`). Needs `cloudflare:apiToken` with DNS edit on the zone. */
export class CloudflareDns implements DnsProvider {
  readonly kind = "cloudflare" as const;
  readonly zone: string;
  private readonly configuredZoneId: pulumi.Input<string> | undefined;
  private zoneId: pulumi.Input<string> | undefined;

  constructor(args: CloudflareDnsArgs) {
    this.zone = args.zone;
    this.configuredZoneId = args.zoneId;
  }

  createRecord(name: string, record: DnsRecordSpec, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const { DnsRecord } = require("@pulumi/cloudflare/dnsRecord") as typeof cloudflareDnsRecord;
    return new DnsRecord(
      name,
      {
        zoneId: this.zoneIdFor(opts),
        type: record.type,
        name: record.name,
        content: record.value,
        // Straight to the target, not through Cloudflare's proxy (see TenantDomains).
        proxied: false,
        ttl: DEFAULT_DNS_TTL_SECONDS,
        comment: "managed by tenantctl",
      },
      opts,
    );
  }

  /** Looked up once per adapter: every record of a tenant lives in the same zone. */
  private zoneIdFor(opts: pulumi.CustomResourceOptions): pulumi.Input<string> {
    this.zoneId ??= cloudflareZoneId(this.zone, this.configuredZoneId, { parent: opts.parent });
    return this.zoneId;
  }
}
