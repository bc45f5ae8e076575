/**
 * Schema validation that does not stop at the first bad part. A file with one mistake still has its other parts
 * checked by the rules (slug vs file name, hostnames, plan): the parts with issues are cut away, the rest is parsed
 * again, and what then parses is returned as `partial` — good for finding more problems, never for deploying.
 */
import type { z } from "zod";
import type { PathSegment } from "../diagnostics";
import { isPlainMap, valueAt } from "../trees";

type Issue = z.core.$ZodIssue;

export type ParsedWhatIsValid<T> =
  /** Valid as written. */
  | { readonly status: "valid"; readonly value: T }
  /** Valid once the parts with issues were cut away: for the rules only. */
  | { readonly status: "partial"; readonly value: T; readonly issues: readonly Issue[] }
  /** Nothing usable (a required key at the top is wrong, and no placeholder stands in for it). */
  | { readonly status: "invalid"; readonly issues: readonly Issue[] };

/** More rounds than any real file needs: each round cuts at least one part away. */
const MAX_ROUNDS = 8;

/**
 * `placeholders` stand in for required top-level keys that are missing or wrong (e.g. a tenant's `name`), so that the
 * rest of the file can still be checked.
 */
export function parseWhatIsValid<T>(
  schema: z.ZodType<T>,
  data: Record<string, unknown>,
  placeholders: Readonly<Record<string, unknown>> = {},
): ParsedWhatIsValid<T> {
  const first = schema.safeParse(data);
  if (first.success) return { status: "valid", value: first.data };
  const issues = first.error.issues;
  let pruned: Record<string, unknown> = structuredClone(data);
  let result: ReturnType<typeof schema.safeParse> = first;
  for (let round = 0; round < MAX_ROUNDS && !result.success; round++) {
    const next = withoutParts(pruned, result.error.issues, placeholders);
    if (!next) break;
    pruned = next;
    result = schema.safeParse(pruned);
  }
  return result.success ? { status: "partial", value: result.data as T, issues } : { status: "invalid", issues };
}

/**
 * A copy without the parts the issues point at; undefined when nothing more can be cut (an issue concerns the
 * document as a whole, or a required top-level key with no placeholder).
 */
function withoutParts(
  data: Record<string, unknown>,
  issues: readonly Issue[],
  placeholders: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const copy = structuredClone(data);
  let changed = false;
  for (const issue of issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const parent = valueAt(copy, path);
      if (isPlainMap(parent)) for (const key of issue.keys) changed = delete parent[key] || changed;
      continue;
    }
    // Within a list, the whole list goes: cutting one item would shift the indexes the rules report.
    const listAt = path.findIndex((segment) => typeof segment === "number");
    let cut = listAt >= 0 ? path.slice(0, listAt) : path;
    // A required key that is missing: its map goes, up to the top-level key.
    while (cut.length > 1 && valueAt(copy, cut) === undefined) cut = cut.slice(0, -1);
    if (cut.length === 0) return undefined;
    const key = String(cut[cut.length - 1]);
    if (cut.length === 1 && key in placeholders) {
      if (copy[key] !== placeholders[key]) {
        copy[key] = placeholders[key];
        changed = true;
      }
      continue;
    }
    const parent = valueAt(copy, cut.slice(0, -1));
    if (isPlainMap(parent) && key in parent) {
      delete parent[key];
      changed = true;
    }
  }
  return changed ? copy : undefined;
}
