import { describe, expect, it } from "vitest";
import { CONTROL_PLANE_OUTPUTS } from "../../infra/auth/controlPlaneOutputs";
import { Auth0ControlPlane, type Auth0ControlPlaneArgs } from "../../infra/components/Auth0ControlPlane";
import { TenantAuth } from "../../infra/components/TenantAuth";
import type { ControlPlane as ControlPlaneSpec } from "../../src/core/model";
import { EXAMPLE_API, MOCK_CONTROL_PLANE_STACK, aControlPlane, aTenant } from "../support/domainFixtures";
import { ofType, recordResources, valueOf, type RecordedResource } from "../support/pulumiMocks";

const RESOURCE_SERVER = "auth0:index/resourceServer:ResourceServer";
const RESOURCE_SERVER_SCOPES = "auth0:index/resourceServerScopes:ResourceServerScopes";
const ROLE = "auth0:index/role:Role";
const ROLE_PERMISSIONS = "auth0:index/rolePermissions:RolePermissions";
const COMPONENT = "tenantctl:index:ControlPlane";

const AUDIT_API = { identifier: "https://audit.example.com", name: "Audit API", scopes: ["read:audit"] };
const DATA_API = { ...EXAMPLE_API, scopes: ["read:data", "write:data", "manage:users"] };

async function render(
  spec: ControlPlaneSpec,
  args: Partial<Omit<Auth0ControlPlaneArgs, "controlPlane">> = {},
): Promise<{ resources: RecordedResource[]; controlPlane: Auth0ControlPlane }> {
  const recorder = await recordResources();
  const controlPlane = new Auth0ControlPlane("control-plane", { controlPlane: spec, ...args });
  await valueOf(controlPlane.roleIds);
  return { resources: await recorder.settled(), controlPlane };
}

describe("Auth0ControlPlane", () => {
  it("creates each resource server with RBAC on and permissions in its access tokens", async () => {
    const { resources } = await render(aControlPlane());

    const servers = ofType(resources, RESOURCE_SERVER);
    expect(servers.map((server) => [server.name, server.parentType])).toEqual([["control-plane-api.example.com", COMPONENT]]);
    expect(servers[0]?.inputs).toEqual({
      identifier: "https://api.example.com",
      name: "Example API",
      enforcePolicies: true,
      tokenDialect: "access_token_authz",
    });
  });

  it("declares every scope of a resource server in one authoritative resource", async () => {
    const { resources } = await render(aControlPlane());

    const [scopes, ...others] = ofType(resources, RESOURCE_SERVER_SCOPES);
    expect(others).toHaveLength(0);
    expect(scopes).toMatchObject({ name: "control-plane-api.example.com-scopes", parentType: COMPONENT });
    expect(scopes?.inputs).toEqual({
      resourceServerIdentifier: "https://api.example.com",
      scopes: EXAMPLE_API.scopes.map((scope) => ({ name: scope, description: scope })),
    });
  });

  it("creates the template roles under their plain names, with their permissions on the right resource server", async () => {
    const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data", "read:audit"] };
    const spec = aControlPlane({ auth: { resourceServers: [DATA_API, AUDIT_API], roles: [auditor] } });
    const { resources } = await render(spec);

    const roles = ofType(resources, ROLE);
    expect(roles.map((role) => [role.name, role.parentType, role.inputs])).toEqual([
      ["control-plane-role-auditor", COMPONENT, { name: "auditor", description: "Reads audit logs" }],
    ]);
    expect(ofType(resources, ROLE_PERMISSIONS).map((grant) => [grant.name, grant.parentType, grant.inputs])).toEqual([
      [
        "control-plane-role-auditor-permissions",
        COMPONENT,
        {
          roleId: roles[0]?.id,
          permissions: [
            { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
            { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
          ],
        },
      ],
    ]);
  });

  it("outputs role ids by name and resource server ids by identifier, under the names tenant stacks read", async () => {
    const { resources, controlPlane } = await render(aControlPlane());

    const idOf = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name)?.id;
    const expected = {
      roleIds: { admin: idOf(ROLE, "control-plane-role-admin"), member: idOf(ROLE, "control-plane-role-member") },
      resourceServerIds: { "https://api.example.com": idOf(RESOURCE_SERVER, "control-plane-api.example.com") },
    };
    expect(await valueOf(controlPlane.roleIds)).toEqual(expected.roleIds);
    expect(await valueOf(controlPlane.resourceServerIds)).toEqual(expected.resourceServerIds);
    const outputs = controlPlane.stackOutputs();
    expect(Object.keys(outputs).sort()).toEqual(Object.values(CONTROL_PLANE_OUTPUTS).sort());
  });

  it("creates no scopes resource or grant where there is nothing to declare", async () => {
    const bare = { identifier: "https://bare.example.com", name: "Bare API", scopes: [] };
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    const { resources } = await render(aControlPlane({ auth: { resourceServers: [bare], roles: [viewer] } }));

    expect(ofType(resources, RESOURCE_SERVER)).toHaveLength(1);
    expect(ofType(resources, RESOURCE_SERVER_SCOPES)).toEqual([]);
    expect(ofType(resources, ROLE)).toHaveLength(1);
    expect(ofType(resources, ROLE_PERMISSIONS)).toEqual([]);
  });

  it("feeds a tenant stack: the outputs it exports are the ones TenantAuth reads", async () => {
    const { controlPlane } = await render(aControlPlane());
    const exported = {
      roleIds: await valueOf(controlPlane.stackOutputs().roleIds),
      resourceServerIds: await valueOf(controlPlane.stackOutputs().resourceServerIds),
    };

    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: exported } });
    const auth = new TenantAuth("initech", { tenant: aTenant("initech"), controlPlaneStack: MOCK_CONTROL_PLANE_STACK });
    expect(await valueOf(auth.assignableRoleIds)).toEqual([exported.roleIds.admin, exported.roleIds.member]);
    await recorder.settled();
  });
});

describe("Auth0ControlPlane refusals", () => {
  async function refusal(spec: ControlPlaneSpec): Promise<{ error: unknown; auth0Resources: RecordedResource[] }> {
    const recorder = await recordResources();
    let error: unknown;
    try {
      new Auth0ControlPlane("control-plane", { controlPlane: spec });
    } catch (caught) {
      error = caught;
    }
    const auth0Resources = (await recorder.settled()).filter((resource) => resource.type.startsWith("auth0:"));
    return { error, auth0Resources };
  }

  it("refuses a template role name that could pass for a tenant's role, before creating anything", async () => {
    const spec = aControlPlane({ auth: { roles: [{ name: "acme:admin", description: "", permissions: [] }] } });
    const { error, auth0Resources } = await refusal(spec);

    expect(String(error)).toMatch(/"acme:admin" contains ":", which is reserved for tenant roles/);
    expect(auth0Resources).toEqual([]);
  });

  it("names the role and the scope when a permission is on no resource server", async () => {
    const spec = aControlPlane({ auth: { roles: [{ name: "auditor", description: "", permissions: ["read:logs"] }] } });
    const { error, auth0Resources } = await refusal(spec);

    expect(String(error)).toMatch(/Role "auditor" has permission "read:logs", which no resource server defines/);
    expect(auth0Resources).toEqual([]);
  });

  it("refuses an authhero template, naming the component that deploys it", async () => {
    const spec = aControlPlane({ auth: { provider: "authhero" } });
    const { error, auth0Resources } = await refusal(spec);

    expect(String(error)).toMatch(/Auth0ControlPlane deploys auth\.provider auth0, not "authhero": use AuthHeroControlPlane/);
    expect(auth0Resources).toEqual([]);
  });
});
