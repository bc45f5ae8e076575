/**
 * What a customer must add to their own DNS for a custom domain, and how far its certificate has got.
 *
 * Pure (no @pulumi imports): the provider adapters feed it what Cloudflare or ACM report, and it is tested without
 * mocks. The customer owns these zones, so tenantctl can only report these records, never create them.
 */

/** Normalised across providers so reports and scripts need not know Cloudflare's or ACM's vocabulary. */
export type CustomDomainStatus = "pending" | "active" | "failed";

export interface CustomerDnsRecord {
  readonly type: string;
  /** Fully qualified, without the trailing dot. */
  readonly name: string;
  readonly value: string;
  /** `routing`: sends traffic to us; `ownership`: proves the customer lets us serve it; `validation`: lets the CA issue. */
  readonly purpose: "routing" | "ownership" | "validation";
}

export interface CustomDomain {
  readonly hostname: string;
  readonly status: CustomDomainStatus;
  /** The provider's own words, for humans debugging a stuck domain. */
  readonly providerStatus: string;
  readonly records: readonly CustomerDnsRecord[];
}

/** The CNAME that sends the customer's hostname to us. */
export function routingRecord(hostname: string, cnameTarget: string): CustomerDnsRecord {
  return {
    type: "CNAME",
    name: withoutTrailingDot(hostname),
    value: withoutTrailingDot(cnameTarget),
    purpose: "routing",
  };
}

/** The subset of `aws.acm.Certificate.domainValidationOptions` we use. */
export interface AcmValidationOption {
  readonly resourceRecordName?: string;
  readonly resourceRecordType?: string;
  readonly resourceRecordValue?: string;
}

export function acmCustomerRecords(
  hostname: string,
  cnameTarget: string,
  validationOptions: readonly AcmValidationOption[] | undefined,
): CustomerDnsRecord[] {
  const validation = (validationOptions ?? []).flatMap((option): CustomerDnsRecord[] =>
    option.resourceRecordName && option.resourceRecordType && option.resourceRecordValue
      ? [
          {
            type: option.resourceRecordType,
            name: withoutTrailingDot(option.resourceRecordName),
            value: withoutTrailingDot(option.resourceRecordValue),
            purpose: "validation",
          },
        ]
      : [],
  );
  return uniqueRecords([routingRecord(hostname, cnameTarget), ...validation]);
}

/** ACM's certificate statuses: https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateDetail.html */
export function acmDomainStatus(certificateStatus: string | undefined): CustomDomainStatus {
  if (certificateStatus === "ISSUED") return "active";
  // Unknown or missing means ACM has not told us yet: waiting, not broken.
  if (certificateStatus === undefined || certificateStatus === "" || certificateStatus === "PENDING_VALIDATION")
    return "pending";
  // INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED: nothing will happen without someone acting.
  return "failed";
}

/** The subset of `cloudflare.getCustomHostname`'s result we use. */
export interface CloudflareHostnameState {
  readonly status?: string;
  readonly ownershipVerification?: { readonly type?: string; readonly name?: string; readonly value?: string };
  readonly ssl?: {
    readonly status?: string;
    readonly validationRecords?: readonly {
      readonly txtName?: string;
      readonly txtValue?: string;
      readonly cname?: string;
      readonly cnameTarget?: string;
    }[];
  };
}

export function cloudflareCustomerRecords(
  hostname: string,
  cnameTarget: string,
  state: CloudflareHostnameState,
): CustomerDnsRecord[] {
  const records: CustomerDnsRecord[] = [routingRecord(hostname, cnameTarget)];
  const ownership = state.ownershipVerification;
  // Cloudflare drops the ownership record once the hostname is verified.
  if (ownership?.name && ownership.value) {
    records.push({
      type: (ownership.type ?? "txt").toUpperCase(),
      name: withoutTrailingDot(ownership.name),
      value: ownership.value,
      purpose: "ownership",
    });
  }
  for (const record of state.ssl?.validationRecords ?? []) {
    if (record.txtName && record.txtValue) {
      records.push({
        type: "TXT",
        name: withoutTrailingDot(record.txtName),
        value: record.txtValue,
        purpose: "validation",
      });
    } else if (record.cname && record.cnameTarget) {
      records.push({
        type: "CNAME",
        name: withoutTrailingDot(record.cname),
        value: withoutTrailingDot(record.cnameTarget),
        purpose: "validation",
      });
    }
    // HTTP validation tokens are served by Cloudflare itself once the routing CNAME is live: nothing to add.
  }
  return uniqueRecords(records);
}

const CLOUDFLARE_FAILED_HOSTNAME_STATUSES = new Set(["moved", "deleted", "blocked", "pending_deletion"]);
const CLOUDFLARE_FAILED_SSL_STATUSES = new Set(["expired", "deleted", "inactive", "deactivating", "pending_deletion"]);

/**
 * A Cloudflare custom hostname serves traffic only when both the hostname and its certificate are active.
 * Statuses: https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/
 */
export function cloudflareDomainStatus(
  hostnameStatus: string | undefined,
  sslStatus: string | undefined,
): CustomDomainStatus {
  const isActive = (status: string | undefined) => status === "active" || status === "active_redeploying";
  if (isActive(hostnameStatus) && isActive(sslStatus)) return "active";
  if (hostnameStatus !== undefined && CLOUDFLARE_FAILED_HOSTNAME_STATUSES.has(hostnameStatus)) return "failed";
  if (sslStatus !== undefined && (CLOUDFLARE_FAILED_SSL_STATUSES.has(sslStatus) || sslStatus.endsWith("_timed_out"))) {
    return "failed";
  }
  return "pending";
}

export function cloudflareProviderStatus(hostnameStatus: string | undefined, sslStatus: string | undefined): string {
  return `hostname ${hostnameStatus ?? "unknown"}, ssl ${sslStatus ?? "unknown"}`;
}

function withoutTrailingDot(name: string): string {
  return name.replace(/\.$/, "");
}

/** ACM repeats the same validation record for names that share it; the customer needs to add it once. */
function uniqueRecords(records: readonly CustomerDnsRecord[]): CustomerDnsRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.type} ${record.name.toLowerCase()} ${record.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
