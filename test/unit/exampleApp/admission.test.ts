import { describe, expect, it } from "vitest";
import { admissionOf, unknownHost } from "../../../examples/app/src/admission";
import { authorize } from "../../../examples/app/src/claims";
import { hostnameOf } from "../../../examples/app/src/hostname";

describe("hostnameOf", () => {
  it.each([
    ["acme.app.example.com", "acme.app.example.com"],
    ["Acme.App.Example.COM:8080", "acme.app.example.com"],
    ["app.acme-corp.com.", "app.acme-corp.com"],
    ["app.acme-corp.com.:443", "app.acme-corp.com"],
    ["[::1]:3000", "[::1]"],
  ])("%s is %s in the registry", (header, hostname) => {
    expect(hostnameOf(header)).toBe(hostname);
  });

  it("no Host, or an empty one, names no host", () => {
    expect(hostnameOf(undefined)).toBeUndefined();
    expect(hostnameOf("")).toBeUndefined();
    expect(hostnameOf(":80")).toBeUndefined();
  });
});

describe("admissionOf", () => {
  it("serves an active tenant, refuses a suspended one (403) and a decommissioned one (410), each naming why", () => {
    expect(admissionOf({ slug: "acme", status: "active" })).toBeUndefined();
    expect(admissionOf({ slug: "acme", status: "suspended" })).toEqual({
      statusCode: 403,
      error: "tenant_suspended",
      message: 'Tenant "acme" is suspended.',
    });
    expect(admissionOf({ slug: "acme", status: "decommissioned" })).toMatchObject({
      statusCode: 410,
      error: "tenant_decommissioned",
    });
  });

  it("refuses a status it does not know rather than serving it", () => {
    expect(admissionOf({ slug: "acme", status: "archived" })).toMatchObject({
      statusCode: 403,
      error: "tenant_unavailable",
    });
  });

  it("an unknown host is a 404 naming the host", () => {
    expect(unknownHost("nobody.example.com")).toMatchObject({ statusCode: 404, error: "unknown_host" });
    expect(unknownHost("nobody.example.com").message).toContain("nobody.example.com");
  });
});

describe("authorize (the token's claims against the tenant)", () => {
  const acme = { slug: "acme", organizationId: "org_acme" };

  it("lets through a token of the tenant's organization that carries the permission", () => {
    expect(
      authorize({ org_id: "org_acme", permissions: ["read:data", "write:data"] }, acme, "read:data"),
    ).toBeUndefined();
  });

  it("refuses a token of another organization even when it carries the permission", () => {
    expect(authorize({ org_id: "org_globex", permissions: ["read:data"] }, acme, "read:data")).toMatchObject({
      statusCode: 403,
      error: "wrong_organization",
    });
  });

  it("refuses a token without an organization, and any token for a tenant the registry gives no organization", () => {
    expect(authorize({ permissions: ["read:data"] }, acme, "read:data")).toMatchObject({ error: "wrong_organization" });
    expect(
      authorize({ permissions: ["read:data"] }, { slug: "acme", organizationId: null }, "read:data"),
    ).toMatchObject({
      error: "wrong_organization",
    });
  });

  it("refuses a token of the right organization whose roles lack the permission", () => {
    expect(authorize({ org_id: "org_acme", permissions: ["read:data"] }, acme, "manage:users")).toMatchObject({
      statusCode: 403,
      error: "missing_permission",
    });
    expect(authorize({ org_id: "org_acme" }, acme, "read:data")).toMatchObject({ error: "missing_permission" });
  });
});
