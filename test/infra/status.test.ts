import { describe, expect, it } from "vitest";
import { componentsFor } from "../../infra/status";
import type { TenantStatus } from "../../src/core/model";

describe("componentsFor", () => {
  it.each([
    ["active", { dns: true, tls: true, auth: true, databaseLogin: true, runtimeAccess: true }],
    ["suspended", { dns: true, tls: true, auth: true, databaseLogin: false, runtimeAccess: false }],
    ["decommissioned", { dns: false, tls: false, auth: true, databaseLogin: false, runtimeAccess: false }],
  ] as const)("%s", (status, expected) => {
    expect(componentsFor(status)).toEqual(expected);
  });

  it("keeps auth for every status, so audit trails survive the tenant", () => {
    for (const status of ["active", "suspended", "decommissioned"] as const) {
      expect(componentsFor(status).auth).toBe(true);
    }
  });

  it("names the valid statuses when given one the model does not know", () => {
    expect(() => componentsFor("paused" as TenantStatus)).toThrow(/"paused".*active, suspended, decommissioned/);
  });
});
