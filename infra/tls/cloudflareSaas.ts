import * as pulumi from "@pulumi/pulumi";
import type * as cloudflareCustomHostname from "@pulumi/cloudflare/customHostname";
import type * as cloudflareGetCustomHostname from "@pulumi/cloudflare/getCustomHostname";
import { cloudflareZoneId } from "../dns/cloudflareZone";
import {
  cloudflareCustomerRecords,
  cloudflareDomainStatus,
  cloudflareProviderStatus,
  type CloudflareHostnameState,
  type CustomDomain,
} from "./customerRecords";
import type { CustomDomainRequest, SecuredCustomDomain, TlsProvider } from "./tlsProvider";

export interface CloudflareSaasTlsArgs {
  /** The zone with Cloudflare for SaaS enabled (the template's `dns.zone`). */
  readonly zone: string;
  /**
   * The zone's id.
   * @default looked up by `zone` with `cloudflare.getZone`
   */
  readonly zoneId?: pulumi.Input<string>;
}

/**
 * Custom hostnames through Cloudflare for SaaS (`cloudflare.CustomHostname`). Needs `cloudflare:apiToken` with
 * SSL and Certificates edit on the zone, and a fallback origin configured on it.
 */
export class CloudflareSaasTls implements TlsProvider {
  readonly kind = "cloudflare" as const;
  private readonly args: CloudflareSaasTlsArgs;
  private zoneId: pulumi.Input<string> | undefined;

  constructor(args: CloudflareSaasTlsArgs) {
    this.args = args;
  }

  secureCustomDomain(
    name: string,
    request: CustomDomainRequest,
    opts: pulumi.CustomResourceOptions,
  ): SecuredCustomDomain {
    const { CustomHostname } = require("@pulumi/cloudflare/customHostname") as typeof cloudflareCustomHostname;
    const zoneId = this.zoneIdFor(opts);
    const hostname = new CustomHostname(
      name,
      {
        zoneId,
        hostname: request.hostname,
        ssl: {
          // TXT validation lets the customer add every record up front and get a certificate before moving traffic
          // (HTTP validation would need their CNAME to point at us first).
          method: "txt",
          type: "dv",
          settings: { minTlsVersion: "1.2" },
        },
      },
      opts,
    );
    return { resource: hostname, domain: this.reportDomain(hostname, zoneId, request, opts) };
  }

  /**
   * The resource's own outputs no longer carry the SSL validation records (provider v6) and are only as fresh as
   * the state, so every run reads the hostname back: the records and status are then what Cloudflare says now.
   */
  private reportDomain(
    hostname: cloudflareCustomHostname.CustomHostname,
    zoneId: pulumi.Input<string>,
    request: CustomDomainRequest,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Output<CustomDomain> {
    const { getCustomHostnameOutput } =
      require("@pulumi/cloudflare/getCustomHostname") as typeof cloudflareGetCustomHostname;
    const current = getCustomHostnameOutput({ zoneId, customHostnameId: hostname.id }, { parent: opts.parent });
    return pulumi.output(current).apply(
      (state: CloudflareHostnameState): CustomDomain => ({
        hostname: request.hostname,
        status: cloudflareDomainStatus(state.status, state.ssl?.status),
        providerStatus: cloudflareProviderStatus(state.status, state.ssl?.status),
        records: cloudflareCustomerRecords(request.hostname, request.cnameTarget, state),
      }),
    );
  }

  private zoneIdFor(opts: pulumi.CustomResourceOptions): pulumi.Input<string> {
    this.zoneId ??= cloudflareZoneId(this.args.zone, this.args.zoneId, { parent: opts.parent });
    return this.zoneId;
  }
}
