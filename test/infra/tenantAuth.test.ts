/**
 * TenantAuth under Pulumi mocks, at both auth providers: the rules (names, permission checks, the wait for the
 * control plane, the assignable roles and their metadata limit) hold whichever adapter declares the entities; then
 * what each adapter declares. The AuthHero providers themselves are tested against a real AuthHero (test/integration).
 */
import { describe, expect, it } from "vitest";
import { Auth0Auth, AuthHeroAuth, type AuthProvider } from "../../infra/auth";
import { TenantAuth, type TenantAuthArgs } from "../../infra/components/TenantAuth";
import { AUTH0_MAX_ASSIGNABLE_ROLES } from "../../src/core/limits";
import type { Tenant } from "../../src/core/model";
import {
  CONTROL_PLANE_STACK_OUTPUTS,
  EXAMPLE_API,
  MOCK_CONTROL_PLANE_STACK,
  TEMPLATE_ROLES,
  aTenant,
} from "../support/domainFixtures";
import { isSecretValue, ofType, recordResources, resolvedValue, type RecordedResource } from "../support/pulumiMocks";
import { recordRegistrations, unhandledRejectionsOf } from "../support/registrations";

const STACK_REFERENCE = "pulumi:pulumi:StackReference";
const COMPONENT = "tenantctl:index:TenantAuth";
const CONNECTION = { url: "https://auth.example.com", clientId: "m2m", clientSecret: "s3cret" };

/** What each adapter declares, and how a role's permissions read in what it declares. */
interface ProviderCase {
  readonly kind: string;
  readonly auth: () => AuthProvider;
  readonly organization: string;
  readonly role: string;
  /** Every type the adapter declares (to check that a refusal declares none of them). */
  readonly types: readonly string[];
  /** The permissions granted to the role declared as `roleName`, as the provider receives them. */
  permissionsOf(resources: readonly RecordedResource[], roleName: string): unknown;
}

const AUTH0_ROLE_PERMISSIONS = "auth0:index/rolePermissions:RolePermissions";

const AUTH0: ProviderCase = {
  kind: "auth0",
  auth: () => new Auth0Auth(),
  organization: "auth0:index/organization:Organization",
  role: "auth0:index/role:Role",
  types: ["auth0:index/organization:Organization", "auth0:index/role:Role", AUTH0_ROLE_PERMISSIONS],
  permissionsOf: (resources, roleName) =>
    resources.find((r) => r.type === AUTH0_ROLE_PERMISSIONS && r.name === `${roleName}-permissions`)?.inputs[
      "permissions"
    ],
};

const AUTHHERO: ProviderCase = {
  kind: "authhero",
  auth: () => new AuthHeroAuth({ connection: CONNECTION }),
  organization: "pulumi-nodejs:dynamic:AuthHeroOrganization",
  role: "pulumi-nodejs:dynamic:AuthHeroRole",
  types: [
    "pulumi-nodejs:dynamic:AuthHeroOrganization",
    "pulumi-nodejs:dynamic:AuthHeroRole",
    "pulumi-nodejs:dynamic:AuthHeroResourceServer",
  ],
  permissionsOf: (resources, roleName) =>
    resources.find((r) => r.type === "pulumi-nodejs:dynamic:AuthHeroRole" && r.name === roleName)?.inputs[
      "permissions"
    ],
};

/** Audit scopes on an API of their own, so the test can tell which server each permission lands on. */
const AUDIT_API = { identifier: "https://audit.example.com", name: "Audit API", scopes: ["read:audit"] };
const DATA_API = { ...EXAMPLE_API, scopes: EXAMPLE_API.scopes.filter((scope) => scope !== "read:audit") };

const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data", "read:audit"] };

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
  resourceServerIds: {
    ...CONTROL_PLANE_STACK_OUTPUTS.resourceServerIds,
    [AUDIT_API.identifier]: "api_audit0000000001",
  },
};

describe.each([AUTH0, AUTHHERO])("TenantAuth at $kind", (provider) => {
  async function render(
    tenant: Tenant,
    args: Partial<Omit<TenantAuthArgs, "tenant" | "auth">> = {},
    stackOutputs: Record<string, Record<string, unknown>> = { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS },
  ): Promise<{ resources: RecordedResource[]; auth: TenantAuth }> {
    const recorder = await recordResources({ stackOutputs });
    const auth = new TenantAuth(tenant.slug, {
      tenant,
      auth: provider.auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
      ...args,
    });
    await resolvedValue(auth.organizationId);
    return { resources: await recorder.settled(), auth };
  }

  it("creates the tenant's organization, named after the tenant and labelled with its slug, plan and status", async () => {
    const { resources } = await render(acme());

    const [organization, ...others] = ofType(resources, provider.organization);
    expect(others).toHaveLength(0);
    expect(organization).toMatchObject({ name: "acme-organization", parentType: COMPONENT });
    expect(organization?.inputs).toMatchObject({
      name: "acme",
      displayName: "Acme Corporation",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
  });

  it("names the tenant's own roles <slug>:<role>", async () => {
    const { resources } = await render(acme());

    const roles = ofType(resources, provider.role);
    expect(roles.map((role) => [role.name, role.parentType, role.inputs["name"], role.inputs["description"]])).toEqual([
      ["acme-role-auditor", COMPONENT, "acme:auditor", "Reads audit logs"],
    ]);
  });

  it("grants each permission on the resource server that defines the scope", async () => {
    const { resources } = await render(acme());

    expect(provider.permissionsOf(resources, "acme-role-auditor")).toEqual([
      { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
      { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
    ]);
  });

  it("makes the template roles and its own roles assignable in the organization", async () => {
    const { resources, auth } = await render(acme());

    const auditorId = ofType(resources, provider.role)[0]?.id;
    expect(auditorId).toBeTruthy();
    const expected = ["rol_admin0000000001", "rol_member000000001", auditorId];
    expect(await resolvedValue(auth.assignableRoleIds)).toEqual(expected);
    expect(ofType(resources, provider.organization)[0]?.inputs["metadata"]).toEqual({
      slug: "acme",
      plan: "enterprise",
      status: "active",
      roles: expected.join(","),
    });
    expect(await resolvedValue(auth.roleIds)).toEqual({ auditor: auditorId });
  });

  it("offers a role once, even when the template lists it twice", async () => {
    const [admin, member] = TEMPLATE_ROLES;
    const twice = acme({ auth: { templateRoles: [admin!, member!, admin!] } });
    expect(twice.auth.templateRoles.map((role) => role.name)).toEqual(["admin", "member", "admin"]);
    const { resources, auth } = await render(twice);

    const auditorId = ofType(resources, provider.role)[0]?.id;
    expect(await resolvedValue(auth.assignableRoleIds)).toEqual([
      "rol_admin0000000001",
      "rol_member000000001",
      auditorId,
    ]);
    expect(ofType(resources, provider.organization)[0]?.inputs["metadata"]).toMatchObject({
      roles: `rol_admin0000000001,rol_member000000001,${auditorId}`,
    });
  });

  it("refuses more assignable roles than one metadata value holds, naming the limit", async () => {
    const own = Array.from({ length: AUTH0_MAX_ASSIGNABLE_ROLES - 1 }, (_, i) => ({
      name: `role${i}`,
      description: "",
      permissions: [],
    }));
    const tenant = acme({ auth: { roles: own } });
    const message = `The organization's ${AUTH0_MAX_ASSIGNABLE_ROLES + 1} assignable roles do not fit one Auth0 metadata value (at most ${AUTH0_MAX_ASSIGNABLE_ROLES} role ids): give this tenant fewer roles.`;

    const rejections = await unhandledRejectionsOf(async () => {
      await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS } });
      new TenantAuth(tenant.slug, { tenant, auth: provider.auth(), controlPlaneStack: MOCK_CONTROL_PLANE_STACK });
    });
    expect(rejections.map(String)).toContain(`Error: error serializing property "metadata": ${message}`);
  });

  it("reads the template roles from the control-plane stack of the same organization and project", async () => {
    const { resources } = await render(acme());

    const references = ofType(resources, STACK_REFERENCE);
    expect(references.map((reference) => [reference.name, reference.parentType, reference.inputs["name"]])).toEqual([
      ["acme-control-plane", COMPONENT, "organization/project/control-plane"],
    ]);
  });

  it("reads another control-plane stack when told to", async () => {
    const stack = "platform/tenants/control-plane";
    const { resources } = await render(acme(), { controlPlaneStack: stack }, { [stack]: TWO_API_OUTPUTS });

    expect(ofType(resources, STACK_REFERENCE)[0]?.inputs["name"]).toBe(stack);
  });

  it("creates no role for a tenant without roles of its own, and offers only the template roles", async () => {
    const { resources, auth } = await render(
      aTenant("initech"),
      {},
      { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
    );

    expect(ofType(resources, provider.role)).toEqual([]);
    expect(ofType(resources, AUTH0_ROLE_PERMISSIONS)).toEqual([]);
    expect(ofType(resources, provider.organization)[0]?.inputs["metadata"]).toEqual({
      slug: "initech",
      plan: "basic",
      status: "active",
      roles: "rol_admin0000000001,rol_member000000001",
    });
    expect(await resolvedValue(auth.roleIds)).toEqual({});
  });

  it("keeps two tenants' same-named roles apart", async () => {
    const names: unknown[] = [];
    for (const slug of ["acme", "globex"]) {
      const { resources } = await render(acme({ slug }));
      names.push(...ofType(resources, provider.role).map((role) => role.inputs["name"]));
    }
    expect(names).toEqual(["acme:auditor", "globex:auditor"]);
  });

  it.each(["suspended", "decommissioned"] as const)(
    "keeps a %s tenant's organization and roles and labels its status",
    async (status) => {
      const { resources } = await render(acme({ status }));

      expect(ofType(resources, provider.organization)[0]?.inputs["metadata"]).toMatchObject({ status });
      expect(ofType(resources, provider.role)).toHaveLength(1);
      expect(provider.permissionsOf(resources, "acme-role-auditor")).toHaveLength(2);
    },
  );

  it("names the role, the scope and the fix when a permission's scope is on no resource server, and declares nothing", async () => {
    const recorder = await recordResources({
      stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
    });
    const role = { name: "auditor", description: "", permissions: ["read:audit"] };
    const tenant = aTenant("acme", { auth: { roles: [role], resourceServers: [DATA_API] } });

    expect(
      () => new TenantAuth("acme", { tenant, auth: provider.auth(), controlPlaneStack: MOCK_CONTROL_PLANE_STACK }),
    ).toThrow(
      /Role "auditor" has permission "read:audit", which no resource server defines.*tenants\/_control-plane\.yaml/,
    );
    expect((await recorder.settled()).filter((resource) => provider.types.includes(resource.type))).toEqual([]);
  });

  it("says to deploy the control plane first when it lacks a resource server the tenant's roles need", async () => {
    const message =
      'Role "auditor" needs resource server(s) https://audit.example.com, which stack "organization/project/control-plane" has not deployed: run `pulumi up -s control-plane` before the tenant stacks.';
    const rejections = await unhandledRejectionsOf(async () => {
      await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS } });
      new TenantAuth("acme", { tenant: acme(), auth: provider.auth(), controlPlaneStack: MOCK_CONTROL_PLANE_STACK });
    });
    expect(rejections.map(String).some((rejection) => rejection.endsWith(message))).toBe(true);
  });

  it("says to deploy the control plane first when it lacks a template role", async () => {
    const outputs = { ...TWO_API_OUTPUTS, roleIds: { admin: "rol_admin0000000001" } };
    const message =
      'Template role(s) member are not in the outputs of stack "organization/project/control-plane": run `pulumi up -s control-plane` before the tenant stacks.';
    const rejections = await unhandledRejectionsOf(async () => {
      await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: outputs } });
      new TenantAuth("acme", { tenant: acme(), auth: provider.auth(), controlPlaneStack: MOCK_CONTROL_PLANE_STACK });
    });
    expect(rejections.map(String).some((rejection) => rejection.endsWith(message))).toBe(true);
  });
});

describe("TenantAuth at auth0", () => {
  it("creates a role without permissions but no empty grant", async () => {
    const recorder = await recordResources({
      stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
    });
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    const auth = new TenantAuth("globex", {
      tenant: aTenant("globex", { auth: { roles: [viewer] } }),
      auth: new Auth0Auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
    });
    await resolvedValue(auth.organizationId);
    const resources = await recorder.settled();

    expect(ofType(resources, AUTH0.role).map((role) => [role.name, role.inputs])).toEqual([
      ["globex-role-viewer", { name: "globex:viewer", description: "Sees the dashboard" }],
    ]);
    expect(ofType(resources, AUTH0_ROLE_PERMISSIONS)).toEqual([]);
  });

  it("grants a role's permissions in one authoritative resource on that role", async () => {
    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS } });
    const auth = new TenantAuth("acme", {
      tenant: acme(),
      auth: new Auth0Auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
    });
    await resolvedValue(auth.organizationId);
    const resources = await recorder.settled();

    const [role] = ofType(resources, AUTH0.role);
    const [grant, ...others] = ofType(resources, AUTH0_ROLE_PERMISSIONS);
    expect(others).toHaveLength(0);
    expect(grant).toMatchObject({ name: "acme-role-auditor-permissions", parentType: COMPONENT });
    expect(grant?.inputs["roleId"]).toBe(role?.id);
  });

  it("keeps its type token, so stacks deployed before need no alias", async () => {
    await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS } });
    const registrations = recordRegistrations();
    await resolvedValue(
      new TenantAuth("acme", { tenant: acme(), auth: new Auth0Auth(), controlPlaneStack: MOCK_CONTROL_PLANE_STACK })
        .organizationId,
    );
    expect(registrations.get("acme")).toMatchObject({ aliasTypes: [] });
  });
});

describe("TenantAuth at authhero", () => {
  async function render(tenant: Tenant) {
    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: TWO_API_OUTPUTS } });
    const registrations = recordRegistrations();
    const auth = new TenantAuth(tenant.slug, {
      tenant,
      auth: AUTHHERO.auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
    });
    await resolvedValue(auth.organizationId);
    return { resources: await recorder.settled(), registrations };
  }

  it("files every entity under the tenant, with the Management API credentials a secret, and declares no template role or server", async () => {
    const { resources } = await render(acme());

    expect(ofType(resources, "pulumi-nodejs:dynamic:AuthHeroResourceServer")).toEqual([]);
    expect(ofType(resources, AUTHHERO.role).map((role) => role.inputs["name"])).toEqual(["acme:auditor"]);
    const entities = [...ofType(resources, AUTHHERO.role), ...ofType(resources, AUTHHERO.organization)];
    expect(entities).toHaveLength(2);
    for (const entity of entities) {
      expect(entity.inputs["tenant"]).toBe("acme");
      expect(isSecretValue(entity.inputs["connection"])).toBe(true);
    }
  });

  it("gives a role without permissions an empty list", async () => {
    const viewer = { name: "viewer", description: "Sees the dashboard", permissions: [] };
    const { resources } = await render(aTenant("globex", { auth: { roles: [viewer] } }));
    expect(ofType(resources, AUTHHERO.role).map((role) => [role.inputs["name"], role.inputs["permissions"]])).toEqual([
      ["globex:viewer", []],
    ]);
  });

  it("answers to the type token of AuthHeroTenantAuth, the component stacks deployed before were made with", async () => {
    const { registrations } = await render(acme());
    expect(registrations.get("acme")).toMatchObject({ aliasTypes: ["tenantctl:index:AuthHeroTenantAuth"] });
  });
});
