/** preview and up read a seed-only edit off the settings table's engine step, as `plan --base` does off two renders. */
import { describe, expect, it } from "vitest";
import { notAppliedSettings } from "../../../../src/orchestrate/run/notAppliedSettings";

const URN = "urn:pulumi:acme::tenantctl::tenantctl:index:TenantSettings$pulumi-nodejs:dynamic:TenantSettingsTable::t";
const TYPE = "pulumi-nodejs:dynamic:TenantSettingsTable";

function step(op: string, before: string, after: string, type = TYPE) {
  const inputs = (color: string) => ({
    seedOnlyKeys: ["branding"],
    settings: { "branding.primaryColor": color, locale: '"en-GB"' },
  });
  return {
    type,
    op,
    urn: URN,
    old: { type, urn: URN, inputs: inputs(before), outputs: {} },
    new: { type, urn: URN, inputs: inputs(after), outputs: {} },
  } as unknown as Parameters<typeof notAppliedSettings>[1];
}

describe("notAppliedSettings", () => {
  it("reports a seed-only edit on preview and up, whether the step is same or an update of managed keys", () => {
    for (const operation of ["preview", "up"] as const)
      for (const op of ["same", "update"])
        expect(notAppliedSettings(operation, step(op, '"#d73a49"', '"#00ff00"'))).toEqual([
          { path: "settings.branding.primaryColor", old: '"#d73a49"', new: '"#00ff00"', reason: "seed-only", urn: URN },
        ]);
  });

  it("says nothing on drift (a tenant's own seed-only value is not drift), for other resources, or without an edit", () => {
    expect(notAppliedSettings("drift", step("same", '"#d73a49"', '"#00ff00"'))).toEqual([]);
    expect(notAppliedSettings("preview", step("same", '"#d73a49"', '"#00ff00"', "postgresql:index/role:Role"))).toEqual(
      [],
    );
    expect(notAppliedSettings("preview", step("create", '"#d73a49"', '"#00ff00"'))).toEqual([]);
    expect(notAppliedSettings("up", step("same", '"#d73a49"', '"#d73a49"'))).toEqual([]);
  });
});
