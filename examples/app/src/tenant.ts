/** A tenant as the registry describes it (`tenantctl.tenants`): what the app needs to admit and serve a request. */
export interface Tenant {
  readonly slug: string;
  readonly name: string;
  readonly plan: string;
  /** `active`, `suspended` or `decommissioned` (the tenant file's `status`). */
  readonly status: string;
  readonly limits: { readonly users?: number; readonly dbConnections?: number } & Record<string, unknown>;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly schema: string;
  /** The tenant's own login role: the runtime role takes it with `SET ROLE` for one request. */
  readonly role: string;
  /** The auth provider's organization: a token must carry it to act on this tenant. */
  readonly organizationId: string | null;
}
