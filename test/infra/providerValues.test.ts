import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AUTHHERO_ROLE_PROVIDER_SOURCE } from "../../infra/dynamic/authhero/provider";
import { providerValues } from "../../infra/dynamic/providerValues";
import { TENANT_SETTINGS_PROVIDER_SOURCE } from "../../infra/dynamic/settings/provider";

const { UNKNOWN, canonicalJson, containsUnknown } = providerValues();

describe("providerValues", () => {
  it("knows the engine's sentinel for a value not known yet, at any depth", () => {
    // A copy (the factory may refer to nothing outside itself): it must stay the SDK's.
    expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
    expect(containsUnknown({ connection: { host: "db", password: UNKNOWN } })).toBe(true);
    expect(containsUnknown({ scopes: ["read:data", UNKNOWN] })).toBe(true);
    expect(containsUnknown({ connection: { host: "db" }, scopes: ["read:data"], count: 0, none: null })).toBe(false);
  });

  it("gives equal values the same JSON text, whatever their key order; absent is null", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: 3 } })).toBe(
      canonicalJson({ a: { c: 3, d: [{ x: 2, y: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson("en-US")).toBe('"en-US"');
  });

  it("is written once: each provider's source holds it once", () => {
    for (const source of [TENANT_SETTINGS_PROVIDER_SOURCE, AUTHHERO_ROLE_PROVIDER_SOURCE])
      expect(source.split(pulumi.runtime.unknownValue)).toHaveLength(2);
  });
});
