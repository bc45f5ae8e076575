/**
 * The AuthHero dynamic providers against a real AuthHero server (test/authhero-server, started here on a free
 * loopback port with an in-memory SQLite database). The providers are the ones loaded from the source that ships
 * (provider.ts), called exactly as the engine calls them; what AuthHero holds is checked through its own API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthHeroConnection } from "../../infra/dynamic/authhero/connection";
import type { OrganizationState, ResourceServerState, RoleState } from "../../infra/dynamic/authhero/entities";
import {
  authheroOrganizationProvider as organizations,
  authheroResourceServerProvider as resourceServers,
  authheroRoleProvider as roles,
} from "../../infra/dynamic/authhero/provider";
import type { RunningAuthHero } from "../../src/sandbox/authhero";
import { AuthHeroProxy, connectionOf, ManagementClient, startTestAuthHero } from "../support/authhero";

let server: RunningAuthHero;
let connection: AuthHeroConnection;
let admin: ManagementClient;

beforeAll(async () => {
  server = await startTestAuthHero();
  connection = connectionOf(server);
  admin = new ManagementClient(connection);
});

afterAll(async () => {
  await server?.stop();
});

const API = "https://api.integration.example.com";

function resourceServerState(overrides: Partial<ResourceServerState> = {}): ResourceServerState {
  return {
    connection,
    tenant: "control-plane",
    identifier: API,
    name: "Integration API",
    scopes: ["read:data", "write:data"],
    enforcePolicies: true,
    tokenDialect: "access_token_authz",
    ...overrides,
  };
}

function roleState(overrides: Partial<RoleState> = {}): RoleState {
  return {
    connection,
    tenant: "acme",
    name: "acme:auditor",
    description: "Reads audit logs",
    permissions: [{ name: "read:data", resourceServerIdentifier: API }],
    ...overrides,
  };
}

function organizationState(overrides: Partial<OrganizationState> = {}): OrganizationState {
  return {
    connection,
    tenant: "acme",
    name: "acme",
    displayName: "Acme Corporation",
    metadata: { slug: "acme", plan: "enterprise", status: "active", roles: "" },
    ...overrides,
  };
}

/** What the engine does on `drift`/`up`: refresh (read), then diff the refreshed state against the inputs. */
async function refreshAndDiff<S>(
  provider: {
    read?: (id: string, props?: S) => Promise<{ id?: string; props?: S }>;
    diff?: (id: string, olds: S, news: S) => Promise<{ changes?: boolean }>;
  },
  id: string,
  state: S,
) {
  const refreshed = await provider.read!(id, state);
  const diff = refreshed.id ? await provider.diff!(id, refreshed.props as S, state) : undefined;
  return { refreshed, changes: diff?.changes };
}

describe("resource servers", () => {
  let id: string;

  it("creates one with its scopes and RBAC on, never as a system entity", async () => {
    const created = await resourceServers.create!(resourceServerState());
    id = created.id;
    const [remote] = (await admin.resourceServers()).filter((rs) => rs.identifier === API);
    expect(remote).toMatchObject({
      id,
      name: "Integration API",
      scopes: [{ value: "read:data" }, { value: "write:data" }],
    });
    const full = await admin.json<Record<string, unknown>>("GET", `/resource-servers/${id}`);
    expect(full["options"]).toMatchObject({ enforce_policies: true, token_dialect: "access_token_authz" });
    expect(full["is_system"]).toBeFalsy();
    expect(await refreshAndDiff(resourceServers, id, resourceServerState())).toMatchObject({ changes: false });
  });

  it("reads a scope removed and a name changed by hand as drift, and update restores them without touching token lifetimes", async () => {
    await admin.json("PATCH", `/resource-servers/${id}`, {
      name: "Renamed by hand",
      scopes: [{ value: "read:data", description: "read:data" }],
      token_lifetime: 1234,
    });
    const { refreshed, changes } = await refreshAndDiff(resourceServers, id, resourceServerState());
    expect(refreshed.props).toMatchObject({ name: "Renamed by hand", scopes: ["read:data"] });
    expect(changes).toBe(true);
    await resourceServers.update!(id, refreshed.props as ResourceServerState, resourceServerState());
    const after = await admin.json<Record<string, unknown>>("GET", `/resource-servers/${id}`);
    expect(after).toMatchObject({ name: "Integration API", token_lifetime: 1234, token_lifetime_for_web: 7200 });
    expect(await refreshAndDiff(resourceServers, id, resourceServerState())).toMatchObject({ changes: false });
  });

  it("adopts an existing one with the same identifier instead of creating a second", async () => {
    const adopted = await resourceServers.create!(resourceServerState({ name: "Integration API (adopted)" }));
    expect(adopted.id).toBe(id);
    const matching = (await admin.resourceServers()).filter((rs) => rs.identifier === API);
    expect(matching).toHaveLength(1);
    expect(matching[0]!.name).toBe("Integration API (adopted)");
    await resourceServers.update!(
      id,
      resourceServerState({ name: "Integration API (adopted)" }),
      resourceServerState(),
    );
  });

  it("deletes one; deleting it again (404) succeeds, and a refresh drops it from state", async () => {
    const other = resourceServerState({ identifier: "https://api.to-delete.example.com", name: "To delete" });
    const created = await resourceServers.create!(other);
    await resourceServers.delete!(created.id, other);
    expect((await admin.resourceServers()).some((rs) => rs.id === created.id)).toBe(false);
    await expect(resourceServers.delete!(created.id, other)).resolves.toBeUndefined();
    expect((await resourceServers.read!(created.id, other)).id).toBe("");
  });
});

describe("roles and their permissions", () => {
  let id: string;

  it("creates a role with its permissions", async () => {
    const created = await roles.create!(roleState());
    id = created.id;
    expect((await admin.roles()).filter((role) => role.name === "acme:auditor")).toEqual([
      expect.objectContaining({ id, description: "Reads audit logs" }),
    ]);
    expect(await admin.rolePermissions(id)).toEqual([
      expect.objectContaining({ permission_name: "read:data", resource_server_identifier: API }),
    ]);
    expect(await refreshAndDiff(roles, id, roleState())).toMatchObject({ changes: false });
  });

  it("updates its description and permissions (adds and removes)", async () => {
    const wanted = roleState({
      description: "Reads and writes",
      permissions: [{ name: "write:data", resourceServerIdentifier: API }],
    });
    await roles.update!(id, roleState(), wanted);
    expect((await admin.json<{ description: string }>("GET", `/roles/${id}`)).description).toBe("Reads and writes");
    expect((await admin.rolePermissions(id)).map((p) => p.permission_name)).toEqual(["write:data"]);
    await roles.update!(id, wanted, roleState());
  });

  it("reads a description and a permission changed by hand as drift, and update restores them", async () => {
    await admin.json("PATCH", `/roles/${id}`, { description: "changed by hand" });
    await admin.call("POST", `/roles/${id}/permissions`, {
      permissions: [{ permission_name: "write:data", resource_server_identifier: API }],
    });
    const { refreshed, changes } = await refreshAndDiff(roles, id, roleState());
    expect(changes).toBe(true);
    expect(refreshed.props).toMatchObject({
      description: "changed by hand",
      permissions: [
        { name: "read:data", resourceServerIdentifier: API },
        { name: "write:data", resourceServerIdentifier: API },
      ],
    });
    await roles.update!(id, refreshed.props as RoleState, roleState());
    expect(await refreshAndDiff(roles, id, roleState())).toMatchObject({ changes: false });
  });

  it("adopts a role that already has the name (AuthHero would answer a duplicate with 500)", async () => {
    const made = await admin.json<{ id: string }>("POST", "/roles", {
      name: "acme:support",
      description: "made by hand",
    });
    const adopted = await roles.create!(roleState({ name: "acme:support", description: "Support" }));
    expect(adopted.id).toBe(made.id);
    expect((await admin.roles()).filter((role) => role.name === "acme:support")).toHaveLength(1);
    expect(await admin.rolePermissions(made.id)).toEqual([expect.objectContaining({ permission_name: "read:data" })]);
    expect((await admin.json<{ description: string }>("GET", `/roles/${made.id}`)).description).toBe("Support");
  });

  it("a role deleted by hand is gone from state on refresh; delete of a gone role succeeds", async () => {
    const temp = await roles.create!(roleState({ name: "acme:temp" }));
    await admin.json("DELETE", `/roles/${temp.id}`);
    expect((await roles.read!(temp.id, roleState({ name: "acme:temp" }))).id).toBe("");
    await expect(roles.delete!(temp.id, roleState({ name: "acme:temp" }))).resolves.toBeUndefined();
  });

  it("deletes a role", async () => {
    await roles.delete!(id, roleState());
    expect((await admin.roles()).some((role) => role.id === id)).toBe(false);
  });
});

describe("organizations", () => {
  let id: string;

  it("creates the tenant's organization with its metadata", async () => {
    const created = await organizations.create!(organizationState());
    id = created.id;
    const remote = await admin.json<{ name: string; display_name: string; metadata: Record<string, string> }>(
      "GET",
      `/organizations/${id}`,
    );
    expect(remote).toMatchObject({
      name: "acme",
      display_name: "Acme Corporation",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
    expect(await refreshAndDiff(organizations, id, organizationState())).toMatchObject({ changes: false });
  });

  it("an update keeps the metadata (AuthHero wipes it from a PATCH that leaves it out)", async () => {
    const suspended = organizationState({
      displayName: "Acme Corp",
      metadata: { slug: "acme", plan: "enterprise", status: "suspended", roles: "" },
    });
    await organizations.update!(id, organizationState(), suspended);
    expect(await admin.json("GET", `/organizations/${id}`)).toMatchObject({
      display_name: "Acme Corp",
      metadata: { status: "suspended", plan: "enterprise", slug: "acme" },
    });
    await organizations.update!(id, suspended, organizationState());
  });

  it("reads a display name and metadata changed by hand as drift, and update restores them", async () => {
    // A PATCH without metadata, as the admin UI sends it: AuthHero drops the metadata.
    await admin.json("PATCH", `/organizations/${id}`, { display_name: "Changed by hand" });
    const { refreshed, changes } = await refreshAndDiff(organizations, id, organizationState());
    expect(changes).toBe(true);
    expect(refreshed.props).toMatchObject({ displayName: "Changed by hand", metadata: {} });
    await organizations.update!(id, refreshed.props as OrganizationState, organizationState());
    expect(await refreshAndDiff(organizations, id, organizationState())).toMatchObject({ changes: false });
  });

  it("adopts an organization that already has the tenant's name", async () => {
    const made = await admin.json<{ id: string }>("POST", "/organizations", {
      name: "globex",
      display_name: "made by hand",
    });
    const adopted = await organizations.create!(
      organizationState({ name: "globex", displayName: "Globex", metadata: { slug: "globex" } }),
    );
    expect(adopted.id).toBe(made.id);
    expect((await admin.organizations()).filter((org) => org.name === "globex")).toEqual([
      expect.objectContaining({ display_name: "Globex", metadata: { slug: "globex" } }),
    ]);
  });

  it("deletes an organization; deleting it again (AuthHero answers 200 for a missing id) succeeds", async () => {
    const temp = await organizations.create!(organizationState({ name: "temp-org" }));
    await organizations.delete!(temp.id, organizationState({ name: "temp-org" }));
    expect((await admin.organizations()).some((org) => org.id === temp.id)).toBe(false);
    await expect(organizations.delete!(temp.id, organizationState({ name: "temp-org" }))).resolves.toBeUndefined();
    expect((await organizations.read!(temp.id, organizationState({ name: "temp-org" }))).id).toBe("");
  });
});

describe("tokens, retries and errors", () => {
  let proxy: AuthHeroProxy;
  let viaProxy: AuthHeroConnection;

  beforeAll(async () => {
    proxy = await new AuthHeroProxy(server.url).start();
    // Another client id/secret pair is another token cache entry: this describe starts with no cached token.
    viaProxy = { ...connection, url: proxy.url };
  });

  afterAll(async () => {
    await proxy?.stop();
  });

  const orgViaProxy = (overrides: Partial<OrganizationState> = {}) =>
    organizationState({ connection: viaProxy, name: "proxied", displayName: "Proxied", ...overrides });

  it("reuses one token across calls, and fetches a new one when the server rejects it as AuthHero does (403 Invalid JWT signature)", async () => {
    proxy.clear();
    const created = await organizations.create!(orgViaProxy());
    await organizations.read!(created.id, orgViaProxy());
    expect(proxy.tokenRequests()).toBe(1);
    proxy.inject(/^GET \/api\/v2\/organizations\//, { status: 403, body: { message: "Invalid JWT signature" } });
    const read = await organizations.read!(created.id, orgViaProxy());
    expect(read.props).toMatchObject({ name: "proxied" });
    expect(proxy.tokenRequests()).toBe(2);
  });

  it("refreshes a token before it expires (token_lifetime shortened on the Management API)", async () => {
    const management = (await admin.resourceServers()).find((rs) => rs.identifier === "urn:authhero:management")!;
    const before = await admin.json<Record<string, unknown>>("GET", `/resource-servers/${management.id}`);
    await admin.json("PATCH", `/resource-servers/${management.id}`, {
      name: before["name"],
      token_lifetime: 2,
      token_lifetime_for_web: before["token_lifetime_for_web"],
    });
    // A proxy of its own is a new token cache entry (tokens are cached per server and client): its first token has the 2 s lifetime.
    const shortProxy = await new AuthHeroProxy(server.url).start();
    try {
      const state = orgViaProxy({ connection: { ...viaProxy, url: shortProxy.url } });
      const [existing] = (await admin.organizations()).filter((org) => org.name === "proxied");
      await organizations.read!(existing!.id, state);
      expect(shortProxy.tokenRequests()).toBe(1);
      // A client that keeps its token, as AuthHero sees it once the token has expired: 403, not Auth0's 401.
      const stale = new ManagementClient(connection);
      expect((await stale.call("GET", `/organizations/${existing!.id}`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await stale.call("GET", `/organizations/${existing!.id}`)).toEqual({
        status: 403,
        body: { message: "Invalid JWT signature" },
      });
      // Expired by now: the real server would answer 403; the provider gets a new token first.
      const read = await organizations.read!(existing!.id, state);
      expect(read.props).toMatchObject({ name: "proxied" });
      expect(shortProxy.tokenRequests()).toBe(2);
      // Refreshed before the call, not after a rejection: exactly one call per read reached the server.
      expect(shortProxy.requests.filter((request) => request.path.startsWith("/api/v2/organizations/")).length).toBe(2);
    } finally {
      await shortProxy.stop();
      await admin.json("PATCH", `/resource-servers/${management.id}`, {
        name: before["name"],
        token_lifetime: before["token_lifetime"],
        token_lifetime_for_web: before["token_lifetime_for_web"],
      });
    }
  });

  it("retries 429 (honouring Retry-After) and 5xx, then succeeds", async () => {
    const [existing] = (await admin.organizations()).filter((org) => org.name === "proxied");
    proxy.clear();
    proxy.inject(
      /^GET \/api\/v2\/organizations\//,
      { status: 429, body: { message: "Too Many Requests" }, headers: { "retry-after": "0" } },
      { status: 502, body: "Bad Gateway" },
      { status: 503, body: { message: "Service Unavailable" } },
    );
    const read = await organizations.read!(existing!.id, orgViaProxy());
    expect(read.props).toMatchObject({ name: "proxied" });
    const attempts = proxy.requests.filter((request) => request.path.startsWith("/api/v2/organizations/"));
    expect(attempts.map((request) => request.injected)).toEqual([true, true, true, false]);
  });

  it("gives up after a bounded number of attempts, naming tenant, entity and the server's answer", async () => {
    const [existing] = (await admin.organizations()).filter((org) => org.name === "proxied");
    proxy.clear();
    const busy = { status: 429, body: { message: "Too Many Requests" }, headers: { "retry-after": "0" } };
    proxy.inject(/^GET \/api\/v2\/organizations\//, busy, busy, busy, busy, busy, busy);
    await expect(organizations.read!(existing!.id, orgViaProxy())).rejects.toThrow(
      `AuthHero ${proxy.url}, tenant "acme", organization "proxied": could not read it: GET /api/v2/organizations/${existing!.id} answered 429: Too Many Requests`,
    );
    expect(proxy.requests.filter((request) => request.injected)).toHaveLength(5);
    proxy.clear();
  });

  it("any other refusal is one message with the server's own words, and never the client secret", async () => {
    const error = await roles.create!(roleState({ connection: viaProxy, name: "x".repeat(51) })).catch(
      (caught: Error) => caught,
    );
    expect((error as Error).message).toBe(
      `AuthHero ${proxy.url}, tenant "acme", role "${"x".repeat(51)}": could not create it: POST /api/v2/roles answered 400: Payload validation error (invalid_body)`,
    );
    expect((error as Error).message).not.toContain(connection.clientSecret);
  });

  it("wrong client credentials: the message says which settings to check", async () => {
    const wrong = { ...viaProxy, clientSecret: "not-the-secret" };
    const error = (await organizations.read!("org_x", orgViaProxy({ connection: wrong })).catch(
      (caught: Error) => caught,
    )) as Error;
    expect(error.message).toMatch(
      /^AuthHero http:\/\/127\.0\.0\.1:\d+, tenant "acme", organization "proxied": AuthHero refused a Management API token for client "[^"]+" \(\d{3}[^)]*\): check tenantctl:authhero/,
    );
    expect(error.message).not.toContain("not-the-secret");
  });

  it("an unreachable server: retried, then one message naming the URL to check", async () => {
    const gone = await new AuthHeroProxy(server.url).start();
    const url = gone.url;
    await gone.stop();
    const error = (await organizations.read!("org_x", orgViaProxy({ connection: { ...viaProxy, url } })).catch(
      (caught: Error) => caught,
    )) as Error;
    expect(error.message).toContain(
      `AuthHero ${url}, tenant "acme", organization "proxied": getting a Management API token: the server could not be reached after 5 attempts (ECONNREFUSED)`,
    );
  }, 20_000);
});
