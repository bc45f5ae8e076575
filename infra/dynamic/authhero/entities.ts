/**
 * The three AuthHero entities tenantctl keeps, and how each maps to the Management API v2: how to find one by its
 * name (adoption), create, read back what is really there (drift), update, and delete it.
 *
 * AuthHero differs from Auth0 here, and each difference is handled where it matters:
 * - a PATCH resets what it leaves out (an organization's `metadata`, a resource server's token lifetimes): `update`
 *   reads the entity and always sends it whole;
 * - a duplicate role or resource-server name answers 500, not 409: `create` looks the name up first, and after a
 *   failed POST looks again (a concurrent run may have made it);
 * - deletes answer 200 "OK" even for ids that do not exist, or 404: both mean "gone";
 * - unknown permission names are accepted: `validate` refuses them first (rule permissionsExist);
 * - resource servers created with `is_system` can never be changed through the API again: it is never set.
 *
 * A self-contained factory (see ../prebuilt.ts): it may refer to nothing outside itself but globals.
 */
import type { AuthHeroApi, CallContext } from "./api";
import type { AuthHeroConnection } from "./connection";

/** What every entity's state holds besides its own fields. */
export interface EntityStateBase {
  /** A secret in state. */
  readonly connection: AuthHeroConnection;
  /** The tenant whose stack declares the entity (`control-plane` for the shared ones): named in every message. */
  readonly tenant: string;
}

export interface ResourceServerState extends EntityStateBase {
  readonly identifier: string;
  readonly name: string;
  /** Scope values, sorted. */
  readonly scopes: readonly string[];
  /** Role-based access control: without it, AuthHero ignores the roles' permissions. */
  readonly enforcePolicies: boolean;
  /** `access_token_authz`: permissions in access tokens. */
  readonly tokenDialect: string | null;
}

export interface PermissionRef {
  readonly name: string;
  readonly resourceServerIdentifier: string;
}

export interface RoleState extends EntityStateBase {
  readonly name: string;
  readonly description: string;
  /** Sorted by resource server, then name. */
  readonly permissions: readonly PermissionRef[];
}

export interface OrganizationState extends EntityStateBase {
  readonly name: string;
  readonly displayName: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface EntityKind<S extends EntityStateBase> {
  /** `role`, `organization`, `resource server`. */
  readonly noun: string;
  /** The properties `read` observes and `diff` compares. */
  readonly fields: readonly (keyof S & string)[];
  /** How the entity is named in messages: `role "acme:auditor"`. */
  label(state: S): string;
  /** The id of an entity that already has this one's name (or identifier), if any. */
  find(connection: AuthHeroConnection, context: CallContext, state: S): Promise<string | undefined>;
  create(connection: AuthHeroConnection, context: CallContext, state: S): Promise<string>;
  /** What is really there, in the state's terms; undefined when the entity is gone. */
  read(connection: AuthHeroConnection, context: CallContext, id: string): Promise<Partial<S> | undefined>;
  /** Makes the entity what `state` says, sending it whole. */
  update(connection: AuthHeroConnection, context: CallContext, id: string, state: S): Promise<void>;
  remove(connection: AuthHeroConnection, context: CallContext, id: string): Promise<void>;
}

export function authheroEntities(api: AuthHeroApi) {
  const { call, listAll } = api;

  interface RemoteResourceServer {
    id: string;
    identifier: string;
    name: string;
    scopes?: { value: string; description?: string }[];
    options?: Record<string, unknown>;
    [field: string]: unknown;
  }
  interface RemoteRole {
    id: string;
    name: string;
    description?: string;
  }
  interface RemotePermission {
    permission_name: string;
    resource_server_identifier: string;
  }
  interface RemoteOrganization {
    id: string;
    name: string;
    display_name?: string;
    metadata?: Record<string, unknown>;
    [field: string]: unknown;
  }

  const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

  function sortedPermissions(permissions: readonly PermissionRef[]): PermissionRef[] {
    return [...permissions]
      .map((p) => ({ name: p.name, resourceServerIdentifier: p.resourceServerIdentifier }))
      .sort((a, b) =>
        a.resourceServerIdentifier === b.resourceServerIdentifier
          ? a.name.localeCompare(b.name)
          : a.resourceServerIdentifier.localeCompare(b.resourceServerIdentifier),
      );
  }

  /** A 404 (or AuthHero's 200 "OK" for an id it does not have) means the entity is gone: deleting it again is done. */
  async function removeAt(connection: AuthHeroConnection, context: CallContext, at: string): Promise<void> {
    await call(connection, context, "DELETE", at, undefined, { doing: "delete it", accept: [404] });
  }

  async function getOrUndefined<T>(
    connection: AuthHeroConnection,
    context: CallContext,
    at: string,
  ): Promise<T | undefined> {
    const answer = await call(connection, context, "GET", at, undefined, { doing: "read it", accept: [404] });
    return answer.status === 404 ? undefined : (answer.body as T);
  }

  /** After a failed POST: the entity may exist by now (AuthHero answers a duplicate with 500), then it is adopted. */
  async function createOrAdopt<S extends EntityStateBase>(
    kind: EntityKind<S>,
    connection: AuthHeroConnection,
    context: CallContext,
    state: S,
    post: () => Promise<string>,
  ): Promise<string> {
    try {
      return await post();
    } catch (error) {
      const existing = await kind.find(connection, context, state).catch(() => undefined);
      if (existing === undefined) throw error;
      await kind.update(connection, context, existing, state);
      return existing;
    }
  }

  const resourceServer: EntityKind<ResourceServerState> = {
    noun: "resource server",
    fields: ["identifier", "name", "scopes", "enforcePolicies", "tokenDialect"],
    label: (state) => `resource server "${state.identifier}"`,
    async find(connection, context, state) {
      const all = await listAll<RemoteResourceServer>(
        connection,
        context,
        "/resource-servers",
        "resource_servers",
        "look up resource servers",
      );
      return all.find((server) => server.identifier === state.identifier)?.id;
    },
    async create(connection, context, state) {
      return createOrAdopt(resourceServer, connection, context, state, async () => {
        const answer = await call(
          connection,
          context,
          "POST",
          "/resource-servers",
          {
            identifier: state.identifier,
            name: state.name,
            scopes: state.scopes.map((value) => ({ value, description: value })),
            options: {
              enforce_policies: state.enforcePolicies,
              ...(state.tokenDialect ? { token_dialect: state.tokenDialect } : {}),
            },
          },
          { doing: "create it" },
        );
        return (answer.body as RemoteResourceServer).id;
      });
    },
    async read(connection, context, id) {
      const remote = await getOrUndefined<RemoteResourceServer>(connection, context, `/resource-servers/${path(id)}`);
      if (!remote) return undefined;
      return {
        identifier: remote.identifier,
        name: remote.name,
        scopes: (remote.scopes ?? []).map((scope) => scope.value).sort(),
        enforcePolicies: remote.options?.["enforce_policies"] === true,
        tokenDialect:
          typeof remote.options?.["token_dialect"] === "string" ? (remote.options["token_dialect"] as string) : null,
      };
    },
    async update(connection, context, id, state) {
      const current = await getOrUndefined<RemoteResourceServer>(connection, context, `/resource-servers/${path(id)}`);
      if (!current)
        throw new Error(
          `AuthHero ${connection.url}, tenant "${context.tenant}", ${context.entity}: it is gone (id ${id}); run \`tenantctl up\` again to create it.`,
        );
      const descriptions = new Map((current.scopes ?? []).map((scope) => [scope.value, scope.description]));
      // The whole entity: a field left out (token lifetimes, signing algorithm) would be reset by AuthHero.
      const whole: Record<string, unknown> = {};
      for (const field of [
        "token_lifetime",
        "token_lifetime_for_web",
        "signing_alg",
        "allow_offline_access",
        "skip_consent_for_verifiable_first_party_clients",
      ]) {
        if (current[field] !== undefined && current[field] !== null) whole[field] = current[field];
      }
      const options = {
        ...(current.options ?? {}),
        enforce_policies: state.enforcePolicies,
        ...(state.tokenDialect ? { token_dialect: state.tokenDialect } : {}),
      };
      await call(
        connection,
        context,
        "PATCH",
        `/resource-servers/${path(id)}`,
        {
          ...whole,
          name: state.name,
          scopes: state.scopes.map((value) => ({ value, description: descriptions.get(value) ?? value })),
          options,
        },
        { doing: "update it" },
      );
    },
    remove: (connection, context, id) => removeAt(connection, context, `/resource-servers/${path(id)}`),
  };

  async function rolePermissions(
    connection: AuthHeroConnection,
    context: CallContext,
    id: string,
  ): Promise<PermissionRef[]> {
    const remote = await listAll<RemotePermission>(
      connection,
      context,
      `/roles/${path(id)}/permissions`,
      "permissions",
      "read its permissions",
    );
    return sortedPermissions(
      remote.map((p) => ({ name: p.permission_name, resourceServerIdentifier: p.resource_server_identifier })),
    );
  }

  /** Adds what `wanted` has and the role lacks, removes what the role has and `wanted` lacks. */
  async function syncPermissions(
    connection: AuthHeroConnection,
    context: CallContext,
    id: string,
    wanted: readonly PermissionRef[],
  ): Promise<void> {
    const key = (p: PermissionRef) => `${p.resourceServerIdentifier}\n${p.name}`;
    const current = await rolePermissions(connection, context, id);
    const have = new Set(current.map(key));
    const want = new Set(wanted.map(key));
    const body = (list: PermissionRef[]) => ({
      permissions: list.map((p) => ({
        permission_name: p.name,
        resource_server_identifier: p.resourceServerIdentifier,
      })),
    });
    const extra = current.filter((p) => !want.has(key(p)));
    const missing = sortedPermissions(wanted).filter((p) => !have.has(key(p)));
    if (extra.length > 0)
      await call(connection, context, "DELETE", `/roles/${path(id)}/permissions`, body(extra), {
        doing: "remove permissions from it",
      });
    if (missing.length > 0)
      await call(connection, context, "POST", `/roles/${path(id)}/permissions`, body(missing), {
        doing: "grant it its permissions",
      });
  }

  const role: EntityKind<RoleState> = {
    noun: "role",
    fields: ["name", "description", "permissions"],
    label: (state) => `role "${state.name}"`,
    async find(connection, context, state) {
      // `q=name:<name>` narrows the list; the exact comparison decides (the query may match more, or parse a `:` in the name).
      const narrowed = await listAll<RemoteRole>(
        connection,
        context,
        `/roles?q=${encodeURIComponent(`name:${state.name}`)}`,
        "roles",
        "look up roles",
      );
      const hit = narrowed.find((candidate) => candidate.name === state.name);
      if (hit) return hit.id;
      const all = await listAll<RemoteRole>(connection, context, "/roles", "roles", "look up roles");
      return all.find((candidate) => candidate.name === state.name)?.id;
    },
    async create(connection, context, state) {
      const id = await createOrAdopt(role, connection, context, state, async () => {
        const answer = await call(
          connection,
          context,
          "POST",
          "/roles",
          { name: state.name, description: state.description },
          { doing: "create it" },
        );
        return (answer.body as RemoteRole).id;
      });
      await syncPermissions(connection, context, id, state.permissions);
      return id;
    },
    async read(connection, context, id) {
      const remote = await getOrUndefined<RemoteRole>(connection, context, `/roles/${path(id)}`);
      if (!remote) return undefined;
      return {
        name: remote.name,
        description: remote.description ?? "",
        permissions: await rolePermissions(connection, context, id),
      };
    },
    async update(connection, context, id, state) {
      await call(
        connection,
        context,
        "PATCH",
        `/roles/${path(id)}`,
        { name: state.name, description: state.description },
        { doing: "update it" },
      );
      await syncPermissions(connection, context, id, state.permissions);
    },
    remove: (connection, context, id) => removeAt(connection, context, `/roles/${path(id)}`),
  };

  const organization: EntityKind<OrganizationState> = {
    noun: "organization",
    fields: ["name", "displayName", "metadata"],
    label: (state) => `organization "${state.name}"`,
    async find(connection, context, state) {
      // AuthHero 9 has no lookup by name: `q` is a free-text search, the exact comparison decides.
      const matches = await listAll<RemoteOrganization>(
        connection,
        context,
        `/organizations?q=${encodeURIComponent(state.name)}`,
        "organizations",
        "look up organizations",
      );
      const hit = matches.find((candidate) => candidate.name === state.name);
      if (hit) return hit.id;
      const all = await listAll<RemoteOrganization>(
        connection,
        context,
        "/organizations",
        "organizations",
        "look up organizations",
      );
      return all.find((candidate) => candidate.name === state.name)?.id;
    },
    async create(connection, context, state) {
      return createOrAdopt(organization, connection, context, state, async () => {
        const answer = await call(
          connection,
          context,
          "POST",
          "/organizations",
          { name: state.name, display_name: state.displayName, metadata: state.metadata },
          { doing: "create it" },
        );
        return (answer.body as RemoteOrganization).id;
      });
    },
    async read(connection, context, id) {
      const remote = await getOrUndefined<RemoteOrganization>(connection, context, `/organizations/${path(id)}`);
      if (!remote) return undefined;
      return { name: remote.name, displayName: remote.display_name ?? "", metadata: remote.metadata ?? {} };
    },
    async update(connection, context, id, state) {
      const current = await getOrUndefined<RemoteOrganization>(connection, context, `/organizations/${path(id)}`);
      if (!current)
        throw new Error(
          `AuthHero ${connection.url}, tenant "${context.tenant}", ${context.entity}: it is gone (id ${id}); run \`tenantctl up\` again to create it.`,
        );
      // The whole entity: AuthHero wipes `metadata` (and resets other fields) a PATCH leaves out.
      const whole: Record<string, unknown> = {};
      for (const field of ["branding", "enabled_connections", "token_quota"]) {
        if (current[field] !== undefined && current[field] !== null) whole[field] = current[field];
      }
      await call(
        connection,
        context,
        "PATCH",
        `/organizations/${path(id)}`,
        { ...whole, name: state.name, display_name: state.displayName, metadata: state.metadata },
        { doing: "update it" },
      );
    },
    remove: (connection, context, id) => removeAt(connection, context, `/organizations/${path(id)}`),
  };

  return { resourceServer, role, organization, sortedPermissions };
}

export type AuthHeroEntities = ReturnType<typeof authheroEntities>;
