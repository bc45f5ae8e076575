/**
 * What the auth provider holds, listed page by page: AuthHero's organizations and roles (two paged listings for the
 * whole fleet), and the permissions of the tenants' own roles (`<slug>:<role>`, one listing each: AuthHero has no bulk
 * form). Through the same Management API client as the dynamic providers (infra/dynamic/authhero/api.ts).
 */
import { authheroApi } from "../../../infra/dynamic/authhero/api";
import type { AuthHeroConnection } from "../../../infra/dynamic/authhero/connection";
import { TENANT_ROLE_SEPARATOR } from "../../core/naming";
import { mapBounded } from "../run/pool";

export interface ListedRole {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** Listed for tenant roles only. */
  readonly permissions?: readonly { name: string; resourceServerIdentifier: string }[];
}

export interface ListedOrganization {
  readonly id: string;
  readonly name: string;
  readonly displayName?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface AuthListing {
  readonly organizations: ReadonlyMap<string, ListedOrganization>;
  readonly roles: ReadonlyMap<string, ListedRole>;
}

export async function listAuthHero(connection: AuthHeroConnection): Promise<AuthListing> {
  const api = authheroApi();
  const context = { tenant: "drift scan", entity: "the listing" };
  const [organizations, roles] = await Promise.all([
    api.listAll<{ id: string; name: string; display_name?: string; metadata?: Record<string, unknown> }>(
      connection,
      context,
      "/organizations",
      "organizations",
      "list organizations",
    ),
    api.listAll<{ id: string; name: string; description?: string }>(
      connection,
      context,
      "/roles",
      "roles",
      "list roles",
    ),
  ]);
  const tenantRoles = roles.filter((role) => role.name.includes(TENANT_ROLE_SEPARATOR));
  const permissions = await mapBounded(tenantRoles, 4, (role) =>
    api.listAll<{ permission_name: string; resource_server_identifier: string }>(
      connection,
      context,
      `/roles/${encodeURIComponent(role.id)}/permissions`,
      "permissions",
      "list a role's permissions",
    ),
  );
  const byId = new Map(tenantRoles.map((role, i) => [role.id, permissions[i]!] as const));
  return {
    organizations: new Map(
      organizations.map((o) => [
        o.id,
        {
          id: o.id,
          name: o.name,
          ...(o.display_name !== undefined ? { displayName: o.display_name } : {}),
          metadata: o.metadata ?? {},
        },
      ]),
    ),
    roles: new Map(
      roles.map((r) => {
        const listed = byId.get(r.id);
        return [
          r.id,
          {
            id: r.id,
            name: r.name,
            ...(r.description !== undefined ? { description: r.description } : {}),
            ...(listed
              ? {
                  permissions: listed.map((p) => ({
                    name: p.permission_name,
                    resourceServerIdentifier: p.resource_server_identifier,
                  })),
                }
              : {}),
          },
        ];
      }),
    ),
  };
}
