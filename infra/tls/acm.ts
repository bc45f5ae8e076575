import * as pulumi from "@pulumi/pulumi";
import type * as acm from "@pulumi/aws/acm";
import { acmCustomerRecords, acmDomainStatus, type CustomDomain } from "./customerRecords";
import type { CustomDomainRequest, SecuredCustomDomain, TlsProvider } from "./tlsProvider";

export interface AcmTlsArgs {
  /**
   * Region the certificates are requested in: where the load balancer using them runs, or `us-east-1` for CloudFront.
   * @default the AWS provider's region (`aws:region`)
   */
  readonly region?: pulumi.Input<string>;
}

/**
 * One ACM certificate per custom domain, validated by DNS records the customer adds (`aws.acm.Certificate`).
 *
 * Deliberately no `aws.acm.CertificateValidation`: it waits (up to 75 minutes by default) for the customer to add
 * the records, which would block every `up` of the fleet on one customer's DNS. The certificate's status is
 * reported instead. One certificate per domain so that one domain's stuck validation never holds up another's.
 */
export class AcmTls implements TlsProvider {
  readonly kind = "acm" as const;
  private readonly args: AcmTlsArgs;

  constructor(args: AcmTlsArgs = {}) {
    this.args = args;
  }

  secureCustomDomain(
    name: string,
    request: CustomDomainRequest,
    opts: pulumi.CustomResourceOptions,
  ): SecuredCustomDomain {
    // By submodule: the `@pulumi/aws` index costs ~80 ms of start-up, `@pulumi/aws/acm` ~2 ms.
    const { Certificate } = require("@pulumi/aws/acm") as typeof acm;
    const certificate = new Certificate(
      name,
      {
        domainName: request.hostname,
        validationMethod: "DNS",
        region: this.args.region,
        tags: { ...request.tags },
      },
      opts,
    );
    // The status comes from the state: it is current after a refresh (`drift`, or `up` with refresh).
    const domain = pulumi.all([certificate.status, certificate.domainValidationOptions]).apply(
      ([status, validationOptions]): CustomDomain => ({
        hostname: request.hostname,
        status: acmDomainStatus(status),
        providerStatus: status ?? "unknown",
        records: acmCustomerRecords(request.hostname, request.cnameTarget, validationOptions),
      }),
    );
    return { resource: certificate, domain };
  }
}
