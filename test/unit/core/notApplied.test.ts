/** Which edits of a settings table `plan --base` reports as not applied: exactly the ones the provider's diff ignores. */
import { describe, expect, it } from "vitest";
import { seedOnlyEdits, splitNotApplied } from "../../../src/core/compare/notApplied";
import { diffStack, type PlannedResource } from "../../../src/core/compare/plannedStack";

const URN = "urn:pulumi:acme::tenantctl::tenantctl:index:TenantSettings$pulumi-nodejs:dynamic:TenantSettingsTable::t";

function table(settings: Record<string, string>, seedOnlyKeys: string[] = ["branding"]): PlannedResource {
  return {
    type: "pulumi-nodejs:dynamic:TenantSettingsTable",
    name: "t",
    urn: URN,
    component: false,
    read: false,
    inputs: { database: "tenants", seedOnlyKeys, settings },
  };
}

function split(base: PlannedResource, now: PlannedResource) {
  return splitNotApplied(diffStack([base], [now]), [base], [now]);
}

describe("splitNotApplied", () => {
  it("takes a seed-only value edit of an existing table out of the diff: the stack is unchanged", () => {
    const result = split(
      table({ "branding.primaryColor": '"#d73a49"', locale: '"en-GB"' }),
      table({ "branding.primaryColor": '"#00ff00"', locale: '"en-GB"' }),
    );
    expect(result.changes).toEqual({ status: "unchanged", added: [], changed: [], removed: [] });
    expect(result.notApplied).toEqual([
      {
        path: "settings.branding.primaryColor",
        old: '"#d73a49"',
        new: '"#00ff00"',
        reason: "seed-only",
        urn: URN,
      },
    ]);
  });

  it("keeps a managed edit as a change, next to a seed-only one on the same resource", () => {
    const result = split(
      table({ "branding.primaryColor": '"#d73a49"', locale: '"en-GB"' }),
      table({ "branding.primaryColor": '"#00ff00"', locale: '"de-DE"' }),
    );
    expect(result.changes.status).toBe("changed");
    expect(result.changes.changed).toEqual([
      {
        type: "pulumi-nodejs:dynamic:TenantSettingsTable",
        name: "t",
        urn: URN,
        inputs: [{ path: "settings.locale", old: '"en-GB"', new: '"de-DE"' }],
      },
    ]);
    expect(result.notApplied.map((change) => change.path)).toEqual(["settings.branding.primaryColor"]);
  });

  it("says a seed-only key removed from the files is not applied either: its row stays the tenant's", () => {
    const result = split(table({ "branding.primaryColor": '"#d73a49"' }), table({}));
    expect(result.changes.status).toBe("unchanged");
    expect(result.notApplied).toEqual([
      { path: "settings.branding.primaryColor", old: '"#d73a49"', reason: "seed-only", urn: URN },
    ]);
  });

  it("leaves in the diff what the provider does write: a seed-only key new since the base (seeded), a key made seed-only now (released)", () => {
    const seeded = split(table({}), table({ "branding.logo": '"logo.svg"' }));
    expect(seeded.notApplied).toEqual([]);
    expect(seeded.changes.changed[0]!.inputs).toEqual([{ path: "settings.branding.logo", new: '"logo.svg"' }]);

    const released = split(table({ locale: '"en-GB"' }, []), table({ locale: '"de-DE"' }, ["locale"]));
    expect(released.notApplied).toEqual([]);
    expect(released.changes.changed[0]!.inputs.map((change) => change.path)).toEqual([
      "seedOnlyKeys",
      "settings.locale",
    ]);
  });

  it("leaves a new stack alone (every value is created) and resources without seed-only keys", () => {
    const now = table({ "branding.primaryColor": '"#00ff00"' });
    const added = diffStack(undefined, [now]);
    expect(splitNotApplied(added, [], [now])).toEqual({ changes: added, notApplied: [] });

    const other = (value: string): PlannedResource => ({ ...table({}), inputs: { settings: { branding: value } } });
    const plain = splitNotApplied(diffStack([other("a")], [other("b")]), [other("a")], [other("b")]);
    expect(plain.notApplied).toEqual([]);
    expect(plain.changes.status).toBe("changed");
  });
});

describe("seedOnlyEdits: the same rule for a step's last and new inputs", () => {
  it("names a seed-only value the files changed, and nothing else", () => {
    const old = table({ "branding.primaryColor": '"#d73a49"', locale: '"en-GB"' }).inputs;
    const now = table({ "branding.primaryColor": '"#00ff00"', locale: '"de-DE"' }).inputs;
    expect(seedOnlyEdits(URN, old, now)).toEqual([
      { path: "settings.branding.primaryColor", old: '"#d73a49"', new: '"#00ff00"', reason: "seed-only", urn: URN },
    ]);
  });

  it("does not count a key that is new, or one that stops being seed-only: the provider writes both", () => {
    const old = table({ locale: '"en-GB"', "branding.primaryColor": '"#d73a49"' }).inputs;
    expect(
      seedOnlyEdits(URN, old, table({ locale: '"en-GB"', "branding.logo": '"x.png"' }, ["branding"]).inputs),
    ).toEqual([{ path: "settings.branding.primaryColor", old: '"#d73a49"', reason: "seed-only", urn: URN }]);
    expect(seedOnlyEdits(URN, old, table({ locale: '"en-GB"', "branding.primaryColor": '"#0f0"' }, []).inputs)).toEqual(
      [],
    );
  });
});
