/**
 * The AuthHero components under Pulumi mocks: who declares what (ownership), what each entity is given, and that the
 * credentials are a secret. The providers themselves are tested against a real AuthHero (test/integration).
 */
import { describe, expect, it } from "vitest";
import { AuthHeroControlPlane } from "../../infra/components/AuthHeroControlPlane";
import { AuthHeroTenantAuth } from "../../infra/components/AuthHeroTenantAuth";
import { resolveAuthHero } from "../../infra/context/authheroConfig";
import { createDeploymentContext, type DeploymentSettings } from "../../infra/context/deploymentContext";
import { ALL_FEATURES } from "../../infra/context/features";
import { tenantStack } from "../../infra/stacks";
import type { Tenant } from "../../src/core/model";
import { CONTROL_PLANE_STACK_OUTPUTS, EXAMPLE_API, MOCK_CONTROL_PLANE_STACK, aControlPlane, aTenant } from "../support/domainFixtures";
import { isSecretValue, ofType, recordResources, valueOf } from "../support/pulumiMocks";

const RESOURCE_SERVER = "pulumi-nodejs:dynamic:AuthHeroResourceServer";
const ROLE = "pulumi-nodejs:dynamic:AuthHeroRole";
const ORGANIZATION = "pulumi-nodejs:dynamic:AuthHeroOrganization";
const CONNECTION = { url: "https://auth.example.com", clientId: "m2m", clientSecret: "s3cret" };

const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data"] };

function acme(overrides: Parameters<typeof aTenant>[1] = {}): Tenant {
  return aTenant("acme", { name: "Acme Corporation", plan: "enterprise", ...overrides, auth: { provider: "authhero", roles: [auditor], ...overrides.auth } });
}

describe("AuthHeroControlPlane", () => {
  it("owns the resource servers (scopes, RBAC on) and the template roles with their permissions", async () => {
    const recorder = await recordResources();
    const controlPlane = new AuthHeroControlPlane("control-plane", { controlPlane: aControlPlane({ auth: { provider: "authhero" } }), connection: CONNECTION });
    const outputs = await valueOf(controlPlane.stackOutputs().roleIds);
    const resources = await recorder.settled();

    const [server, ...moreServers] = ofType(resources, RESOURCE_SERVER);
    expect(moreServers).toEqual([]);
    expect(server?.inputs).toMatchObject({ identifier: EXAMPLE_API.identifier, name: EXAMPLE_API.name, scopes: [...EXAMPLE_API.scopes].sort(), enforcePolicies: true, tokenDialect: "access_token_authz", tenant: "control-plane" });
    expect(server?.inputs).not.toHaveProperty("is_system");
    const roles = ofType(resources, ROLE).sort((a, b) => String(a.inputs["name"]).localeCompare(String(b.inputs["name"])));
    expect(roles.map((role) => role.inputs["name"])).toEqual(["admin", "member"]);
    expect(roles[0]?.inputs["permissions"]).toEqual(
      [...new Set(aControlPlane().auth.roles[0]!.permissions)].map((name) => ({ name, resourceServerIdentifier: EXAMPLE_API.identifier })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(Object.keys(outputs)).toEqual(["admin", "member"]);
    // The Management API credentials are a secret in every entity's inputs.
    for (const resource of [server!, ...roles]) expect(isSecretValue(resource.inputs["connection"])).toBe(true);
  });
});

describe("AuthHeroTenantAuth", () => {
  async function render(tenant: Tenant) {
    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS } });
    const auth = new AuthHeroTenantAuth(tenant.slug, { tenant, controlPlaneStack: MOCK_CONTROL_PLANE_STACK, connection: CONNECTION });
    const assignable = await valueOf(auth.assignableRoleIds);
    return { resources: await recorder.settled(), assignable };
  }

  it("declares the organization and the tenant's own roles, never a template role", async () => {
    const { resources, assignable } = await render(acme());
    expect(ofType(resources, RESOURCE_SERVER)).toEqual([]);
    expect(ofType(resources, ROLE).map((role) => role.inputs["name"])).toEqual(["acme:auditor"]);
    const [organization] = ofType(resources, ORGANIZATION);
    expect(organization?.inputs).toMatchObject({ name: "acme", displayName: "Acme Corporation", tenant: "acme" });
    // The template roles come from the control-plane stack's outputs, then the tenant's own.
    expect(assignable.slice(0, 2)).toEqual([CONTROL_PLANE_STACK_OUTPUTS.roleIds.admin, CONTROL_PLANE_STACK_OUTPUTS.roleIds.member]);
    expect(assignable).toHaveLength(3);
    expect(organization?.inputs["metadata"]).toEqual({ slug: "acme", plan: "enterprise", status: "active", roles: assignable.join(",") });
    expect(isSecretValue(organization?.inputs["connection"])).toBe(true);
  });

  it("keeps the organization of a suspended tenant, saying so in its metadata", async () => {
    const { resources } = await render(acme({ status: "suspended" }));
    expect(ofType(resources, ORGANIZATION)[0]?.inputs["metadata"]).toMatchObject({ status: "suspended" });
  });
});

describe("resolveAuthHero", () => {
  it("takes the environment over the stack config, field by field, and drops a trailing slash", () => {
    expect(resolveAuthHero({ config: { url: "https://a.example.com/", clientId: "from-config", clientSecret: "x" }, env: { TENANTCTL_AUTHHERO_CLIENT_ID: "from-env" } })).toEqual({
      url: "https://a.example.com",
      clientId: "from-env",
      clientSecret: "x",
    });
  });

  it("names what is missing and how to set it, never a secret", () => {
    expect(() => resolveAuthHero({ config: { clientSecret: "hunter2" }, env: {} })).toThrow(
      "auth.provider is authhero, but no AuthHero url, clientId is configured: set `pulumi config set --path tenantctl:authhero.url …` or TENANTCTL_AUTHHERO_URL; `pulumi config set --path tenantctl:authhero.clientId …` or TENANTCTL_AUTHHERO_CLIENT_ID.",
    );
    expect(() => resolveAuthHero({ config: { url: "auth.example.com", clientId: "a", clientSecret: "hunter2" }, env: {} })).toThrow(/is not an http\(s\) URL/);
    expect(() => resolveAuthHero({ config: { url: "https://a", clientId: "a", clientSecret: "hunter2", secret: "x" }, env: {} })).toThrow('tenantctl:authhero: unknown field "secret"; fields are url, clientId, clientSecret.');
  });
});

describe("the deployment's auth provider", () => {
  const settings = (extra: Partial<DeploymentSettings>): DeploymentSettings => ({
    features: ALL_FEATURES,
    databaseServers: { config: { primary: { username: "admin", password: "x" } }, env: {} },
    organization: "organization",
    project: "project",
    ...extra,
  });

  it("is the template's unless TENANTCTL_AUTH_PROVIDER overrides it; an unknown one is a setup error", () => {
    expect(createDeploymentContext(aControlPlane(), settings({})).authProvider).toBe("auth0");
    expect(createDeploymentContext(aControlPlane(), settings({ authProvider: "authhero" })).authProvider).toBe("authhero");
    expect(createDeploymentContext(aControlPlane({ auth: { provider: "authhero" } }), settings({})).authProvider).toBe("authhero");
    expect(() => createDeploymentContext(aControlPlane(), settings({ authProvider: "okta" }))).toThrow("unknown auth provider `okta` in TENANTCTL_AUTH_PROVIDER / tenantctl:authProvider: use auth0 or authhero");
  });

  it("a tenant stack of an authhero deployment declares AuthHero entities and no Auth0 resource", async () => {
    const recorder = await recordResources({ stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS } });
    const context = createDeploymentContext(aControlPlane(), settings({ features: { dns: false, tls: false, auth: true }, authProvider: "authhero", authhero: { config: undefined, env: { TENANTCTL_AUTHHERO_URL: CONNECTION.url, TENANTCTL_AUTHHERO_CLIENT_ID: CONNECTION.clientId, TENANTCTL_AUTHHERO_CLIENT_SECRET: CONNECTION.clientSecret } } }));
    const outputs = tenantStack(acme({ auth: { provider: "auth0", roles: [auditor] } }), context);
    await valueOf(outputs.organizationId!);
    const resources = await recorder.settled();
    expect(resources.filter((r) => r.type.startsWith("auth0:"))).toEqual([]);
    expect(ofType(resources, ORGANIZATION)).toHaveLength(1);
    expect(await valueOf(context.authhero())).toEqual(CONNECTION);
  });

  it("without AuthHero credentials, says which settings to set", () => {
    const context = createDeploymentContext(aControlPlane({ auth: { provider: "authhero" } }), settings({}));
    expect(() => context.authhero()).toThrow(/^auth\.provider is authhero, but no AuthHero url, clientId, clientSecret is configured: set/);
  });
});
