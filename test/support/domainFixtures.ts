/**
 * Fixtures for the domains, auth and control-plane tests, built on `buildTenant` (test/support/tenantFixtures.ts):
 * the same example fleet, with the template's auth (Example API, admin and member) and deep overrides for the
 * `domains` and `auth` blocks these tests are about.
 */
import { CONTROL_PLANE_STACK } from "../../src/core/naming";
import type {
  ControlPlane,
  ResourceServer,
  Role,
  Tenant,
  TenantAuthSpec,
  TenantDomainsSpec,
} from "../../src/core/model";
import { buildTenant, PRIMARY_SERVER, type TenantOverrides } from "./tenantFixtures";

export const EXAMPLE_API: ResourceServer = {
  identifier: "https://api.example.com",
  name: "Example API",
  scopes: ["read:data", "write:data", "manage:users", "read:audit"],
};

export const TEMPLATE_ROLES: readonly Role[] = [
  { name: "admin", description: "Tenant administrator", permissions: ["read:data", "write:data", "manage:users"] },
  { name: "member", description: "Regular user", permissions: ["read:data", "write:data"] },
];

export interface AuthTenantOverrides extends Omit<TenantOverrides, "domains" | "auth"> {
  readonly domains?: Partial<TenantDomainsSpec>;
  readonly auth?: Partial<TenantAuthSpec>;
}

/** A tenant of the example fleet; `domains` and `auth` overrides merge into the defaults key by key. */
export function aTenant(slug: string, overrides: AuthTenantOverrides = {}): Tenant {
  const { domains, auth, ...rest } = overrides;
  const base = buildTenant(slug, rest);
  const subdomain = domains?.subdomain ?? base.domains.subdomain;
  return {
    ...base,
    domains: { ...base.domains, subdomain, hostname: `${subdomain}.app.example.com`, ...domains },
    auth: {
      ...base.auth,
      templateRoles: TEMPLATE_ROLES,
      resourceServers: [EXAMPLE_API],
      ...auth,
    },
  };
}

/** The example template as the control-plane stack sees it. */
export function aControlPlane(overrides: { readonly auth?: Partial<ControlPlane["auth"]> } = {}): ControlPlane {
  return {
    file: "tenants/_control-plane.yaml",
    baseDomain: "app.example.com",
    ingressHostname: "edge.example.com",
    dns: { provider: "cloudflare", zone: "example.com" },
    tls: { provider: "cloudflare" },
    databaseServers: [PRIMARY_SERVER],
    auth: { provider: "auth0", resourceServers: [EXAMPLE_API], roles: TEMPLATE_ROLES, ...overrides.auth },
    plans: ["trial", "basic", "enterprise"],
    locked: ["settings.security.mfa"],
    seedOnly: ["settings.branding"],
    registry: { server: PRIMARY_SERVER.name, database: "tenantctl", schema: "tenantctl" },
  };
}

/** The fully qualified control-plane stack name under `recordResources()`'s default organization and project. */
export const MOCK_CONTROL_PLANE_STACK = `organization/project/${CONTROL_PLANE_STACK}`;

/** What a deployed control-plane stack exports for the example template. */
export const CONTROL_PLANE_STACK_OUTPUTS = {
  roleIds: { admin: "rol_admin0000000001", member: "rol_member000000001" },
  resourceServerIds: { [EXAMPLE_API.identifier]: "api_example00000001" },
};
