import { describe, expect, it } from "vitest";
import { providerValues } from "../../infra/dynamic/providerValues";
import { settingsSemantics } from "../../infra/dynamic/settings/semantics";
import { settingsStore } from "../../infra/dynamic/settings/store";
import { desiredSettings } from "../../infra/dynamic/settings/TenantSettingsTable";
import { buildTenant } from "../support/tenantFixtures";

const values = providerValues();
const { diffSettings, flattenSettings, hasSettingsChanges, isSeedOnly, observedSettings } = settingsSemantics(values);
const { sslOptions } = settingsStore(values, settingsSemantics(values));

const json = (value: unknown) => JSON.stringify(value);

describe("flattenSettings", () => {
  it("turns the settings tree into dotted leaf keys with JSON values", () => {
    expect(
      flattenSettings({ locale: "en-US", features: { sso: true, limits: { seats: 5 } }, tags: ["a", "b"], note: null }),
    ).toEqual({
      locale: json("en-US"),
      "features.sso": "true",
      "features.limits.seats": "5",
      tags: json(["a", "b"]),
      note: "null",
    });
  });

  it("writes nothing for an empty map", () => {
    expect(flattenSettings({ features: {} })).toEqual({});
  });

  it("sorts object keys inside list values, so equal values always have one text", () => {
    expect(flattenSettings({ hooks: [{ url: "u", events: ["x"] }] })).toEqual({
      hooks: '[{"events":["x"],"url":"u"}]',
    });
  });

  it("refuses a key with a dot, naming the path and the fix", () => {
    expect(() => flattenSettings({ features: { "beta.ui": true } })).toThrow(
      /"features\.beta\.ui" contains a dot.*nest the value/,
    );
  });
});

describe("isSeedOnly", () => {
  it("covers the prefix itself and the keys under it, but not keys that merely start with the same letters", () => {
    expect(isSeedOnly("branding", ["branding"])).toBe(true);
    expect(isSeedOnly("branding.primaryColor", ["branding"])).toBe(true);
    expect(isSeedOnly("brandingColor", ["branding"])).toBe(false);
    expect(isSeedOnly("features.sso", ["branding"])).toBe(false);
    expect(isSeedOnly("features.sso", [])).toBe(false);
  });
});

describe("desiredSettings", () => {
  it("targets the tenant's schema in the shared database, or public of its own database", () => {
    expect(desiredSettings(buildTenant("globex"))).toMatchObject({
      database: "tenants",
      schema: "tenant_globex",
      role: "tenant_globex",
      seedOnlyKeys: ["branding"],
    });
    expect(desiredSettings(buildTenant("acme", { database: { isolation: "database" } }))).toMatchObject({
      database: "tenant_acme",
      schema: "public",
      role: "tenant_acme",
    });
  });
});

describe("diffSettings", () => {
  const seedOnlyKeys = ["branding"];
  const base = { locale: json("en-US"), "features.sso": "false", "branding.color": json("#000") };

  it("finds nothing when the state matches", () => {
    const diff = diffSettings({ settings: base, seedOnlyKeys }, { settings: base, seedOnlyKeys });
    expect(hasSettingsChanges(diff)).toBe(false);
  });

  it("upserts managed keys that are new or changed, and removes managed keys the spec dropped", () => {
    const diff = diffSettings(
      { settings: base, seedOnlyKeys },
      {
        settings: { locale: json("en-GB"), "branding.color": json("#000"), "security.mfa": json("required") },
        seedOnlyKeys,
      },
    );
    expect(diff).toEqual({ upsert: ["locale", "security.mfa"], seed: [], remove: ["features.sso"], release: [] });
  });

  it("ignores a changed seed-only value and never removes a seed-only key", () => {
    const changed = diffSettings(
      { settings: base, seedOnlyKeys },
      { settings: { ...base, "branding.color": json("#fff") }, seedOnlyKeys },
    );
    expect(hasSettingsChanges(changed)).toBe(false);
    const { "branding.color": _dropped, ...withoutSeed } = base;
    expect(
      hasSettingsChanges(diffSettings({ settings: base, seedOnlyKeys }, { settings: withoutSeed, seedOnlyKeys })),
    ).toBe(false);
  });

  it("seeds seed-only keys that were never written", () => {
    const diff = diffSettings(
      { settings: base, seedOnlyKeys },
      { settings: { ...base, "branding.logo": json("x.png") }, seedOnlyKeys },
    );
    expect(diff).toEqual({ upsert: [], seed: ["branding.logo"], remove: [], release: [] });
  });

  it("enforces a key that became managed even if its recorded value matches, and releases one that became seed-only", () => {
    const diff = diffSettings({ settings: base, seedOnlyKeys }, { settings: base, seedOnlyKeys: ["locale"] });
    expect(diff).toEqual({ upsert: ["branding.color"], seed: [], remove: [], release: ["locale"] });
  });

  it("treats a managed key missing from refreshed state (its row was deleted) as one to write back", () => {
    const { locale: _deleted, ...refreshed } = base;
    expect(diffSettings({ settings: refreshed, seedOnlyKeys }, { settings: base, seedOnlyKeys }).upsert).toEqual([
      "locale",
    ]);
  });
});

describe("observedSettings", () => {
  it("reports the table's values for managed keys, nothing for missing rows, and the seeded value for seed-only keys", () => {
    const state = {
      settings: { locale: json("en-US"), "features.sso": "false", "branding.color": json("#000") },
      seedOnlyKeys: ["branding"],
    };
    const rows = new Map([
      ["locale", json("fr-FR")],
      ["branding.color", json("#fff")],
    ]);
    expect(observedSettings(state, rows)).toEqual({ locale: json("fr-FR"), "branding.color": json("#000") });
  });
});

describe("sslOptions", () => {
  it("maps libpq sslmodes onto node-postgres, defaulting to an encrypted connection", () => {
    expect(sslOptions("disable")).toBe(false);
    expect(sslOptions(undefined)).toEqual({ rejectUnauthorized: false });
    expect(sslOptions("require")).toEqual({ rejectUnauthorized: false });
    expect(sslOptions("verify-full")).toEqual({ rejectUnauthorized: true });
    expect(() => sslOptions("prefer" as never)).toThrow(/use one of disable, require/);
  });
});
