/** How the providers reach AuthHero's Management API: a machine-to-machine client of its control-plane tenant. A secret in state, as a whole. */
export interface AuthHeroConnection {
  /** The server's base URL, e.g. `https://auth.example.com` (the Management API is under `/api/v2`). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}
