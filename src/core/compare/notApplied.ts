/**
 * Edits the tenant files make that `up` will not apply to a tenant that already exists, taken out of a stack's diff
 * so that `plan --base` promises only what the engine will do. Today one kind: a seed-only setting (the settings
 * table's provider, infra/dynamic/settings/semantics.ts, seeds such a key once; after that the row is the tenant's,
 * and a new value in the spec, or its removal, changes nothing). Pure.
 */
import {
  type ChangedResource,
  diffValues,
  type InputChange,
  type PlannedResource,
  type PlanValue,
  SecretValue,
  type StackChanges,
} from "./plannedStack";

export type NotAppliedReason = "seed-only";

export interface NotAppliedChange extends InputChange {
  readonly reason: NotAppliedReason;
  /** The resource the edit is an input of. */
  readonly urn: string;
}

/** Why, and what to do if the edit was meant for the existing tenant too; docs/output.md and the README say the same. */
export const NOT_APPLIED_WHY: Record<NotAppliedReason, string> = {
  "seed-only": "seed-only: written when a tenant is created; existing tenants keep their own value",
};

const SETTINGS_PREFIX = "settings.";

function stringList(value: PlanValue | undefined): readonly string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
}

/** The provider's own rule: a key equal to one of the prefixes, or under one (`branding` covers `branding.logo`). */
function isSeedOnly(key: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => key === prefix || key.startsWith(`${prefix}.`));
}

type Inputs = { readonly [key: string]: PlanValue };

/**
 * A settings value the engine leaves alone: the key was seeded (it was in the settings, seed-only, at the base) and
 * is still seed-only now. A key new since the base is seeded (a change); a key that becomes seed-only now is released
 * by the provider (a change of its flag): both stay in the diff.
 */
function isSeededEdit(change: InputChange, old: Inputs, now: Inputs): boolean {
  if (!change.path.startsWith(SETTINGS_PREFIX) || !("old" in change)) return false;
  const before = stringList(old.seedOnlyKeys);
  const after = stringList(now.seedOnlyKeys);
  if (!before || !after) return false;
  const key = change.path.slice(SETTINGS_PREFIX.length);
  return isSeedOnly(key, before) && ("new" in change ? isSeedOnly(key, after) : true);
}

/**
 * The seed-only edits between a settings table's inputs as last deployed and as the files give them now. The engine
 * path (src/orchestrate/run: the step's old and new inputs) uses it, so `preview` and `up` say what `plan --base` says.
 */
export function seedOnlyEdits(urn: string, old: Inputs, now: Inputs): NotAppliedChange[] {
  const before = old.settings;
  const after = now.settings;
  if (!isPlanRecord(before) || !isPlanRecord(after)) return [];
  return diffValues(before, after, "settings")
    .filter((change) => isSeededEdit(change, old, now))
    .map((change) => ({ ...change, reason: "seed-only", urn }));
}

function isPlanRecord(value: PlanValue | undefined): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof SecretValue);
}

/**
 * The diff without the edits `up` will not apply, and those edits. Only resources changed in place qualify: a stack or
 * a settings table that is new gets every value (a create).
 */
export function splitNotApplied(
  changes: StackChanges,
  base: readonly PlannedResource[],
  current: readonly PlannedResource[],
): { changes: StackChanges; notApplied: NotAppliedChange[] } {
  const before = new Map(base.map((resource) => [resource.urn, resource]));
  const after = new Map(current.map((resource) => [resource.urn, resource]));
  const notApplied: NotAppliedChange[] = [];
  const changed: ChangedResource[] = [];
  for (const resource of changes.changed) {
    const old = before.get(resource.urn);
    const now = after.get(resource.urn);
    const kept: InputChange[] = [];
    for (const change of resource.inputs) {
      if (old && now && isSeededEdit(change, old.inputs, now.inputs))
        notApplied.push({ ...change, reason: "seed-only", urn: resource.urn });
      else kept.push(change);
    }
    if (kept.length > 0)
      changed.push(kept.length === resource.inputs.length ? resource : { ...resource, inputs: kept });
  }
  if (notApplied.length === 0) return { changes, notApplied };
  const status =
    changes.status === "changed" && changes.added.length + changed.length + changes.removed.length === 0
      ? "unchanged"
      : changes.status;
  return { changes: { ...changes, status, changed }, notApplied };
}
