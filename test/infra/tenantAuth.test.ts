import { describe, expect, it } from "vitest";
import { TenantAuth, type TenantAuthArgs } from "../../infra/components/TenantAuth";
import type { Tenant } from "../../src/core/model";
import { CONTROL_PLANE_STACK_OUTPUTS, EXAMPLE_API, MOCK_CONTROL_PLANE_STACK, aTenant } from "../support/domainFixtures";
import { ofType, recordResources, valueOf, type RecordedResource } from "../support/pulumiMocks";

const ORGANIZATION = "auth0:index/organization:Organization";
const ROLE = "auth0:index/role:Role";
const ROLE_PERMISSIONS = "auth0:index/rolePermissions:RolePermissions";
const STACK_REFERENCE = "pulumi:pulumi:StackReference";
const COMPONENT = "tenantctl:index:TenantAuth";

/** Audit scopes on an API of their own, so the test can tell which server each permission lands on. */
const AUDIT_API = { identifier: "https://audit.example.com", name: "Audit API", scopes: ["read:audit"] };
const DATA_API = { ...EXAMPLE_API, scopes: EXAMPLE_API.scopes.filter((scope) => scope !== "read:audit") };

const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data", "read:audit"] };

async function render(
  tenant: Tenant,
  args: Partial<Omit<TenantAuthArgs, "tenant">> = {},
  stackOutputs: Record<string, Record<string, unknown>> = { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
): Promise<{ resources: RecordedResource[]; auth: TenantAuth }> {
  const recorder = await recordResources({ stackOutputs });
  const auth = new TenantAuth(tenant.slug, { tenant, controlPlaneStack: MOCK_CONTROL_PLANE_STACK, ...args });
  await valueOf(auth.organizationId);
  return { resources: await recorder.settled(), auth };
}

/** acme with its own auditor role, whose scopes live on two APIs. */
function acme(overrides: Parameters<typeof aTenant>[1] = {}): Tenant {
  return aTenant("acme", {
    name: "Acme Corporation",
    plan: "enterprise",
    ...overrides,
    auth: { roles: [auditor], resourceServers: [DATA_API, AUDIT_API], ...overrides.auth },
  });
}

const TWO_API_OUTPUTS = {
  ...CONTROL_PLANE_STACK_OUTPUTS,
  resourceServerIds: { ...CONTROL_PLANE_STACK_OUTPUTS.resourceServerIds, [AUDIT_API.identifier]: "api_audit0000000001" },
};

describe("TenantAuth", () => {
  it("creates the tenant's organization, named after the tenant and labelled with its slug, plan and status", async () => {
    const { resources } = await render(acme(), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    const [organization, ...others] = ofType(resources, ORGANIZATION);
    expect(others).toHaveLength(0);
    expect(organization).toMatchObject({ name: "acme-organization", parentType: COMPONENT });
    expect(organization?.inputs).toMatchObject({
      name: "acme",
      displayName: "Acme Corporation",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
  });

  it("names the tenant's own roles <slug>:<role>", async () => {
    const { resources } = await render(acme(), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    const roles = ofType(resources, ROLE);
    expect(roles.map((role) => [role.name, role.parentType, role.inputs])).toEqual([
      ["acme-role-auditor", COMPONENT, { name: "acme:auditor", description: "Reads audit logs" }],
    ]);
  });

  it("grants each permission on the resource server that defines the scope", async () => {
    const { resources } = await render(acme(), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    const [role] = ofType(resources, ROLE);
    const [grant, ...others] = ofType(resources, ROLE_PERMISSIONS);
    expect(others).toHaveLength(0);
    expect(grant).toMatchObject({ name: "acme-role-auditor-permissions", parentType: COMPONENT });
    expect(grant?.inputs).toEqual({
      roleId: role?.id,
      permissions: [
        { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
        { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
      ],
    });
  });

  it("makes the template roles and its own roles assignable in the organization", async () => {
    const { resources, auth } = await render(acme(), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    const auditorId = ofType(resources, ROLE)[0]?.id;
    const expected = ["rol_admin0000000001", "rol_member000000001", auditorId];
    expect(await valueOf(auth.assignableRoleIds)).toEqual(expected);
    expect(ofType(resources, ORGANIZATION)[0]?.inputs.metadata).toMatchObject({ roles: expected.join(",") });
    expect(await valueOf(auth.roleIds)).toEqual({ auditor: auditorId });
  });

  it("reads the template roles from the control-plane stack of the same organization and project", async () => {
    const { resources } = await render(acme(), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    const references = ofType(resources, STACK_REFERENCE);
    expect(references.map((reference) => [reference.name, reference.parentType, reference.inputs.name])).toEqual([
      ["acme-control-plane", COMPONENT, "organization/project/control-plane"],
    ]);
  });

  it("reads another control-plane stack when told to", async () => {
    const stack = "platform/tenants/control-plane";
    const { resources } = await render(acme(), { controlPlaneStack: stack }, { [stack]: TWO_API_OUTPUTS });

    expect(ofType(resources, STACK_REFERENCE)[0]?.inputs.name).toBe(stack);
  });

  it("creates no role for a tenant without roles of its own, and offers only the template roles", async () => {
    const { resources, auth } = await render(aTenant("initech"));

    expect(ofType(resources, ROLE)).toEqual([]);
    expect(ofType(resources, ROLE_PERMISSIONS)).toEqual([]);
    expect(ofType(resources, ORGANIZATION)[0]?.inputs.metadata).toEqual({
      slug: "initech",
      plan: "basic",
      status: "active",
      roles: "rol_admin0000000001,rol_member000000001",
    });
    expect(await valueOf(auth.roleIds)).toEqual({});
  });

  it("creates a role without permissions but no empty grant", async () => {
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    const { resources } = await render(aTenant("globex", { auth: { roles: [viewer] } }));

    expect(ofType(resources, ROLE).map((role) => role.inputs.name)).toEqual(["globex:viewer"]);
    expect(ofType(resources, ROLE_PERMISSIONS)).toEqual([]);
  });

  it("keeps two tenants' same-named roles apart", async () => {
    const names: unknown[] = [];
    for (const slug of ["acme", "globex"]) {
      const { resources } = await render(acme({ slug }), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });
      names.push(...ofType(resources, ROLE).map((role) => role.inputs.name));
    }
    expect(names).toEqual(["acme:auditor", "globex:auditor"]);
  });

  it.each(["suspended", "decommissioned"] as const)("keeps a %s tenant's organization and roles and labels its status", async (status) => {
    const { resources } = await render(acme({ status }), {}, { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS });

    expect(ofType(resources, ORGANIZATION)[0]?.inputs.metadata).toMatchObject({ status });
    expect(ofType(resources, ROLE)).toHaveLength(1);
    expect(ofType(resources, ROLE_PERMISSIONS)).toHaveLength(1);
  });
});

describe("TenantAuth refusals", () => {
  it("refuses an authhero tenant, naming the component that deploys it, and creates nothing at Auth0", async () => {
    const recorder = await recordResources({});
    const tenant = aTenant("acme", { auth: { provider: "authhero" } });

    expect(() => new TenantAuth("acme", { tenant, controlPlaneStack: MOCK_CONTROL_PLANE_STACK })).toThrow(/TenantAuth deploys auth\.provider auth0, not "authhero" \(tenant "acme"\): use AuthHeroTenantAuth/);
    expect((await recorder.settled()).filter((resource) => resource.type.startsWith("auth0:"))).toEqual([]);
  });

  it("names the role, the scope and the fix when a permission's scope is on no resource server", async () => {
    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS } });
    const role = { name: "auditor", description: "", permissions: ["read:audit"] };
    const tenant = aTenant("acme", { auth: { roles: [role], resourceServers: [DATA_API] } });

    expect(() => new TenantAuth("acme", { tenant, controlPlaneStack: MOCK_CONTROL_PLANE_STACK })).toThrow(
      /Role "auditor" has permission "read:audit", which no resource server defines.*tenants\/_control-plane\.yaml/,
    );
    expect((await recorder.settled()).filter((resource) => resource.type.startsWith("auth0:"))).toEqual([]);
  });

});
