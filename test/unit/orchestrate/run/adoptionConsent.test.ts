import { describe, expect, it } from "vitest";
import { consentValue, stateNames } from "../../../../src/orchestrate/run/adoptionConsent";
import { parseConsent } from "../../../../infra/adopt/adoption";

const urn = (type: string, name: string) => `urn:pulumi:acme::tenantctl::tenantctl:index:TenantDatabase$${type}::${name}`;

describe("stateNames", () => {
  it("reads the managed resources and a killed run's pending creates from an exported deployment", () => {
    const deployment = {
      resources: [{ urn: urn("postgresql:index/role:Role", "acme-role") }, { urn: urn("pulumi-nodejs:dynamic:GeneratedPassword", "acme-password") }],
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

describe("TENANTCTL_ADOPT", () => {
  it("travels from tenantctl to the program unchanged", () => {
    const names = { managed: ["acme-role"], pending: ["acme-database"] };
    expect(parseConsent(consentValue(names, true))).toEqual({ adopt: true, managed: new Set(["acme-role"]), pending: new Set(["acme-database"]) });
    // A killed run's creates alone do not consent to adopting anything else.
    expect(parseConsent(consentValue(names, false))).toEqual({ adopt: false, managed: new Set(), pending: new Set(["acme-database"]) });
  });

  it("is no consent when unset or unreadable", () => {
    const none = { adopt: false, managed: new Set(), pending: new Set() };
    expect(parseConsent(undefined)).toEqual(none);
    expect(parseConsent("{not json")).toEqual(none);
    expect(parseConsent('{"adopt": "yes", "pending": [1, "x"]}')).toEqual({ ...none, pending: new Set(["x"]) });
  });
});
