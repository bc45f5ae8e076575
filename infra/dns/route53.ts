import type * as pulumi from "@pulumi/pulumi";
import type * as route53 from "@pulumi/aws/route53";
import { DEFAULT_DNS_TTL_SECONDS, type DnsProvider, type DnsRecordSpec } from "./dnsProvider";

export interface Route53DnsArgs {
  /** Hosted zone name, e.g. `example.com`. */
  readonly zone: string;
  /**
   * The hosted zone's id.
   * @default looked up by `zone` with `route53.getZone` among public zones (one API call per run)
   */
  readonly zoneId?: pulumi.Input<string>;
}

/** Records in a Route53 public hosted zone (`aws.route53.Record`). Needs `aws:region` and AWS credentials. */
export class Route53Dns implements DnsProvider {
  readonly kind = "route53" as const;
  readonly zone: string;
  private readonly configuredZoneId: pulumi.Input<string> | undefined;
  private zoneId: pulumi.Input<string> | undefined;

  constructor(args: Route53DnsArgs) {
    this.zone = args.zone;
    this.configuredZoneId = args.zoneId;
  }

  createRecord(name: string, record: DnsRecordSpec, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const { Record } = loadRoute53();
    return new Record(
      name,
      {
        zoneId: this.zoneIdFor(opts),
        type: record.type,
        name: record.name,
        // TXT values go in unquoted: the AWS provider adds the quotes Route53 wants.
        records: [record.value],
        ttl: DEFAULT_DNS_TTL_SECONDS,
      },
      opts,
    );
  }

  private zoneIdFor(opts: pulumi.CustomResourceOptions): pulumi.Input<string> {
    this.zoneId ??=
      this.configuredZoneId ??
      loadRoute53().getZoneOutput({ name: this.zone, privateZone: false }, { parent: opts.parent }).zoneId;
    return this.zoneId;
  }
}

/** By submodule, on first use: the `@pulumi/aws` index costs ~80 ms of start-up, `@pulumi/aws/route53` ~1.5 ms. */
function loadRoute53(): typeof route53 {
  return require("@pulumi/aws/route53") as typeof route53;
}
