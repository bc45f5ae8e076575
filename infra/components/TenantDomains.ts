import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../../src/core/model";
import type { DnsProvider } from "../dns/dnsProvider";
import { componentsFor } from "../status";
import type { CustomDomain } from "../tls/customerRecords";
import type { TlsProvider } from "../tls/tlsProvider";

export interface TenantDomainsArgs {
  readonly tenant: Tenant;
  /** Where the tenant hostname's record is written: the deployment context's `dns` (`dnsFor(tenant.domains.dns)`). */
  readonly dns: DnsProvider;
  /** How custom domains get certificates: the deployment context's `tls` (`tlsFor(tenant.domains)`). */
  readonly tls: TlsProvider;
  /**
   * Parts this deployment switches off (the sandbox and e2e runs have no cloud account), on top of what the
   * tenant's status allows; the program passes its `tenantctl:disable` features.
   * @default { dns: true, tls: true }
   */
  readonly features?: { readonly dns: boolean; readonly tls: boolean };
}

/**
 * The tenant's hostnames: a CNAME for `<subdomain>.<baseDomain>` to the ingress, and a certificate for each
 * customer-owned domain together with the records the customer must add to their DNS.
 *
 * Decommissioned tenants declare neither, so an `up` removes them (see `componentsFor`).
 */
export class TenantDomains extends pulumi.ComponentResource {
  /** `<subdomain>.<baseDomain>`: the tenant's name, reported even when no record is declared for it. */
  readonly hostname: pulumi.Output<string>;
  /** Per custom domain: its status and what the customer must add to their DNS. */
  readonly customDomains: pulumi.Output<CustomDomain[]>;

  constructor(name: string, args: TenantDomainsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenantctl:index:TenantDomains", name, {}, opts);
    const { tenant } = args;
    const byStatus = componentsFor(tenant.status);
    const wanted = {
      dns: byStatus.dns && (args.features?.dns ?? true),
      tls: byStatus.tls && (args.features?.tls ?? true),
    };

    if (wanted.dns) this.createHostnameRecord(name, args);
    this.hostname = pulumi.output(tenant.domains.hostname);
    this.customDomains = wanted.tls ? this.secureCustomDomains(name, args) : pulumi.output([]);

    this.registerOutputs({ hostname: this.hostname, customDomains: this.customDomains });
  }

  private createHostnameRecord(name: string, args: TenantDomainsArgs): void {
    const { domains } = args.tenant;
    args.dns.createRecord(
      `${name}-hostname`,
      // Not proxied: the ingress terminates TLS for `*.<baseDomain>`, which a proxy's universal certificate for the
      // zone apex does not cover when `baseDomain` is itself a subdomain.
      { type: "CNAME", name: domains.hostname, value: domains.ingressHostname },
      { parent: this },
    );
  }

  private secureCustomDomains(name: string, args: TenantDomainsArgs): pulumi.Output<CustomDomain[]> {
    const { tenant } = args;
    if (tenant.domains.custom.length === 0) return pulumi.output([]);
    const { tls } = args;
    // Customers point their domain at the tenant's own hostname, so a move of the ingress is one record of ours.
    const cnameTarget = tenant.domains.hostname;
    const secured = tenant.domains.custom.map(({ hostname }) =>
      tls.secureCustomDomain(
        `${name}-${hostname}`,
        { hostname, cnameTarget, tags: { "tenantctl:tenant": tenant.slug, "tenantctl:hostname": hostname } },
        { parent: this },
      ),
    );
    return pulumi.all(secured.map(({ domain }) => domain));
  }
}
