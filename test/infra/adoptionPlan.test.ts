/** What a stack imports and what it refuses, from what the catalogs hold: pure, no server. */
import { describe, expect, it } from "vitest";
import {
  type AdoptionConsent,
  adoptionPlan,
  type ExistingTenantObjects,
  NO_CONSENT,
  sharedDatabaseImport,
} from "../../infra/adopt/adoptionPlan";
import { buildTenant } from "../support/tenantFixtures";

const ADOPT: AdoptionConsent = { adopt: true, managed: new Set(), pending: new Set() };
const schemaTenant = buildTenant("globex");
const databaseTenant = buildTenant("acme", {
  database: { isolation: "database", extensions: ["pgcrypto", "pg_trgm"] },
});

const role = (name: string, extra: Partial<NonNullable<ExistingTenantObjects["role"]>> = {}) => ({
  name,
  canLogin: true,
  powers: [],
  ...extra,
});
const nothing: ExistingTenantObjects = { extensions: [], settingsTable: false };

describe("adoptionPlan", () => {
  it("imports nothing when nothing exists, whatever the consent", () => {
    expect(adoptionPlan(schemaTenant, nothing, ADOPT)).toEqual({ imports: { extensions: {} }, refusals: [] });
  });

  it("takes back a retained tenant without being asked: its settings table, in a container its role owns, is tenantctl's mark", () => {
    const retained: ExistingTenantObjects = {
      role: role("tenant_acme", { canLogin: false }),
      ownDatabase: { name: "tenant_acme", owner: "tenant_acme" },
      extensions: ["plpgsql", "pg_trgm"],
      settingsTable: true,
    };
    // A decommissioned tenant's role had no LOGIN; coming back active, the stack gives it back, as with any drift.
    expect(adoptionPlan(databaseTenant, retained, NO_CONSENT)).toEqual({
      imports: { role: "tenant_acme", database: "tenant_acme", extensions: { pg_trgm: "tenant_acme.pg_trgm" } },
      refusals: [],
    });
  });

  it("does not count a settings table in a container someone else owns as the mark", () => {
    const copied: ExistingTenantObjects = {
      role: role("tenant_globex"),
      sharedSchema: { name: "tenant_globex", owner: "postgres" },
      extensions: [],
      settingsTable: true,
    };
    expect(adoptionPlan(schemaTenant, copied, NO_CONSENT).imports).toEqual({ extensions: {} });
  });

  it("leaves unmarked objects alone without adopt: their create fails and names adopt", () => {
    const fromBefore: ExistingTenantObjects = {
      role: role("tenant_globex"),
      sharedSchema: { name: "tenant_globex", owner: "tenant_globex" },
      extensions: [],
      settingsTable: false,
    };
    expect(adoptionPlan(schemaTenant, fromBefore, NO_CONSENT)).toEqual({ imports: { extensions: {} }, refusals: [] });
    expect(adoptionPlan(schemaTenant, fromBefore, ADOPT)).toEqual({
      imports: { role: "tenant_globex", schema: "tenants.tenant_globex", extensions: {} },
      refusals: [],
    });
  });

  it("imports a killed run's pending creates, and only those", () => {
    const halfMade: ExistingTenantObjects = {
      role: role("tenant_globex"),
      sharedSchema: { name: "tenant_globex", owner: "tenant_globex" },
      extensions: [],
      settingsTable: false,
    };
    const pending: AdoptionConsent = { adopt: false, managed: new Set(), pending: new Set(["globex-role"]) };
    expect(adoptionPlan(schemaTenant, halfMade, pending).imports).toEqual({ role: "tenant_globex", extensions: {} });
  });

  it("refuses, on adopt, another owner, naming the statement that would make it the tenant's", () => {
    const foreign: ExistingTenantObjects = {
      role: role("tenant_acme"),
      ownDatabase: { name: "tenant_acme", owner: "someone_else" },
      extensions: [],
      settingsTable: false,
    };
    const plan = adoptionPlan(databaseTenant, foreign, ADOPT);
    expect(plan.imports.database).toBeUndefined();
    expect(plan.refusals).toEqual([
      'stack acme: database "tenant_acme" is owned by "someone_else", not by the tenant\'s role "tenant_acme": if it holds this tenant\'s data, `ALTER DATABASE "tenant_acme" OWNER TO "tenant_acme"` and adopt again; tenantctl never changes an owner it did not set.',
    ]);
  });

  it("refuses the other isolation: a schema where the plan says database, and a database where it says schema", () => {
    const asSchema: ExistingTenantObjects = {
      role: role("tenant_acme"),
      sharedSchema: { name: "tenant_acme", owner: "tenant_acme" },
      extensions: [],
      settingsTable: false,
    };
    expect(adoptionPlan(databaseTenant, asSchema, ADOPT).refusals).toEqual([
      expect.stringContaining(
        'schema "tenants.tenant_acme" exists where the plan says isolation: database: set `database.isolation: schema` in tenants/acme.yaml',
      ),
    ]);
    const asDatabase: ExistingTenantObjects = {
      role: role("tenant_globex"),
      ownDatabase: { name: "tenant_globex", owner: "tenant_globex" },
      extensions: [],
      settingsTable: false,
    };
    expect(adoptionPlan(schemaTenant, asDatabase, ADOPT).refusals).toEqual([
      expect.stringContaining('database "tenant_globex" exists where the plan says isolation: schema'),
    ]);
  });

  it("refuses a role without LOGIN for an active tenant, and one with powers a tenant role never has", () => {
    const noLogin: ExistingTenantObjects = {
      role: role("tenant_globex", { canLogin: false }),
      extensions: [],
      settingsTable: false,
    };
    expect(adoptionPlan(schemaTenant, noLogin, ADOPT)).toMatchObject({
      imports: { extensions: {} },
      refusals: [expect.stringContaining('role "tenant_globex" exists without LOGIN')],
    });
    // A suspended tenant's role may not log in anyway.
    expect(adoptionPlan(buildTenant("globex", { status: "suspended" }), noLogin, ADOPT)).toMatchObject({
      imports: { role: "tenant_globex" },
      refusals: [],
    });
    const superuser: ExistingTenantObjects = {
      role: role("tenant_globex", { powers: ["SUPERUSER", "CREATEDB"] }),
      extensions: [],
      settingsTable: false,
    };
    expect(adoptionPlan(schemaTenant, superuser, ADOPT).refusals).toEqual([
      expect.stringContaining(
        'role "tenant_globex" has SUPERUSER, CREATEDB, which a tenant\'s role never has: revoke it (ALTER ROLE "tenant_globex" NOSUPERUSER)',
      ),
    ]);
  });

  it("treats a difference in what the stack already manages as drift, not as a refusal", () => {
    const drifted: ExistingTenantObjects = {
      role: role("tenant_acme"),
      ownDatabase: { name: "tenant_acme", owner: "someone_else" },
      extensions: [],
      settingsTable: false,
    };
    const managed: AdoptionConsent = {
      adopt: true,
      managed: new Set(["acme-role", "acme-database"]),
      pending: new Set(),
    };
    expect(adoptionPlan(databaseTenant, drifted, managed)).toEqual({ imports: { extensions: {} }, refusals: [] });
  });
});

describe("sharedDatabaseImport", () => {
  it("imports the control plane's shared database when tenants' schemas live in it, or on adopt", () => {
    expect(sharedDatabaseImport(false, false, "tenants", "shared-primary", ADOPT)).toBeUndefined();
    expect(sharedDatabaseImport(true, true, "tenants", "shared-primary", NO_CONSENT)).toBe("tenants");
    expect(sharedDatabaseImport(true, false, "tenants", "shared-primary", NO_CONSENT)).toBeUndefined();
    expect(sharedDatabaseImport(true, false, "tenants", "shared-primary", ADOPT)).toBe("tenants");
  });
});
