/**
 * The dynamic providers travel as prebuilt source text (infra/dynamic/prebuilt.ts). The engine's dynamic-provider
 * host loads that text with `require-from-string` and calls `handler()`: it must work there, alone, with nothing
 * from our modules in scope.
 */
import { REGISTRY_ROWS_PROVIDER_SOURCE } from "../../infra/registry/registryRows";
import { REGISTRY_SCHEMA_PROVIDER_SOURCE } from "../../infra/registry/registrySchema";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { GENERATED_PASSWORD_PROVIDER_SOURCE } from "../../infra/dynamic/generatedPassword";
import { TENANT_SETTINGS_PROVIDER_SOURCE } from "../../infra/dynamic/settings/provider";
import type { TenantSettingsState } from "../../infra/dynamic/settings/semantics";

const hostRequire = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js"));

/** Loads `source` in a fresh V8 context whose only way out is a `require` that records what is asked for. */
function loadIsolated(source: string): {
  provider: Record<string, (...args: unknown[]) => Promise<unknown>>;
  required: string[];
} {
  const required: string[] = [];
  const module = { exports: {} as { handler?: () => Record<string, (...args: unknown[]) => Promise<unknown>> } };
  const sandboxRequire = (id: string) => {
    required.push(id);
    return require(id);
  };
  runInNewContext(source, { exports: module.exports, module, require: sandboxRequire });
  return { provider: module.exports.handler!(), required };
}

const STATE: TenantSettingsState = {
  connection: { host: "db", port: 5432, user: "admin", password: "pw" },
  database: "tenants",
  schema: "tenant_acme",
  role: "tenant_acme",
  settings: { locale: '"en-US"', "branding.primaryColor": '"#000000"' },
  seedOnlyKeys: ["branding"],
};

describe("prebuilt dynamic provider sources", () => {
  it("load with the engine's own loader and expose the provider's methods", () => {
    const requireFromString = hostRequire("require-from-string") as (source: string) => {
      handler(): Record<string, unknown>;
    };
    expect(Object.keys(requireFromString(GENERATED_PASSWORD_PROVIDER_SOURCE).handler()).sort()).toEqual([
      "create",
      "diff",
      "read",
      "update",
    ]);
    for (const source of [REGISTRY_SCHEMA_PROVIDER_SOURCE, REGISTRY_ROWS_PROVIDER_SOURCE])
      expect(Object.keys(requireFromString(source).handler()).sort()).toEqual([
        "create",
        "delete",
        "diff",
        "read",
        "update",
      ]);
    expect(Object.keys(requireFromString(TENANT_SETTINGS_PROVIDER_SOURCE).handler()).sort()).toEqual([
      "create",
      "delete",
      "diff",
      "read",
      "update",
    ]);
  });

  it("refer to nothing outside themselves: the password provider works in an empty context", async () => {
    const { provider, required } = loadIsolated(GENERATED_PASSWORD_PROVIDER_SOURCE);
    const created = (await provider.create!({})) as { id: string; outs: { value: string } };
    expect(created.outs.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await provider.diff!("id", { value: "old" }, {})).toEqual({ changes: false });
    // The password and the resource's id.
    expect(required).toEqual(["crypto", "crypto"]);
  });

  it("refer to nothing outside themselves: the settings provider diffs in an empty context", async () => {
    const { provider, required } = loadIsolated(TENANT_SETTINGS_PROVIDER_SOURCE);
    expect(await provider.diff!("id", STATE, STATE)).toEqual({ changes: false });
    expect(await provider.diff!("id", STATE, { ...STATE, settings: { ...STATE.settings, locale: '"de-DE"' } })).toEqual(
      { changes: true },
    );
    // A tenant's own change to a seed-only key is not drift.
    expect(
      await provider.diff!("id", STATE, {
        ...STATE,
        settings: { ...STATE.settings, "branding.primaryColor": '"#ffffff"' },
      }),
    ).toEqual({ changes: false });
    expect(
      await provider.diff!("id", STATE, { ...STATE, connection: { ...STATE.connection, password: "new" } }),
    ).toEqual({ changes: true });
    expect(await provider.read!("id", undefined)).toEqual({ id: "id" });
    await provider.delete!("id", STATE);
    expect(required).toEqual([]);
  });

  it("carry no compiled import references and no secrets", () => {
    for (const source of [GENERATED_PASSWORD_PROVIDER_SOURCE, TENANT_SETTINGS_PROVIDER_SOURCE]) {
      expect(source).not.toMatch(/\b\w+_1\.|__vite_ssr|@pulumi\/pulumi/);
      expect(source.startsWith('"use strict";\nexports.handler = function () {')).toBe(true);
    }
  });
});
