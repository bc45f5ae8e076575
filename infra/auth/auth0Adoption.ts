/**
 * `tenantctl adopt` for Auth0: the tenant's organization and own roles, found by the names the stack gives them
 * (`<slug>`, `<slug>:<role>`), are imported instead of created. Only on adopt: Auth0's Management API is rate
 * limited, and a fleet-wide preview must not spend it on lookups (see TenantAuth's control-plane reference).
 * Permissions are no entity of their own: RolePermissions sets a role's whole list, so it is written, not imported.
 */
import * as auth0 from "@pulumi/auth0";
import type { Tenant } from "../../src/core/model";
import type { AdoptionConsent } from "../adopt/adoptionPlan";
import { tenantRoleName } from "./roles";

/** Import ids of what TenantAuth declares: the organization, and the tenant's own roles by their name in its file. */
export interface AuthImports {
  readonly organization?: string;
  readonly roles: Readonly<Record<string, string>>;
}

export const NO_AUTH_IMPORTS: AuthImports = { roles: {} };

export async function auth0Adoption(tenant: Tenant, consent: AdoptionConsent): Promise<AuthImports> {
  if (!consent.adopt) return NO_AUTH_IMPORTS;
  const { slug } = tenant;
  const unmanaged = (name: string) => !consent.managed.has(name);
  const organization = unmanaged(`${slug}-organization`)
    ? await found(() =>
        auth0.getOrganization({
          name: tenant.auth.organizationName,
          skipMembers: true,
          skipConnections: true,
          skipClientGrants: true,
        }),
      )
    : undefined;
  const roles: Record<string, string> = {};
  for (const role of tenant.auth.roles) {
    if (!unmanaged(`${slug}-role-${role.name}`)) continue;
    const existing = await found(() =>
      auth0.getRole({ name: tenantRoleName(slug, role.name), skipPermissions: true, skipUsers: true }),
    );
    if (existing) roles[role.name] = existing;
  }
  return { ...(organization ? { organization } : {}), roles };
}

/**
 * The id of what the lookup finds; undefined when Auth0 has none by that name. Any other failure (credentials, the
 * network) stops the adoption: an adopt that cannot look must not create a second organization.
 */
async function found(lookup: () => Promise<{ id?: string }>): Promise<string | undefined> {
  try {
    return (await lookup()).id || undefined;
  } catch (error) {
    if (/not found|404|no (organization|role) found|does not exist/i.test(String((error as Error).message ?? error)))
      return undefined;
    throw error;
  }
}
