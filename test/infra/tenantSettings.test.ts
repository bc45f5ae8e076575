import { describe, expect, it } from "vitest";
import { TenantSettings } from "../../infra/components/TenantSettings";
import { isSecretValue, recordResources, resolvedValue, type RecordedResource } from "../support/pulumiMocks";
import { buildTenant } from "../support/tenantFixtures";

/** Declares `settings` under fresh mocks and returns what was registered for its table. */
async function tableOf(settings: () => TenantSettings): Promise<{ settings: TenantSettings; table: RecordedResource }> {
  const recorder = await recordResources();
  const component = settings();
  const resources = await recorder.settled();
  const tables = resources.filter((r) => r.type === "pulumi-nodejs:dynamic:TenantSettingsTable");
  expect(tables).toHaveLength(1);
  return { settings: component, table: tables[0]! };
}

const connection = {
  host: "127.0.0.1",
  port: 5432,
  user: "admin",
  password: "admin-password",
  sslmode: "disable" as const,
};

describe("TenantSettings", () => {
  it("sends the flattened settings, the seed-only prefixes and the tenant's target to one dynamic resource", async () => {
    const { settings, table } = await tableOf(
      () => new TenantSettings("globex-settings", { tenant: buildTenant("globex"), connection }),
    );
    expect(table).toMatchObject({ name: "globex-settings-table", parentType: "tenantctl:index:TenantSettings" });
    expect(table.inputs).toMatchObject({
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
    expect(await resolvedValue(settings.keys)).toEqual([
      "branding.primaryColor",
      "features.auditLog",
      "features.sso",
      "locale",
      "security.mfa",
      "security.sessionTimeoutMinutes",
    ]);
  });

  it("keeps the admin connection secret, as a whole, even when it was handed over in clear", async () => {
    const tenant = buildTenant("acme", { database: { isolation: "database" } });
    const { table } = await tableOf(() => new TenantSettings("acme-settings", { tenant, connection }));
    expect(isSecretValue(table.inputs["connection"])).toBe(true);
    expect(table.inputs).toMatchObject({ database: "tenant_acme", schema: "public" });
  });

  it("rejects a dotted setting key with the tenant's file and the fix", async () => {
    const recorder = await recordResources();
    const tenant = buildTenant("bad", { settings: { values: { "features.sso": true }, seedOnlyKeys: [] } });
    expect(() => new TenantSettings("bad-settings", { tenant, connection })).toThrow(
      /tenants\/bad\.yaml: Setting key "features\.sso" contains a dot/,
    );
    // Nothing was written: the component refused before declaring its table.
    expect((await recorder.settled()).map((r) => r.type)).toEqual(["tenantctl:index:TenantSettings"]);
  });
});
