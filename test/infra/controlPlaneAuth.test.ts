/**
 * ControlPlaneAuth under Pulumi mocks, at both auth providers: what every tenant shares (resource servers, template
 * roles), the outputs tenant stacks read, the template's mistakes refused before anything is declared, and the type
 * tokens of the components stacks were deployed with before.
 */
import { describe, expect, it } from "vitest";
import { Auth0Auth, AuthHeroAuth, type AuthProvider } from "../../infra/auth";
import { CONTROL_PLANE_OUTPUTS } from "../../infra/auth/controlPlaneOutputs";
import { ControlPlaneAuth } from "../../infra/components/ControlPlaneAuth";
import { TenantAuth } from "../../infra/components/TenantAuth";
import type { ControlPlane as ControlPlaneSpec } from "../../src/core/model";
import { EXAMPLE_API, MOCK_CONTROL_PLANE_STACK, aControlPlane, aTenant } from "../support/domainFixtures";
import { isSecretValue, ofType, recordResources, resolvedValue, type RecordedResource } from "../support/pulumiMocks";
import { type Registration, recordRegistrations } from "../support/registrations";

const COMPONENT = "tenantctl:index:ControlPlaneAuth";
const CONNECTION = { url: "https://auth.example.com", clientId: "m2m", clientSecret: "s3cret" };

const AUTH0_SERVER = "auth0:index/resourceServer:ResourceServer";
const AUTH0_SCOPES = "auth0:index/resourceServerScopes:ResourceServerScopes";
const AUTH0_ROLE = "auth0:index/role:Role";
const AUTH0_ROLE_PERMISSIONS = "auth0:index/rolePermissions:RolePermissions";
const AUTHHERO_SERVER = "pulumi-nodejs:dynamic:AuthHeroResourceServer";
const AUTHHERO_ROLE = "pulumi-nodejs:dynamic:AuthHeroRole";

interface ProviderCase {
  readonly kind: string;
  readonly auth: () => AuthProvider;
  readonly server: string;
  readonly role: string;
  readonly types: readonly string[];
  /** The type token of the component stacks deployed before the adapter were made with. */
  readonly earlierType: string;
  /** The permissions granted to the role declared as `roleName`, as the provider receives them. */
  permissionsOf(resources: readonly RecordedResource[], roleName: string): unknown;
}

const AUTH0: ProviderCase = {
  kind: "auth0",
  auth: () => new Auth0Auth(),
  server: AUTH0_SERVER,
  role: AUTH0_ROLE,
  types: [AUTH0_SERVER, AUTH0_SCOPES, AUTH0_ROLE, AUTH0_ROLE_PERMISSIONS],
  earlierType: "tenantctl:index:ControlPlane",
  permissionsOf: (resources, roleName) =>
    resources.find((r) => r.type === AUTH0_ROLE_PERMISSIONS && r.name === `${roleName}-permissions`)?.inputs[
      "permissions"
    ],
};

const AUTHHERO: ProviderCase = {
  kind: "authhero",
  auth: () => new AuthHeroAuth({ connection: CONNECTION }),
  server: AUTHHERO_SERVER,
  role: AUTHHERO_ROLE,
  types: [AUTHHERO_SERVER, AUTHHERO_ROLE],
  earlierType: "tenantctl:index:AuthHeroControlPlane",
  permissionsOf: (resources, roleName) =>
    resources.find((r) => r.type === AUTHHERO_ROLE && r.name === roleName)?.inputs["permissions"],
};

const AUDIT_API = { identifier: "https://audit.example.com", name: "Audit API", scopes: ["read:audit"] };
const DATA_API = { ...EXAMPLE_API, scopes: ["read:data", "write:data", "manage:users"] };

describe.each([AUTH0, AUTHHERO])("ControlPlaneAuth at $kind", (provider) => {
  async function render(spec: ControlPlaneSpec): Promise<{
    resources: RecordedResource[];
    controlPlane: ControlPlaneAuth;
    registrations: Map<string, Registration>;
  }> {
    const recorder = await recordResources();
    const registrations = recordRegistrations();
    const controlPlane = new ControlPlaneAuth("control-plane", { controlPlane: spec, auth: provider.auth() });
    await resolvedValue(controlPlane.roleIds);
    return { resources: await recorder.settled(), controlPlane, registrations };
  }

  it("creates each resource server under its identifier's key, in the component", async () => {
    const { resources } = await render(aControlPlane());

    const servers = ofType(resources, provider.server);
    expect(
      servers.map((server) => [server.name, server.parentType, server.inputs["identifier"], server.inputs["name"]]),
    ).toEqual([["control-plane-api.example.com", COMPONENT, "https://api.example.com", "Example API"]]);
    expect(servers[0]?.inputs).toMatchObject({ enforcePolicies: true, tokenDialect: "access_token_authz" });
  });

  it("creates the template roles under their plain names, with their permissions on the right resource server", async () => {
    const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data", "read:audit"] };
    const { resources } = await render(
      aControlPlane({ auth: { resourceServers: [DATA_API, AUDIT_API], roles: [auditor] } }),
    );

    const roles = ofType(resources, provider.role);
    expect(roles.map((role) => [role.name, role.parentType, role.inputs["name"], role.inputs["description"]])).toEqual([
      ["control-plane-role-auditor", COMPONENT, "auditor", "Reads audit logs"],
    ]);
    expect(provider.permissionsOf(resources, "control-plane-role-auditor")).toEqual([
      { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
      { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
    ]);
  });

  it("makes a role's permissions wait for the scopes they name, and only those", async () => {
    const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:audit"] };
    const { resources, registrations } = await render(
      aControlPlane({ auth: { resourceServers: [DATA_API, AUDIT_API], roles: [auditor] } }),
    );

    const urnOf = (name: string) => resources.find((r) => r.name === name)?.urn;
    const waitsFor =
      provider === AUTH0 ? urnOf("control-plane-audit.example.com-scopes") : urnOf("control-plane-audit.example.com");
    const grant = provider === AUTH0 ? "control-plane-role-auditor-permissions" : "control-plane-role-auditor";
    expect(waitsFor).toBeDefined();
    expect(registrations.get(grant)?.dependencies).toContain(waitsFor);
    expect(registrations.get(grant)?.dependencies.join(" ")).not.toContain("api.example.com-scopes");
    expect(registrations.get(grant)?.dependencies).not.toContain(urnOf("control-plane-api.example.com"));
  });

  it("outputs role ids by name and resource server ids by identifier, under the names tenant stacks read", async () => {
    const { resources, controlPlane } = await render(aControlPlane());

    const idOf = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name)?.id;
    const expected = {
      roleIds: {
        admin: idOf(provider.role, "control-plane-role-admin"),
        member: idOf(provider.role, "control-plane-role-member"),
      },
      resourceServerIds: { "https://api.example.com": idOf(provider.server, "control-plane-api.example.com") },
    };
    expect(
      Object.values(expected.roleIds).every(Boolean) && Object.values(expected.resourceServerIds).every(Boolean),
    ).toBe(true);
    expect(await resolvedValue(controlPlane.roleIds)).toEqual(expected.roleIds);
    expect(await resolvedValue(controlPlane.resourceServerIds)).toEqual(expected.resourceServerIds);
    const outputs = controlPlane.stackOutputs();
    expect(Object.keys(outputs).sort()).toEqual(Object.values(CONTROL_PLANE_OUTPUTS).sort());
    expect(await resolvedValue(outputs.roleIds)).toEqual(expected.roleIds);
    expect(await resolvedValue(outputs.resourceServerIds)).toEqual(expected.resourceServerIds);
  });

  it("feeds a tenant stack: the outputs it exports are the ones TenantAuth reads", async () => {
    const { controlPlane } = await render(aControlPlane());
    const exported = {
      roleIds: await resolvedValue(controlPlane.stackOutputs().roleIds),
      resourceServerIds: await resolvedValue(controlPlane.stackOutputs().resourceServerIds),
    };

    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: exported } });
    const auth = new TenantAuth("initech", {
      tenant: aTenant("initech"),
      auth: provider.auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
    });
    expect(await resolvedValue(auth.assignableRoleIds)).toEqual([exported.roleIds.admin, exported.roleIds.member]);
    await recorder.settled();
  });

  it("answers to the type token of the component stacks deployed before were made with, so they keep every resource", async () => {
    const { registrations } = await render(aControlPlane());
    expect(registrations.get("control-plane")).toMatchObject({ aliasTypes: [provider.earlierType] });
  });

  async function refusal(spec: ControlPlaneSpec): Promise<{ error: unknown; declared: RecordedResource[] }> {
    const recorder = await recordResources();
    let error: unknown;
    try {
      new ControlPlaneAuth("control-plane", { controlPlane: spec, auth: provider.auth() });
    } catch (caught) {
      error = caught;
    }
    return { error, declared: (await recorder.settled()).filter((resource) => provider.types.includes(resource.type)) };
  }

  it("refuses a template role name that could pass for a tenant's role, before creating anything", async () => {
    const { error, declared } = await refusal(
      aControlPlane({ auth: { roles: [{ name: "acme:admin", description: "", permissions: [] }] } }),
    );

    expect(String(error)).toMatch(/"acme:admin" contains ":", which is reserved for tenant roles/);
    expect(declared).toEqual([]);
  });

  it("names the role and the scope when a permission is on no resource server, before creating anything", async () => {
    const { error, declared } = await refusal(
      aControlPlane({ auth: { roles: [{ name: "auditor", description: "", permissions: ["read:logs"] }] } }),
    );

    expect(String(error)).toMatch(/Role "auditor" has permission "read:logs", which no resource server defines/);
    expect(declared).toEqual([]);
  });
});

describe("ControlPlaneAuth at auth0", () => {
  async function render(spec: ControlPlaneSpec): Promise<RecordedResource[]> {
    const recorder = await recordResources();
    await resolvedValue(new ControlPlaneAuth("control-plane", { controlPlane: spec, auth: new Auth0Auth() }).roleIds);
    return recorder.settled();
  }

  it("creates each resource server with RBAC on and permissions in its access tokens, and nothing else", async () => {
    const [server, ...others] = ofType(await render(aControlPlane()), AUTH0_SERVER);
    expect(others).toEqual([]);
    expect(server?.inputs).toEqual({
      identifier: "https://api.example.com",
      name: "Example API",
      enforcePolicies: true,
      tokenDialect: "access_token_authz",
    });
  });

  it("declares every scope of a resource server in one authoritative resource", async () => {
    const [scopes, ...others] = ofType(await render(aControlPlane()), AUTH0_SCOPES);
    expect(others).toHaveLength(0);
    expect(scopes).toMatchObject({ name: "control-plane-api.example.com-scopes", parentType: COMPONENT });
    expect(scopes?.inputs).toEqual({
      resourceServerIdentifier: "https://api.example.com",
      scopes: EXAMPLE_API.scopes.map((scope) => ({ name: scope, description: scope })),
    });
  });

  it("grants a template role's permissions in one resource on that role", async () => {
    const resources = await render(aControlPlane());
    const roles = ofType(resources, AUTH0_ROLE);
    expect(roles.map((role) => [role.name, role.inputs])).toEqual([
      ["control-plane-role-admin", { name: "admin", description: "Tenant administrator" }],
      ["control-plane-role-member", { name: "member", description: "Regular user" }],
    ]);
    expect(
      ofType(resources, AUTH0_ROLE_PERMISSIONS).map((grant) => [grant.name, grant.parentType, grant.inputs["roleId"]]),
    ).toEqual([
      ["control-plane-role-admin-permissions", COMPONENT, roles[0]?.id],
      ["control-plane-role-member-permissions", COMPONENT, roles[1]?.id],
    ]);
  });

  it("creates no scopes resource or grant where there is nothing to declare", async () => {
    const bare = { identifier: "https://bare.example.com", name: "Bare API", scopes: [] };
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    const resources = await render(aControlPlane({ auth: { resourceServers: [bare], roles: [viewer] } }));

    expect(ofType(resources, AUTH0_SERVER)).toHaveLength(1);
    expect(ofType(resources, AUTH0_SCOPES)).toEqual([]);
    expect(ofType(resources, AUTH0_ROLE)).toHaveLength(1);
    expect(ofType(resources, AUTH0_ROLE_PERMISSIONS)).toEqual([]);
  });
});

describe("ControlPlaneAuth at authhero", () => {
  it("owns the resource servers (scopes in them, sorted) and the template roles, filed under control-plane, with the credentials a secret", async () => {
    const recorder = await recordResources();
    const controlPlane = new ControlPlaneAuth("control-plane", {
      controlPlane: aControlPlane({ auth: { provider: "authhero" } }),
      auth: new AuthHeroAuth({ connection: CONNECTION }),
    });
    const outputs = await resolvedValue(controlPlane.stackOutputs().roleIds);
    const resources = await recorder.settled();

    const [server, ...moreServers] = ofType(resources, AUTHHERO_SERVER);
    expect(moreServers).toEqual([]);
    expect(server?.inputs).toMatchObject({
      identifier: EXAMPLE_API.identifier,
      name: EXAMPLE_API.name,
      scopes: [...EXAMPLE_API.scopes].sort(),
      enforcePolicies: true,
      tokenDialect: "access_token_authz",
      tenant: "control-plane",
    });
    expect(server?.inputs).not.toHaveProperty("is_system");
    const roles = ofType(resources, AUTHHERO_ROLE).sort((a, b) =>
      String(a.inputs["name"]).localeCompare(String(b.inputs["name"])),
    );
    expect(roles.map((role) => [role.inputs["name"], role.inputs["tenant"]])).toEqual([
      ["admin", "control-plane"],
      ["member", "control-plane"],
    ]);
    expect(roles[0]?.inputs["permissions"]).toEqual(
      [...new Set(aControlPlane().auth.roles[0]!.permissions)]
        .map((name) => ({ name, resourceServerIdentifier: EXAMPLE_API.identifier }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(Object.keys(outputs)).toEqual(["admin", "member"]);
    for (const resource of [server!, ...roles]) expect(isSecretValue(resource.inputs["connection"])).toBe(true);
  });

  it("gives a resource server without scopes and a role without permissions empty lists", async () => {
    const recorder = await recordResources();
    const bare = { identifier: "https://bare.example.com", name: "Bare API", scopes: [] };
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    await resolvedValue(
      new ControlPlaneAuth("control-plane", {
        controlPlane: aControlPlane({ auth: { resourceServers: [bare], roles: [viewer] } }),
        auth: new AuthHeroAuth({ connection: CONNECTION }),
      }).roleIds,
    );
    const resources = await recorder.settled();

    expect(ofType(resources, AUTHHERO_SERVER).map((server) => server.inputs["scopes"])).toEqual([[]]);
    expect(ofType(resources, AUTHHERO_ROLE).map((role) => role.inputs["permissions"])).toEqual([[]]);
  });
});
