/**
 * Auth adapters: where tenantctl declares resource servers, roles and organizations. The rules live in the
 * components that use them (TenantAuth, ControlPlaneAuth); an adapter only says how its provider stores each entity.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AuthProviderName } from "../../src/core/model";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { Auth0Auth } from "./auth0";
import { AuthHeroAuth } from "./authhero";

export { Auth0Auth } from "./auth0";
export { AuthHeroAuth, type AuthHeroAuthArgs } from "./authhero";
export type {
  AuthProvider,
  Declared,
  DeclaredResourceServer,
  OrganizationSpec,
  ResourceServerSpec,
  RoleSpec,
} from "./authProvider";

/** Every auth provider tenantctl supports. */
export type Auth = Auth0Auth | AuthHeroAuth;

export interface AuthForOptions {
  /** The AuthHero Management API client; called only when the provider is authhero (it may throw a SetupError). */
  readonly authheroConnection: () => pulumi.Input<AuthHeroConnection>;
}

/** The adapter for the deployment's auth provider; the one place that branches on the provider's name. */
export function authFor(provider: AuthProviderName, options: AuthForOptions): Auth {
  switch (provider) {
    case "auth0":
      return new Auth0Auth();
    case "authhero":
      return new AuthHeroAuth({ connection: options.authheroConnection() });
    default:
      return unsupported(provider);
  }
}

function unsupported(provider: never): never {
  throw new Error(`auth.provider "${String(provider)}" is not supported: use auth0 or authhero.`);
}
