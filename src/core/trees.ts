/**
 * Plain data trees (parsed YAML, resolved settings): the one walker every layer uses to test, merge, flatten and
 * look up values by path. Pure.
 */
import type { PathSegment } from "./diagnostics";

export type Tree = Record<string, unknown>;

/** A map (not a list, not null): what resolution merges key by key. */
export function isPlainMap(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Merge maps key by key; anything else (lists, scalars) replaces. Inputs are not modified. */
export function mergeTrees(base: Tree, override: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const existing = merged[key];
    merged[key] = isPlainMap(existing) && isPlainMap(value) ? mergeTrees(existing, value) : value;
  }
  return merged;
}

/** Every leaf (scalar, list, or empty map) of a tree with its path. */
export function leafPaths(tree: Tree, prefix: readonly string[] = []): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  for (const [key, value] of Object.entries(tree)) {
    const path = [...prefix, key];
    if (isPlainMap(value) && Object.keys(value).length > 0) out.push(...leafPaths(value, path));
    else out.push([path, value]);
  }
  return out;
}

/** Every leaf of a tree with its dotted path (`security.mfa`). */
export function leaves(tree: Tree): [string, unknown][] {
  return leafPaths(tree).map(([path, value]) => [path.join("."), value]);
}

/** The value at `path` (keys and list indexes), or undefined when any step is missing. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The value at a dotted path of map keys (`settings.security.mfa`). */
export function valueAtDotted(tree: unknown, dotted: string): unknown {
  return valueAt(tree, dotted.split("."));
}
