import type { Tenant } from "./tenant";

/** Why a request for a known tenant is turned away before anything else runs, as the HTTP answer says it. */
export interface Refusal {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

/**
 * Only an active tenant is served. A suspended tenant may come back (403: the request is understood, not allowed); a
 * decommissioned one is gone for good (410), so clients and caches stop asking. An unknown status is refused too:
 * the registry may learn a new one before this app does, and serving by default would be the unsafe guess.
 */
export function admissionOf(tenant: Pick<Tenant, "slug" | "status">): Refusal | undefined {
  switch (tenant.status) {
    case "active":
      return undefined;
    case "suspended":
      return { statusCode: 403, error: "tenant_suspended", message: `Tenant "${tenant.slug}" is suspended.` };
    case "decommissioned":
      return {
        statusCode: 410,
        error: "tenant_decommissioned",
        message: `Tenant "${tenant.slug}" is decommissioned.`,
      };
    default:
      return {
        statusCode: 403,
        error: "tenant_unavailable",
        message: `Tenant "${tenant.slug}" has status "${tenant.status}", which this app does not serve.`,
      };
  }
}

/** The answer for a host no tenant owns. */
export function unknownHost(hostname: string | undefined): Refusal {
  return {
    statusCode: 404,
    error: "unknown_host",
    message: hostname ? `No tenant answers to "${hostname}".` : "The request names no host.",
  };
}
