import { createRemoteJWKSet, jwtVerify } from "jose";
import type { AccessClaims } from "./claims";

/** Where access tokens come from: the auth provider's issuer (its JWKS is at `<issuer>.well-known/jwks.json`). */
export interface AuthSettings {
  /** With its trailing slash, exactly as the tokens' `iss` claim (AuthHero: `http://127.0.0.1:PORT/`). */
  readonly issuer: string;
  /** The resource server's identifier the tokens are for (the template's `auth.resourceServers[].identifier`). */
  readonly audience: string;
}

/**
 * Verifies access tokens against the provider's published keys (fetched once, refetched when a token names an
 * unknown key: the provider rotated them). Signature, issuer, audience and expiry are checked here; the
 * organization and permissions are the caller's to check against the tenant (claims.ts).
 */
export class TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: AuthSettings) {
    this.keys = createRemoteJWKSet(new URL(".well-known/jwks.json", settings.issuer));
  }

  async verify(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.keys, {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
    });
    return payload as AccessClaims;
  }
}
