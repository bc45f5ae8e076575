import { describe, expect, it } from "vitest";
import { driftedProperties } from "../../../../src/orchestrate/run/driftedProperties";

const state = (inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs) => ({
  type: "",
  urn: "",
  custom: true,
  delete: false,
  id: "",
  parent: "",
  protect: false,
  inputs,
  outputs,
  initErrors: [],
  provider: "",
});

describe("driftedProperties", () => {
  it("names a leaf under a key that holds dots (a registry row's hostname), with both values", () => {
    const rows = (isPrimary: boolean, plan: string) => ({
      row: { plan },
      domains: { "acme.app.example.com": { is_primary: true }, "app.acme-corp.com": { is_primary: isPrimary } },
    });
    const changes = driftedProperties({
      type: "pulumi-nodejs:dynamic:RegistryRows",
      old: state(rows(true, "basic")),
      new: state(rows(false, "enterprise")),
    });
    expect(changes).toEqual([
      { path: "domains.app.acme-corp.com.is_primary", expected: false, actual: true },
      { path: "row.plan", expected: "enterprise", actual: "basic" },
    ]);
  });

  it("takes the paths of a provider's detailed diff: what the files say, then what the real world holds", () => {
    const changes = driftedProperties({
      type: "postgresql:index/role:Role",
      old: state({ name: "tenant_acme", connectionLimit: 999, password: "[secret]" }),
      new: state({ name: "tenant_acme", connectionLimit: 10, password: "[secret]" }),
      detailedDiff: { connectionLimit: { diffKind: "update" as never, inputDiff: false } },
      diffs: ["connectionLimit"],
    });
    expect(changes).toEqual([{ path: "connectionLimit", expected: 10, actual: 999 }]);
  });

  it("names each settings key of the settings table, with the values decoded, and keeps secrets secret", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" };
    const settings = (locale: string) => ({
      locale: JSON.stringify(locale),
      "branding.primaryColor": '"#1f6feb"',
      "features.sso": "true",
    });
    const changes = driftedProperties({
      type: "pulumi-nodejs:dynamic:TenantSettingsTable",
      old: state(
        { __provider: "old code", connection: secret, settings: settings("fr-FR") },
        { connection: secret, settings: { ...settings("fr-FR"), "features.sso": "false" } },
      ),
      new: state({ __provider: "new code", connection: { ...secret, ciphertext: "y" }, settings: settings("en-GB") }),
      diffs: [],
    });
    expect(changes).toEqual([
      { path: "settings.features.sso", expected: true, actual: false },
      { path: "settings.locale", expected: "en-GB", actual: "fr-FR" },
    ]);
  });

  it("says nothing when nothing but computed outputs differ", () => {
    expect(
      driftedProperties({ type: "x", old: state({ a: 1 }, { a: 1, id: "computed" }), new: state({ a: 1 }), diffs: [] }),
    ).toEqual([]);
  });
});
