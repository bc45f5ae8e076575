import { describe, expect, it } from "vitest";
import { leaves, mergeTrees } from "../../../src/core/trees";
import { fleetWith, where } from "../../support/fleetFixture";

describe("mergeTrees", () => {
  it("merges maps key by key, lists and scalars replace, later wins", () => {
    const merged = mergeTrees(
      { a: { x: 1, y: [1, 2] }, b: "keep", c: { deep: { k: 1 } } },
      { a: { y: [3] }, c: { deep: { j: 2 } } },
    );
    expect(merged).toEqual({ a: { x: 1, y: [3] }, b: "keep", c: { deep: { k: 1, j: 2 } } });
  });

  it("lists the leaves with dotted paths", () => {
    expect(leaves({ a: { b: 1, c: [1] }, d: {} })).toEqual([
      ["a.b", 1],
      ["a.c", [1]],
      ["d", {}],
    ]);
  });
});

describe("resolution: defaults < plans.<plan> < tenant", () => {
  const fleet = fleetWith({
    "acme.yaml":
      "slug: acme\nname: Acme\nplan: enterprise\ndatabase:\n  extensions: [pg_trgm]\nsettings:\n  branding: { primaryColor: '#ff0000' }\n",
    "globex.yaml": "slug: globex\nname: Globex\ndomains:\n  subdomain: gx\n",
  });
  const acme = fleet.tenants.find((t) => t.slug === "acme")!;
  const globex = fleet.tenants.find((t) => t.slug === "globex")!;

  it("resolves without diagnostics", () => {
    expect(where(fleet)).toEqual([]);
  });

  it("takes each value from the last layer that sets it", () => {
    expect(acme.limits).toEqual({ users: 1000, dbConnections: 100 });
    expect(acme.database.isolation).toBe("database");
    expect(acme.database.extensions).toEqual(["pg_trgm"]);
    expect(acme.settings.values).toEqual({
      locale: "en-US",
      features: { sso: true },
      security: { mfa: "required", sessionTimeoutMinutes: 60 },
      branding: { primaryColor: "#ff0000" },
    });
    expect(globex.plan).toBe("basic");
    expect(globex.database.isolation).toBe("schema");
  });

  it("keeps the layer, file and path of every leaf", () => {
    expect(acme.provenance.get("limits.users")).toEqual({
      layer: "plans.enterprise",
      file: "tenants/_control-plane.yaml",
      filePath: "plans.enterprise.limits.users",
    });
    expect(acme.provenance.get("settings.features.sso")).toMatchObject({ layer: "plans.enterprise" });
    expect(acme.provenance.get("settings.locale")).toMatchObject({
      layer: "defaults",
      filePath: "defaults.settings.locale",
    });
    expect(acme.provenance.get("settings.branding.primaryColor")).toEqual({
      layer: "tenant",
      file: "tenants/acme.yaml",
      filePath: "settings.branding.primaryColor",
    });
    expect(acme.provenance.get("database.roleName")).toEqual({ layer: "derived" });
    expect(globex.provenance.get("plan")).toMatchObject({ layer: "defaults", filePath: "defaults.plan" });
  });

  it("derives names, hostnames and isolation targets", () => {
    expect(acme.database).toMatchObject({
      roleName: "tenant_acme",
      databaseName: "tenant_acme",
      schemaName: "public",
      connectionLimit: 100,
    });
    expect(globex.database).toMatchObject({
      roleName: "tenant_globex",
      databaseName: "tenants",
      schemaName: "tenant_globex",
      connectionLimit: 10,
    });
    expect(globex.domains.hostname).toBe("gx.app.example.com");
    expect(acme.domains.hostname).toBe("acme.app.example.com");
    expect(acme.settings.seedOnlyKeys).toEqual(["branding"]);
    expect(acme.status).toBe("active");
  });

  it("returns frozen values that components cannot modify", () => {
    expect(Object.isFrozen(acme)).toBe(true);
    expect(Object.isFrozen(acme.database.extensions)).toBe(true);
  });

  it("normalizes custom hostnames: lower case, no trailing dot", () => {
    const f = fleetWith({
      "acme.yaml": "slug: acme\nname: A\ndomains:\n  custom:\n    - hostname: App.Acme-Corp.COM.\n",
    });
    expect(f.tenants[0]!.domains.custom).toEqual([{ hostname: "app.acme-corp.com" }]);
  });
});

describe("locked keys", () => {
  it("refuses a tenant that sets a locked key, at the key", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\nsettings:\n  security:\n    mfa: optional\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:5 settings.security.mfa lockedKeys"]);
    expect(fleet.errors[0]!.message).toBe("`settings.security.mfa` is locked by the control-plane template");
  });

  it("refuses a tenant that replaces the map holding a locked key", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\nsettings:\n  security: relaxed\n" });
    expect(where(fleet)).toContain("tenants/acme.yaml:4:3 settings.security lockedKeys");
  });

  it("allows siblings of a locked key", () => {
    const fleet = fleetWith({
      "acme.yaml": "slug: acme\nname: Acme\nsettings:\n  security: { sessionTimeoutMinutes: 5 }\n",
    });
    expect(where(fleet)).toEqual([]);
    expect(fleet.tenants[0]!.settings.values).toMatchObject({
      security: { mfa: "required", sessionTimeoutMinutes: 5 },
    });
  });
});

describe("plans", () => {
  it("reports an unknown plan once, with a suggestion, and nothing that follows from it", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\nplan: enterprize\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:3:7 plan planExists"]);
    expect(fleet.errors[0]!.fix).toBe("did you mean `enterprise`?");
  });

  it("reports an unknown database server where it was set", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\ndatabase:\n  server: primray\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:4:11 database.server databaseServerExists"]);
    expect(fleet.errors[0]!.fix).toBe("did you mean `primary`?");
  });
});
