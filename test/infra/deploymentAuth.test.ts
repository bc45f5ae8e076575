/**
 * Which auth provider a deployment declares into, and its credentials: the template's provider unless overridden, the
 * adapter the deployment context hands the components, and the AuthHero client's settings. What each component
 * declares at each provider is in tenantAuth.test.ts and controlPlaneAuth.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Auth0Auth, AuthHeroAuth } from "../../infra/auth";
import { resolveAuthHero } from "../../infra/context/authheroConfig";
import { createDeploymentContext, type DeploymentSettings } from "../../infra/context/deploymentContext";
import { ALL_FEATURES } from "../../infra/context/features";
import { tenantStack } from "../../infra/stacks";
import type { Tenant } from "../../src/core/model";
import {
  CONTROL_PLANE_STACK_OUTPUTS,
  MOCK_CONTROL_PLANE_STACK,
  aControlPlane,
  aTenant,
} from "../support/domainFixtures";
import { ofType, recordResources, resolvedValue } from "../support/pulumiMocks";

const ORGANIZATION = "pulumi-nodejs:dynamic:AuthHeroOrganization";
const CONNECTION = { url: "https://auth.example.com", clientId: "m2m", clientSecret: "s3cret" };

const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data"] };

function acme(overrides: Parameters<typeof aTenant>[1] = {}): Tenant {
  return aTenant("acme", {
    name: "Acme Corporation",
    plan: "enterprise",
    ...overrides,
    auth: { provider: "authhero", roles: [auditor], ...overrides.auth },
  });
}

describe("resolveAuthHero", () => {
  it("takes the environment over the stack config, field by field, and drops a trailing slash", () => {
    expect(
      resolveAuthHero({
        config: { url: "https://a.example.com/", clientId: "from-config", clientSecret: "x" },
        env: { TENANTCTL_AUTHHERO_CLIENT_ID: "from-env" },
      }),
    ).toEqual({
      url: "https://a.example.com",
      clientId: "from-env",
      clientSecret: "x",
    });
  });

  it("names what is missing and how to set it, never a secret", () => {
    expect(() => resolveAuthHero({ config: { clientSecret: "hunter2" }, env: {} })).toThrow(
      "auth.provider is authhero, but no AuthHero url, clientId is configured: set `pulumi config set --path tenantctl:authhero.url …` or TENANTCTL_AUTHHERO_URL; `pulumi config set --path tenantctl:authhero.clientId …` or TENANTCTL_AUTHHERO_CLIENT_ID.",
    );
    expect(() =>
      resolveAuthHero({ config: { url: "auth.example.com", clientId: "a", clientSecret: "hunter2" }, env: {} }),
    ).toThrow(/is not an http\(s\) URL/);
    expect(() =>
      resolveAuthHero({ config: { url: "https://a", clientId: "a", clientSecret: "hunter2", secret: "x" }, env: {} }),
    ).toThrow('tenantctl:authhero: unknown field "secret"; fields are url, clientId, clientSecret.');
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
    expect(createDeploymentContext(aControlPlane(), settings({ authProvider: "authhero" })).authProvider).toBe(
      "authhero",
    );
    expect(createDeploymentContext(aControlPlane({ auth: { provider: "authhero" } }), settings({})).authProvider).toBe(
      "authhero",
    );
    expect(() => createDeploymentContext(aControlPlane(), settings({ authProvider: "okta" }))).toThrow(
      "unknown auth provider `okta` in TENANTCTL_AUTH_PROVIDER / tenantctl:authProvider: use auth0 or authhero",
    );
  });

  it("a tenant stack of an authhero deployment declares AuthHero entities and no Auth0 resource", async () => {
    const recorder = await recordResources({
      stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
    });
    const context = createDeploymentContext(
      aControlPlane(),
      settings({
        features: { dns: false, tls: false, auth: true, registry: false },
        authProvider: "authhero",
        authhero: {
          config: undefined,
          env: {
            TENANTCTL_AUTHHERO_URL: CONNECTION.url,
            TENANTCTL_AUTHHERO_CLIENT_ID: CONNECTION.clientId,
            TENANTCTL_AUTHHERO_CLIENT_SECRET: CONNECTION.clientSecret,
          },
        },
      }),
    );
    const outputs = tenantStack(acme({ auth: { provider: "auth0", roles: [auditor] } }), context);
    await resolvedValue(outputs.organizationId!);
    const resources = await recorder.settled();
    expect(resources.filter((r) => r.type.startsWith("auth0:"))).toEqual([]);
    expect(ofType(resources, ORGANIZATION)).toHaveLength(1);
    expect(await resolvedValue(context.authhero())).toEqual(CONNECTION);
  });

  it("without AuthHero credentials, says which settings to set", () => {
    const context = createDeploymentContext(aControlPlane({ auth: { provider: "authhero" } }), settings({}));
    expect(() => context.authhero()).toThrow(
      /^auth\.provider is authhero, but no AuthHero url, clientId, clientSecret is configured: set/,
    );
    expect(() => context.auth()).toThrow(
      /^auth\.provider is authhero, but no AuthHero url, clientId, clientSecret is configured: set/,
    );
  });

  it("hands the components the adapter of its provider, built once; an Auth0 deployment never asks for AuthHero credentials", () => {
    const auth0 = createDeploymentContext(aControlPlane(), settings({}));
    expect(auth0.auth()).toBeInstanceOf(Auth0Auth);
    expect(auth0.auth()).toBe(auth0.auth());
    const authhero = createDeploymentContext(
      aControlPlane(),
      settings({ authProvider: "authhero", authhero: { config: CONNECTION, env: {} } }),
    );
    expect(authhero.auth()).toBeInstanceOf(AuthHeroAuth);
    expect(authhero.auth().kind).toBe("authhero");
  });
});
