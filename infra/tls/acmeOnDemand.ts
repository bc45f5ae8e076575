import * as pulumi from "@pulumi/pulumi";
import type { AcmeTlsSpec } from "../../src/core/model";
import { ServedCertificate } from "./acmeServedCertificate";
import { type CustomDomain, routingRecord } from "./customerRecords";
import type { CustomDomainRequest, SecuredCustomDomain, TlsProvider } from "./tlsProvider";

export type AcmeOnDemandTlsArgs = AcmeTlsSpec;

/**
 * Custom domains served by an ingress that gets their certificates on demand from an ACME CA (Caddy's
 * `on_demand_tls`), after asking the registry whether the hostname belongs to a tenant (examples/ingress/ask.mjs).
 *
 * Why not issue the certificates here: the registry already says which hostnames are a live tenant's, and the ingress
 * is where certificates are used and must be renewed every few weeks, between any two `up`s. So no private key ever
 * enters Pulumi state, renewal needs no scheduled `up`, and a decommissioned tenant's hostname stops getting
 * certificates the moment its registry row says so. The stack declares, per domain, what the customer must add (the
 * CNAME to the tenant's hostname: the CA's HTTP-01 or TLS-ALPN-01 check then reaches the ingress) and a look at the
 * certificate the ingress serves (`ServedCertificate`), whose status goes to the report and the registry.
 */
export class AcmeOnDemandTls implements TlsProvider {
  readonly kind = "acme" as const;
  private readonly args: AcmeOnDemandTlsArgs;

  constructor(args: AcmeOnDemandTlsArgs) {
    this.args = args;
  }

  secureCustomDomain(
    name: string,
    request: CustomDomainRequest,
    opts: pulumi.CustomResourceOptions,
  ): SecuredCustomDomain {
    const served = new ServedCertificate(
      name,
      { hostname: request.hostname, ingressAddress: this.args.ingressAddress, directoryUrl: this.args.directoryUrl },
      opts,
    );
    const domain = pulumi.all([served.status, served.providerStatus]).apply(
      ([status, providerStatus]): CustomDomain => ({
        hostname: request.hostname,
        status,
        providerStatus,
        records: [routingRecord(request.hostname, request.cnameTarget)],
      }),
    );
    return { resource: served, domain };
  }
}
