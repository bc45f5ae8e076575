/**
 * What `tenantctl plan` renders, as plain data (no Pulumi): the resources a stack declares with their inputs, and
 * the differences between two renders of the same stack. Pure; the rendering itself lives in orchestrate/plan/offlinePlan.
 */

/**
 * A secret input. Never printed: JSON shows `"[secret]"`. It carries a keyed digest (the key is random per process)
 * so that two renders made by the same process can tell a changed secret from an unchanged one without revealing it.
 */
export class SecretValue {
  readonly #digest: string;
  constructor(digest: string) {
    this.#digest = digest;
  }
  get digest(): string {
    return this.#digest;
  }
  toJSON(): string {
    return SECRET_TEXT;
  }
  toString(): string {
    return SECRET_TEXT;
  }
}

export const SECRET_TEXT = "[secret]";

export type PlanValue =
  | null
  | boolean
  | number
  | string
  | SecretValue
  | readonly PlanValue[]
  | { readonly [key: string]: PlanValue };

export interface PlannedResource {
  /** The Pulumi type token, e.g. `postgresql:index/role:Role`; dynamic resources: `pulumi-nodejs:dynamic:GeneratedPassword`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** The URN the engine would give it: `urn:pulumi:<stack>::<project>::<parent types $>type::name`. */
  readonly urn: string;
  /** URN of the parent resource; undefined for resources at the top of the stack. */
  readonly parent?: string;
  /** Component resources are the tree's inner nodes; they have no inputs of their own. */
  readonly component: boolean;
  /** Read, not created (a `StackReference`). */
  readonly read: boolean;
  /** Name of the explicit provider resource, when it is not the default provider. */
  readonly provider?: string;
  /** Inputs as the engine would receive them, secrets as `SecretValue`. */
  readonly inputs: { readonly [key: string]: PlanValue };
}

export interface PlannedStack {
  /** The tenant slug, or `control-plane`. */
  readonly slug: string;
  readonly stack: string;
  /** In declaration order. Empty when `error` or `skipped` is set. */
  readonly resources: readonly PlannedResource[];
  /** The program failed: what it said. */
  readonly error?: string;
  /** Not rendered, and why (an invalid tenant file). */
  readonly skipped?: string;
}

export interface InputChange {
  /** Dotted path below `inputs` (`settings.locale`, `metadata.plan`). */
  readonly path: string;
  /** Absent when the input is new. Secrets render as `[secret]`. */
  readonly old?: PlanValue;
  /** Absent when the input was removed. */
  readonly new?: PlanValue;
}

export interface ChangedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: readonly InputChange[];
}

export type StackChangeStatus = "added" | "changed" | "unchanged" | "removed";

export interface StackChanges {
  readonly status: StackChangeStatus;
  readonly added: readonly PlannedResource[];
  readonly changed: readonly ChangedResource[];
  readonly removed: readonly PlannedResource[];
  /** Something the reader must know to trust the diff (e.g. the base version could not be rendered). */
  readonly note?: string;
}

/**
 * Resource-level differences between a stack's render at the base ref and now. Resources are matched by URN, as
 * the engine matches them: a renamed resource is one removed and one added.
 */
export function diffStack(
  base: readonly PlannedResource[] | undefined,
  current: readonly PlannedResource[] | undefined,
): StackChanges {
  const before = new Map((base ?? []).map((resource) => [resource.urn, resource]));
  const after = new Map((current ?? []).map((resource) => [resource.urn, resource]));
  const added = (current ?? []).filter((resource) => !before.has(resource.urn));
  const removed = (base ?? []).filter((resource) => !after.has(resource.urn));
  const changed: ChangedResource[] = [];
  for (const resource of current ?? []) {
    const old = before.get(resource.urn);
    if (!old) continue;
    const inputs = diffValues(old.inputs, resource.inputs, "");
    if (inputs.length > 0) changed.push({ type: resource.type, name: resource.name, urn: resource.urn, inputs });
  }
  const status: StackChangeStatus =
    base === undefined
      ? "added"
      : current === undefined
        ? "removed"
        : added.length + changed.length + removed.length > 0
          ? "changed"
          : "unchanged";
  return { status, added, changed, removed };
}

function isRecord(value: PlanValue | undefined): value is { readonly [key: string]: PlanValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof SecretValue);
}

/** Leaf-level differences: objects are compared key by key, arrays and scalars as wholes. */
export function diffValues(old: PlanValue | undefined, now: PlanValue | undefined, path: string): InputChange[] {
  if (isRecord(old) && isRecord(now)) {
    const keys = [...Object.keys(old), ...Object.keys(now).filter((key) => !(key in old))];
    return keys.flatMap((key) => diffValues(old[key], now[key], path === "" ? key : `${path}.${key}`));
  }
  if (planValuesEqual(old, now)) return [];
  return [{ path, ...(old === undefined ? {} : { old }), ...(now === undefined ? {} : { new: now }) }];
}

export function planValuesEqual(a: PlanValue | undefined, b: PlanValue | undefined): boolean {
  if (a === b) return true;
  if (a instanceof SecretValue || b instanceof SecretValue) {
    return a instanceof SecretValue && b instanceof SecretValue && a.digest === b.digest;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => planValuesEqual(item as PlanValue, b[index] as PlanValue));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => key in b && planValuesEqual(a[key], b[key]));
  }
  return false;
}

/**
 * Depth first from the top of the stack, each parent before its children, siblings by name then type: the order
 * the engine registered them in depends on when their inputs resolved, this one only on what is declared.
 */
export function treeOrder(resources: readonly PlannedResource[]): PlannedResource[] {
  const urns = new Set(resources.map((resource) => resource.urn));
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const resource of resources) {
    const parent = resource.parent !== undefined && urns.has(resource.parent) ? resource.parent : undefined;
    const siblings = children.get(parent);
    if (siblings) siblings.push(resource);
    else children.set(parent, [resource]);
  }
  const ordered: PlannedResource[] = [];
  const visit = (parent: string | undefined) => {
    const siblings = children.get(parent);
    if (!siblings) return;
    siblings.sort((a, b) => compareText(a.name, b.name) || compareText(a.type, b.type));
    for (const resource of siblings) {
      ordered.push(resource);
      visit(resource.urn);
    }
  };
  visit(undefined);
  return ordered;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How deep a resource sits below the top of its stack (0 at the top). */
export function depthsOf(resources: readonly PlannedResource[]): Map<string, number> {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const depths = new Map<string, number>();
  const depth = (resource: PlannedResource): number => {
    const known = depths.get(resource.urn);
    if (known !== undefined) return known;
    const parent = resource.parent !== undefined ? byUrn.get(resource.parent) : undefined;
    const value = parent ? depth(parent) + 1 : 0;
    depths.set(resource.urn, value);
    return value;
  };
  for (const resource of resources) depth(resource);
  return depths;
}
