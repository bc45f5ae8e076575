import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TenantSettings } from "../../infra/components/TenantSettings";
import { buildTenant } from "../support/tenantFixtures";

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}
const registrations: Registration[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    "tenantctl",
    "test",
    false,
  );
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

const connection = { host: "127.0.0.1", port: 5432, user: "admin", password: "admin-password", sslmode: "disable" as const };

describe("TenantSettings", () => {
  it("sends the flattened settings, the seed-only prefixes and the tenant's target to one dynamic resource", async () => {
    const settings = new TenantSettings("globex-settings", { tenant: buildTenant("globex"), connection });
    await valueOf(settings.table.urn);
    const table = registrations.find((r) => r.name === "globex-settings-table");
    expect(table?.type).toBe("pulumi-nodejs:dynamic:TenantSettingsTable");
    expect(table?.inputs).toMatchObject({
      database: "tenants",
      schema: "tenant_globex",
      role: "tenant_globex",
      seedOnlyKeys: ["branding"],
      settings: {
        locale: '"en-US"',
        "features.sso": "false",
        "features.auditLog": "false",
        "security.mfa": '"required"',
        "security.sessionTimeoutMinutes": "60",
        "branding.primaryColor": '"#1f6feb"',
      },
    });
    expect(await valueOf(settings.keys)).toEqual([
      "branding.primaryColor",
      "features.auditLog",
      "features.sso",
      "locale",
      "security.mfa",
      "security.sessionTimeoutMinutes",
    ]);
    expect(await valueOf(settings.table.urn)).toContain("tenantctl:index:TenantSettings$pulumi-nodejs:dynamic:TenantSettingsTable::");
  });

  it("keeps the admin connection secret, as a whole, even when it was handed over in clear", async () => {
    const settings = new TenantSettings("acme-settings", { tenant: buildTenant("acme", { database: { isolation: "database" } }), connection });
    await valueOf(settings.table.urn);
    const table = registrations.find((r) => r.name === "acme-settings-table");
    expect(pulumi.runtime.isRpcSecret(table?.inputs["connection"])).toBe(true);
    expect(table?.inputs).toMatchObject({ database: "tenant_acme", schema: "public" });
  });

  it("rejects a dotted setting key with the tenant's file and the fix", async () => {
    const tenant = buildTenant("bad", { settings: { values: { "features.sso": true }, seedOnlyKeys: [] } });
    expect(() => new TenantSettings("bad-settings", { tenant, connection })).toThrow(
      /tenants\/bad\.yaml: Setting key "features\.sso" contains a dot/,
    );
  });
});
