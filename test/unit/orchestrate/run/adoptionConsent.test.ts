import { describe, expect, it } from "vitest";
import { consentFrom, stateNames } from "../../../../src/orchestrate/run/adoptionConsent";

const urn = (type: string, name: string) =>
  `urn:pulumi:acme::tenantctl::tenantctl:index:TenantDatabase$${type}::${name}`;

describe("stateNames", () => {
  it("reads the managed resources and a killed run's pending creates from an exported deployment", () => {
    const deployment = {
      resources: [
        { urn: urn("postgresql:index/role:Role", "acme-role") },
        { urn: urn("pulumi-nodejs:dynamic:GeneratedPassword", "acme-password") },
      ],
      pending_operations: [
        { type: "creating", resource: { urn: urn("postgresql:index/database:Database", "acme-database") } },
        { type: "updating", resource: { urn: urn("postgresql:index/role:Role", "acme-role") } },
      ],
    };
    expect(stateNames(deployment)).toEqual({ managed: ["acme-role", "acme-password"], pending: ["acme-database"] });
  });

  it("is empty for a new stack", () => {
    expect(stateNames({})).toEqual({ managed: [], pending: [] });
    expect(stateNames(undefined)).toEqual({ managed: [], pending: [] });
  });
});

describe("consentFrom", () => {
  it("consents, for adopt, to what exists, knowing what the stack already manages", () => {
    const names = { managed: ["acme-role"], pending: ["acme-database"] };
    expect(consentFrom(names, true)).toEqual({
      adopt: true,
      managed: new Set(["acme-role"]),
      pending: new Set(["acme-database"]),
    });
  });

  it("consents, after a killed run, to its pending creates alone: nothing else is adopted", () => {
    const names = { managed: ["acme-role"], pending: ["acme-database"] };
    expect(consentFrom(names, false)).toEqual({
      adopt: false,
      managed: new Set(),
      pending: new Set(["acme-database"]),
    });
  });
});
