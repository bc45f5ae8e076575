/**
 * TLS adapters: how customer-owned hostnames get certificates. Each adapter loads its provider SDK on first use.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { TenantDomainsSpec } from "../../src/core/model";
import { AcmTls } from "./acm";
import { AcmeOnDemandTls } from "./acmeOnDemand";
import { CloudflareSaasTls } from "./cloudflareSaas";

export { AcmTls, type AcmTlsArgs } from "./acm";
export { AcmeOnDemandTls, type AcmeOnDemandTlsArgs } from "./acmeOnDemand";
export { CloudflareSaasTls, type CloudflareSaasTlsArgs } from "./cloudflareSaas";
export type { CustomDomainRequest, SecuredCustomDomain, TlsProvider } from "./tlsProvider";
export type { CustomDomain, CustomDomainStatus, CustomerDnsRecord } from "./customerRecords";

/** Every TLS provider tenantctl supports. */
export type Tls = CloudflareSaasTls | AcmTls | AcmeOnDemandTls;

export interface TlsForOptions {
  /**
   * Id of the Cloudflare for SaaS zone (the template's `dns.zone`).
   * @default looked up by zone name (the deployment context passes `tenantctl:cloudflareZoneId`)
   */
  readonly cloudflareZoneId?: pulumi.Input<string>;
  /**
   * Region for ACM certificates.
   * @default the AWS provider's region (the deployment context passes `tenantctl:acmRegion`)
   */
  readonly acmRegion?: pulumi.Input<string>;
}

/** The adapter for the template's `tls` block; the one place that branches on the provider's name. */
export function tlsFor(domains: Pick<TenantDomainsSpec, "tls" | "dns">, options: TlsForOptions = {}): Tls {
  switch (domains.tls.provider) {
    case "cloudflare":
      return new CloudflareSaasTls({
        zone: domains.dns.zone,
        zoneId: options.cloudflareZoneId,
      });
    case "acm":
      return new AcmTls({ region: options.acmRegion });
    case "acme":
      if (!domains.tls.acme) throw new Error("tls.provider acme needs tls.acme.directoryUrl");
      return new AcmeOnDemandTls(domains.tls.acme);
    default:
      return unsupported(domains.tls.provider);
  }
}

function unsupported(provider: never): never {
  throw new Error(`tls.provider "${String(provider)}" is not supported: use cloudflare, acm or acme.`);
}
