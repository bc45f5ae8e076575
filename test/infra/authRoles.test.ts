import { describe, expect, it } from "vitest";
import { placeholderControlPlaneOutputs } from "../../infra/auth/controlPlaneOutputs";
import {
  assignableRolesMetadataValue,
  organizationMetadata,
  permissionsFor,
  templateRoleIds,
  templateRoleName,
  tenantRoleName,
  undeployedResourceServers,
} from "../../infra/auth/roles";
import { AUTH0_METADATA_VALUE_MAX_LENGTH } from "../../src/core/limits";
import type { ResourceServer } from "../../src/core/model";
import { resourceServerKey } from "../../src/core/naming";

const API: ResourceServer = {
  identifier: "https://api.example.com",
  name: "Example API",
  scopes: ["read:data", "write:data"],
};
const AUDIT_API: ResourceServer = {
  identifier: "https://audit.example.com",
  name: "Audit API",
  scopes: ["read:audit"],
};

describe("role names", () => {
  it("prefixes tenant roles with the slug, so two tenants' roles of the same name stay apart", () => {
    expect(tenantRoleName("acme", "auditor")).toBe("acme:auditor");
    expect(tenantRoleName("acme", "auditor")).not.toBe(tenantRoleName("globex", "auditor"));
  });

  it("keeps template role names, and refuses one that could pass for a tenant's role", () => {
    expect(templateRoleName("admin")).toBe("admin");
    expect(() => templateRoleName("acme:admin")).toThrow(/reserved for tenant roles.*tenants\/_control-plane\.yaml/);
  });
});

describe("permissionsFor", () => {
  it("maps each permission to the resource server that defines the scope", () => {
    const role = { name: "auditor", description: "", permissions: ["read:data", "read:audit"] };
    expect(permissionsFor(role, [API, AUDIT_API])).toEqual([
      { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
      { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
    ]);
  });

  it("lists a repeated permission once", () => {
    const role = { name: "member", description: "", permissions: ["read:data", "read:data"] };
    expect(permissionsFor(role, [API])).toHaveLength(1);
  });

  it("names the scope, the known scopes and the fix when no resource server defines it", () => {
    const role = { name: "auditor", description: "", permissions: ["read:audit"] };
    expect(() => permissionsFor(role, [API])).toThrow(
      /Role "auditor" has permission "read:audit", which no resource server defines \(known scopes: read:data, write:data\).*add it/,
    );
  });

  it("refuses to guess when several resource servers define the scope", () => {
    const role = { name: "reader", description: "", permissions: ["read:data"] };
    const other = { ...API, identifier: "https://other.example.com" };
    expect(() => permissionsFor(role, [API, other])).toThrow(
      /several resource servers.*https:\/\/api\.example\.com, https:\/\/other\.example\.com/,
    );
  });

  it("gives a role without permissions none", () => {
    expect(permissionsFor({ name: "viewer", description: "", permissions: [] }, [API])).toEqual([]);
  });
});

describe("resourceServerKey", () => {
  it.each([
    ["https://api.example.com", "api.example.com"],
    ["https://api.example.com/v2/", "api.example.com-v2"],
    ["urn:example::api", "urn-example-api"],
  ])("%s → %s", (identifier, key) => {
    expect(resourceServerKey(identifier)).toBe(key);
    expect(resourceServerKey(identifier)).not.toContain("::");
  });
});

describe("organization metadata", () => {
  it("says which tenant, plan and status the organization belongs to", () => {
    expect(organizationMetadata({ slug: "acme", plan: "enterprise", status: "suspended" })).toEqual({
      slug: "acme",
      plan: "enterprise",
      status: "suspended",
    });
  });

  it("lists assignable role ids once each, comma-separated", () => {
    expect(assignableRolesMetadataValue(["rol_a", "rol_b", "rol_a"])).toBe("rol_a,rol_b");
  });

  it("refuses a list longer than Auth0 stores, naming the limit", () => {
    const ids = Array.from({ length: 13 }, (_, i) => `rol_${String(i).padStart(16, "0")}`);
    expect(ids.join(",").length).toBeGreaterThan(AUTH0_METADATA_VALUE_MAX_LENGTH);
    expect(assignableRolesMetadataValue(ids.slice(0, 12)).length).toBeLessThanOrEqual(AUTH0_METADATA_VALUE_MAX_LENGTH);
    expect(() => assignableRolesMetadataValue(ids)).toThrow(/13 assignable roles .* \(at most 12 role ids\)/);
  });
});

describe("control-plane ids", () => {
  it("returns template role ids in template order", () => {
    expect(
      templateRoleIds(
        { member: "rol_m", admin: "rol_a" },
        [{ name: "admin" }, { name: "member" }],
        "o/p/control-plane",
      ),
    ).toEqual(["rol_a", "rol_m"]);
  });

  it("says to deploy the control-plane stack first when a template role is missing", () => {
    expect(() =>
      templateRoleIds({ admin: "rol_a" }, [{ name: "admin" }, { name: "member" }], "o/p/control-plane"),
    ).toThrow(/member are not in the outputs of stack "o\/p\/control-plane": run `pulumi up -s control-plane`/);
  });

  it("finds the resource servers a tenant needs that the control plane has not deployed", () => {
    const permissions = [
      { name: "read:data", resourceServerIdentifier: "https://api.example.com" },
      { name: "read:audit", resourceServerIdentifier: "https://audit.example.com" },
    ];
    expect(undeployedResourceServers(permissions, { "https://api.example.com": "id" })).toEqual([
      "https://audit.example.com",
    ]);
  });

  it("derives stable, visibly fake outputs from the template for offline renders", () => {
    const outputs = placeholderControlPlaneOutputs({
      provider: "auth0",
      resourceServers: [API],
      roles: [{ name: "admin", description: "", permissions: [] }],
    });
    expect(outputs).toEqual({
      roleIds: { admin: "<role admin>" },
      resourceServerIds: { "https://api.example.com": "<resource server https://api.example.com>" },
    });
  });
});
