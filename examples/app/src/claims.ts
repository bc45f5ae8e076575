import type { Refusal } from "./admission";
import type { Tenant } from "./tenant";

/** The claims of a verified access token this app relies on (AuthHero and Auth0 use the same names). */
export interface AccessClaims {
  readonly sub?: string;
  /** The organization the token was issued for. */
  readonly org_id?: string;
  /** The permissions of the user's roles in that organization (RBAC with "add permissions in the access token"). */
  readonly permissions?: readonly string[];
}

/**
 * Whether a verified token may do `permission` on `tenant`. The organization comes first: a valid token of another
 * tenant's organization is refused whatever its permissions, because roles are granted per organization.
 */
export function authorize(
  claims: AccessClaims,
  tenant: Pick<Tenant, "slug" | "organizationId">,
  permission: string,
): Refusal | undefined {
  if (!tenant.organizationId || claims.org_id !== tenant.organizationId) {
    return {
      statusCode: 403,
      error: "wrong_organization",
      message: `The token is not for tenant "${tenant.slug}"'s organization; ask for a token with organization=${tenant.organizationId ?? "(none in the registry)"}.`,
    };
  }
  if (!(claims.permissions ?? []).includes(permission)) {
    return {
      statusCode: 403,
      error: "missing_permission",
      message: `This needs the permission "${permission}", which none of the user's roles in "${tenant.slug}" grants.`,
    };
  }
  return undefined;
}
