import { describe, expect, it } from "vitest";
import { resourcesOfLocation, withoutLocation } from "../../../../src/orchestrate/moves/forgetOldLocation";

const urn = (type: string, name: string) =>
  `urn:pulumi:initech::tenantctl::tenantctl:index:TenantDatabase$${type}::${name}`;
const schemaTenant = [
  {
    urn: urn("postgresql:index/role:Role", "initech-role"),
    type: "postgresql:index/role:Role",
    inputs: { name: "tenant_initech" },
  },
  {
    urn: urn("postgresql:index/schema:Schema", "initech-schema"),
    type: "postgresql:index/schema:Schema",
    inputs: { name: "tenant_initech", database: "tenants", owner: "tenant_initech" },
  },
  {
    urn: urn("postgresql:index/grant:Grant", "initech-revoke-public-schema"),
    type: "postgresql:index/grant:Grant",
    inputs: { database: "tenants", schema: "tenant_initech", role: "public" },
    dependencies: [urn("postgresql:index/schema:Schema", "initech-schema")],
  },
  {
    urn: urn("postgresql:index/grant:Grant", "initech-connect-shared-database"),
    type: "postgresql:index/grant:Grant",
    inputs: { database: "tenants", role: "tenant_initech", objectType: "database" },
  },
  {
    urn: urn("postgresql:index/extension:Extension", "initech-extension-pgcrypto"),
    type: "postgresql:index/extension:Extension",
    inputs: { name: "pgcrypto", database: "tenants" },
  },
  {
    urn: "urn:pulumi:initech::tenantctl::pulumi:providers:postgresql::default",
    type: "pulumi:providers:postgresql",
    inputs: { database: "tenants" },
  },
];
const databaseTenant = [
  {
    urn: urn("postgresql:index/role:Role", "initech-role"),
    type: "postgresql:index/role:Role",
    inputs: { name: "tenant_initech" },
  },
  {
    urn: urn("postgresql:index/database:Database", "initech-database"),
    type: "postgresql:index/database:Database",
    inputs: { name: "tenant_initech", owner: "tenant_initech" },
  },
  {
    urn: urn("postgresql:index/grant:Grant", "initech-revoke-public-database"),
    type: "postgresql:index/grant:Grant",
    inputs: { database: "tenant_initech", role: "public" },
  },
  {
    urn: urn("postgresql:index/defaultPrivileges:DefaultPrivileges", "initech-default-privileges-type"),
    type: "postgresql:index/defaultPrivileges:DefaultPrivileges",
    inputs: { database: "tenant_initech" },
  },
  {
    urn: urn("postgresql:index/extension:Extension", "initech-extension-pgcrypto"),
    type: "postgresql:index/extension:Extension",
    inputs: { name: "pgcrypto", database: "tenant_initech" },
  },
  {
    urn: urn("pulumi-nodejs:dynamic:Resource", "initech-settings"),
    type: "pulumi-nodejs:dynamic:Resource",
    inputs: { database: "tenant_initech" },
    dependencies: [urn("postgresql:index/database:Database", "initech-database")],
    propertyDependencies: { database: [urn("postgresql:index/database:Database", "initech-database")] },
  },
];

describe("forgetting the old location after a switch", () => {
  it("a schema left: the schema and the grants on it; not the role, the shared database's grants, the extensions or providers", () => {
    const { kept, forgotten } = withoutLocation(schemaTenant, {
      server: "primary",
      database: "tenants",
      schema: "tenant_initech",
    });
    expect(forgotten).toEqual(["initech-schema", "initech-revoke-public-schema"]);
    expect(kept.map((r) => r.urn.split("::").pop())).toEqual([
      "initech-role",
      "initech-connect-shared-database",
      "initech-extension-pgcrypto",
      "default",
    ]);
  });

  it("a database left: it and everything declared in it; references to them dropped from what stays", () => {
    const { kept, forgotten } = withoutLocation(databaseTenant, {
      server: "primary",
      database: "tenant_initech",
      schema: "public",
    });
    expect(forgotten).toEqual([
      "initech-database",
      "initech-revoke-public-database",
      "initech-default-privileges-type",
      "initech-extension-pgcrypto",
    ]);
    expect(kept.map((r) => r.urn.split("::").pop())).toEqual(["initech-role", "initech-settings"]);
    expect(kept[1]).toMatchObject({ dependencies: [], propertyDependencies: { database: [] } });
  });

  it("a server left: every PostgreSQL resource of the stack, the role too; providers and the settings stay", () => {
    const { forgotten } = withoutLocation(
      databaseTenant,
      { server: "primary", database: "tenant_initech", schema: "public" },
      true,
    );
    expect(forgotten).toEqual([
      "initech-role",
      "initech-database",
      "initech-revoke-public-database",
      "initech-default-privileges-type",
      "initech-extension-pgcrypto",
    ]);
  });

  it("another tenant's schema of the same shared database is not touched", () => {
    expect(
      resourcesOfLocation(schemaTenant, { server: "primary", database: "tenants", schema: "tenant_globex" }).size,
    ).toBe(0);
  });
});
