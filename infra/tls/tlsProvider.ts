import type * as pulumi from "@pulumi/pulumi";
import type { CustomDomain } from "./customerRecords";

export interface CustomDomainRequest {
  /** The customer's hostname, lower case, no trailing dot. */
  readonly hostname: string;
  /** What the customer's CNAME must point at. */
  readonly cnameTarget: string;
  /** Labels for providers that take them (ACM tags); others ignore them. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface SecuredCustomDomain {
  /** The custom hostname or certificate. */
  readonly resource: pulumi.CustomResource;
  /** Status and the records the customer must add, as the provider reports them on this run. */
  readonly domain: pulumi.Output<CustomDomain>;
}

/**
 * How a customer-owned hostname gets a certificate. Implementations only request it and report what the customer
 * must do: they never wait for issuance, because a customer's slow DNS must never block an `up`.
 */
export interface TlsProvider {
  secureCustomDomain(
    name: string,
    request: CustomDomainRequest,
    opts: pulumi.CustomResourceOptions,
  ): SecuredCustomDomain;
}
