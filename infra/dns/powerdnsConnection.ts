/** How the PowerDNS provider reaches a server's HTTP API. A secret in state, as a whole (it holds the API key). */
export interface PowerDnsConnection {
  /** Base URL of the API, without `/api/v1`: `http://pdns.internal.example.com:8081`. */
  readonly apiUrl: string;
  /** The `server_id` in the API's paths (`localhost` on a plain PowerDNS Authoritative server). */
  readonly serverId: string;
  /** Sent as `X-API-Key`. */
  readonly apiKey: string;
}
