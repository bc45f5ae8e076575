/** `tenantctl adopt` with Auth0 (under Pulumi mocks: Auth0 is out of reach here): found by name, imported, not duplicated. */
import { describe, expect, it } from "vitest";
import { Auth0Auth } from "../../infra/auth";
import { auth0Adoption } from "../../infra/auth/auth0Adoption";
import { TenantAuth } from "../../infra/components/TenantAuth";
import { CONTROL_PLANE_STACK_OUTPUTS, MOCK_CONTROL_PLANE_STACK, aTenant } from "../support/domainFixtures";
import { ofType, recordResources, resolvedValue } from "../support/pulumiMocks";

const auditor = { name: "auditor", description: "Reads audit logs", permissions: ["read:data"] };
const analyst = { name: "analyst", description: "Reads reports", permissions: ["read:data"] };
const acme = aTenant("acme", { auth: { roles: [auditor, analyst] } });
const ADOPT = { adopt: true, managed: new Set<string>(), pending: new Set<string>() };

/**
 * An Auth0 tenant that has acme's organization and its auditor role, and nothing else. (The provider answers a name it
 * does not know with a 404 error; under mocks an invoke's error loses its words, so "nothing" is an answer without id.)
 */
const auth0Holding =
  (entities: Record<string, string>) => (call: { token: string; inputs: Record<string, unknown> }) => {
    const name = String(call.inputs["name"]);
    return entities[`${call.token}:${name}`] ? { id: entities[`${call.token}:${name}`], name } : { name };
  };
const EXISTING = {
  "auth0:index/getOrganization:getOrganization:acme": "org_from_before",
  "auth0:index/getRole:getRole:acme:auditor": "rol_from_before",
};

describe("auth0Adoption", () => {
  it("imports the organization and the roles Auth0 has under the stack's names, and creates the rest", async () => {
    const recorder = await recordResources({
      call: auth0Holding(EXISTING),
      stackOutputs: { [MOCK_CONTROL_PLANE_STACK]: CONTROL_PLANE_STACK_OUTPUTS },
    });
    const imports = await auth0Adoption(acme, ADOPT);
    expect(imports).toEqual({ organization: "org_from_before", roles: { auditor: "rol_from_before" } });

    const auth = new TenantAuth("acme", {
      tenant: acme,
      auth: new Auth0Auth(),
      controlPlaneStack: MOCK_CONTROL_PLANE_STACK,
      imports,
    });
    expect(await resolvedValue(auth.organizationId)).toBe("org_from_before");
    const resources = await recorder.settled();
    expect(ofType(resources, "auth0:index/organization:Organization").map((r) => [r.name, r.read, r.id])).toEqual([
      ["acme-organization", true, "org_from_before"],
    ]);
    const roles = ofType(resources, "auth0:index/role:Role").map((r) => [r.name, r.read]);
    expect(roles).toEqual([
      ["acme-role-auditor", true],
      ["acme-role-analyst", false],
    ]);
    // Lookups skip what Auth0 would page through for nothing.
    expect(recorder.calls.find((c) => c.token === "auth0:index/getOrganization:getOrganization")?.inputs).toMatchObject(
      { name: "acme", skipMembers: true },
    );
  });

  it("looks nothing up unless the run is an adopt, and never for what the stack already manages", async () => {
    const recorder = await recordResources({ call: auth0Holding(EXISTING) });
    expect(await auth0Adoption(acme, { ...ADOPT, adopt: false })).toEqual({ roles: {} });
    expect(
      await auth0Adoption(acme, {
        ...ADOPT,
        managed: new Set(["acme-organization", "acme-role-auditor", "acme-role-analyst"]),
      }),
    ).toEqual({ roles: {} });
    expect(recorder.calls).toEqual([]);
  });

  it("stops when Auth0 cannot be asked, rather than create a second organization", async () => {
    const recorder = await recordResources({
      // As the engine's gRPC answer carries a provider's failure: its words in `details`.
      call: () => {
        throw Object.assign(new Error("401 Unauthorized: invalid client credentials"), {
          details: "401 Unauthorized: invalid client credentials",
        });
      },
    });
    await expect(auth0Adoption(acme, ADOPT)).rejects.toThrow(/^401 Unauthorized: invalid client credentials$/);
    // The first lookup failed, so no role was looked up after it.
    expect(recorder.calls.map((c) => c.token)).toEqual(["auth0:index/getOrganization:getOrganization"]);
  });
});
