import { describe, expect, it } from "vitest";
import { postgresUrl, tenantDatabaseLayout } from "../../infra/components/TenantDatabase";
import { buildTenant } from "../support/tenantFixtures";

describe("tenantDatabaseLayout", () => {
  it("gives isolation: database its own database, with data in public", () => {
    expect(tenantDatabaseLayout(buildTenant("acme", { database: { isolation: "database" } }))).toEqual({
      ownDatabase: true,
      database: "tenant_acme",
      schema: "public",
      login: true,
    });
  });

  it("gives isolation: schema a schema in the shared database, first on the role's search path", () => {
    expect(tenantDatabaseLayout(buildTenant("globex"))).toEqual({
      ownDatabase: false,
      database: "tenants",
      schema: "tenant_globex",
      login: true,
      searchPath: ["tenant_globex", "public"],
    });
  });

  it("lets only active tenants log in", () => {
    expect(tenantDatabaseLayout(buildTenant("a", { status: "suspended" })).login).toBe(false);
    expect(tenantDatabaseLayout(buildTenant("a", { status: "decommissioned" })).login).toBe(false);
  });

  it("names the allowed values for an unknown isolation", () => {
    expect(() => tenantDatabaseLayout(buildTenant("a", { database: { isolation: "cluster" as never } }))).toThrow(
      /use "database" or "schema"/,
    );
  });
});

describe("postgresUrl", () => {
  it("percent-encodes user, password and database", () => {
    expect(
      postgresUrl({ user: "tenant_a", password: "p@ss/word:1", host: "db", port: 5432, database: "tenants" }),
    ).toBe("postgresql://tenant_a:p%40ss%2Fword%3A1@db:5432/tenants");
  });
});
