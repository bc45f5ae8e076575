import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleet, loadFleetFrom } from "../../../src/core/load";
import { domainRowsOf, tenantRowOf } from "../../../src/core/registry";
import { rotationFrom } from "../../../infra/context/rotation";

const root = join(__dirname, "..", "..", "..");
const fleet = loadFleet({ dir: "tenants", cwd: root });
const acme = fleet.tenants.find((tenant) => tenant.slug === "acme")!;

describe("the registry's rows of a tenant", () => {
  it("says where the data is, as this deployment reaches the server", () => {
    expect(tenantRowOf(acme, { host: "127.0.0.1", port: 6543 }, null)).toEqual({
      slug: "acme",
      name: "Acme Corporation",
      plan: "enterprise",
      status: "active",
      limits: { users: 10000, dbConnections: 100 },
      server: "primary",
      host: "127.0.0.1",
      port: 6543,
      database: "tenant_acme",
      schema: "public",
      role: "tenant_acme",
      organization_id: null,
    });
  });

  it("lists the platform hostname as primary, then custom domains with TLS as reported, pending or none", () => {
    const records = [{ type: "CNAME", name: "app.acme-corp.com", value: "acme.app.example.com", purpose: "routing" }];
    const rows = domainRowsOf(acme, {
      deployed: true,
      domains: [{ hostname: "app.acme-corp.com", status: "active", records }],
    });
    expect(rows.map((row) => [row.hostname, row.kind, row.is_primary, row.tls_status])).toEqual([
      ["acme.app.example.com", "platform", true, "none"],
      ["app.acme-corp.com", "custom", false, "active"],
      ["portal.acme-corp.com", "custom", false, "pending"],
    ]);
    expect(rows[1]!.customer_records).toEqual(records);
    expect(domainRowsOf(acme, { deployed: false, domains: [] }).map((row) => row.tls_status)).toEqual([
      "none",
      "none",
      "none",
    ]);
  });
});

describe("the template's registry key", () => {
  const templateText = readFileSync(join(root, "tenants", "_control-plane.yaml"), "utf8");
  const withRegistry = (registry: string) =>
    loadFleetFrom(
      {
        names: ["_control-plane.yaml"],
        read: () => new TextEncoder().encode(`${templateText}${registry}`),
      },
      { dir: "tenants", cwd: root },
    );

  it("defaults to database tenantctl on the default server", () => {
    expect(fleet.controlPlane!.registry).toEqual({ server: "primary", database: "tenantctl", schema: "tenantctl" });
    expect(withRegistry("registry: { database: platform }\n").controlPlane!.registry.database).toBe("platform");
  });

  it("refuses a server the template does not define, and a database tenants use, at the key", () => {
    const unknown = withRegistry("registry: { server: primry }\n").errors;
    expect(unknown.map((d) => [d.path, d.message])).toEqual([
      ["registry.server", "the registry's database server `primry` is not defined under `database.servers`"],
    ]);
    expect(unknown[0]!.fix).toContain("primary");
    const shared = withRegistry("registry: { database: tenants }\n").errors;
    expect(shared.map((d) => [d.path, d.message])).toEqual([
      ["registry.database", "the registry's database `tenants` is server `primary`'s shared tenants database"],
    ]);
  });
});

describe("TENANTCTL_ROTATE", () => {
  it("reads a rotation request, and refuses one it cannot carry out, naming the variable", () => {
    expect(rotationFrom(undefined)).toBeUndefined();
    expect(rotationFrom('{"token": "t", "tenantRoles": true, "runtime": "stage"}')).toEqual({
      token: "t",
      tenantRoles: true,
      runtime: "stage",
    });
    expect(() => rotationFrom("{")).toThrow(/TENANTCTL_ROTATE is not valid JSON/);
    expect(() => rotationFrom('{"token": "t", "runtime": "later"}')).toThrow(/TENANTCTL_ROTATE must be/);
  });
});
