/**
 * Which properties of a resource differ in an engine step, by where each value comes from: `expected` is what the
 * tenant files declare (the step's new inputs), `actual` what the real world holds (the refreshed state: preview, up
 * and drift refresh first). The same for every operation; which way a report reads them (`5 → 100` for a change,
 * `10 → 999` for drift) is the report's choice (src/report/direction.ts). Secrets stay `[secret]`.
 *
 * The paths come from the provider's detailed diff when it gives one (the bridged providers do); otherwise (our dynamic
 * providers: the engine's dynamic-provider host passes no detailed diff) from comparing the two states leaf by leaf.
 */
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { SECRET_TEXT } from "../../core/compare/plannedStack";
import type { PropertyDifference } from "../../report/runReport";

/** The envelope a secret travels in when the engine does not mask it. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

type State = Record<string, unknown>;

function isMap(value: unknown): value is State {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): unknown {
  if (isMap(value) && SECRET_SIG in value) return SECRET_TEXT;
  if (Array.isArray(value)) return value.map(shown);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shown(inner)]));
  return value;
}

/** A value at a dotted path of the engine's detailed diff (`searchPaths[0]`, `settings.a.b` where `a.b` is one key). */
function at(state: State, path: string): unknown {
  if (path in state) return state[path];
  // A key may itself hold dots (a hostname): the first separator after which the rest resolves is the one.
  for (let dot = path.search(/[.[]/); dot >= 0; dot = nextSeparator(path, dot)) {
    const head = path.slice(0, dot);
    if (!(head in state)) continue;
    return inside(state[head], path[dot] === "." ? path.slice(dot + 1) : path.slice(dot));
  }
  return undefined;
}

function nextSeparator(path: string, after: number): number {
  const next = path.slice(after + 1).search(/[.[]/);
  return next < 0 ? -1 : after + 1 + next;
}

function inside(inner: unknown, rest: string): unknown {
  if (Array.isArray(inner)) {
    const index = /^\[(\d+)\]\.?(.*)$/.exec(rest);
    if (!index) return undefined;
    const item = inner[Number(index[1])];
    return index[2] ? (isMap(item) ? at(item, index[2]) : undefined) : item;
  }
  return isMap(inner) ? at(inner, rest) : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(shown(a)) === JSON.stringify(shown(b));
}

/** Leaf paths where `expected` and `actual` differ, over the keys either has. */
function leafDifferences(expected: unknown, actual: unknown, path: string): string[] {
  if (isMap(expected) && isMap(actual) && !(SECRET_SIG in expected) && !(SECRET_SIG in actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) => leafDifferences(expected[key], actual[key], path ? `${path}.${key}` : key));
  }
  return sameValue(expected, actual) ? [] : [path];
}

/** Our settings table keeps each value as canonical JSON text: shown as the value it is. */
function decodeSettingValue(type: string, path: string, value: unknown): unknown {
  if (
    type !== "pulumi-nodejs:dynamic:TenantSettingsTable" ||
    !path.startsWith("settings.") ||
    typeof value !== "string"
  )
    return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function driftedProperties(
  metadata: Pick<StepEventMetadata, "type" | "old" | "new" | "detailedDiff" | "diffs">,
): PropertyDifference[] {
  const expected: State = { ...(metadata.new?.inputs ?? {}) };
  const actual: State = { ...(metadata.old?.inputs ?? {}), ...(metadata.old?.outputs ?? {}) };
  // A dynamic provider's code travels as an input: not a property anyone reviews.
  delete expected["__provider"];
  delete actual["__provider"];
  const declared = Object.keys(metadata.detailedDiff ?? {});
  const paths =
    declared.length > 0
      ? declared
      : (metadata.diffs ?? []).length > 0 && metadata.type !== "pulumi-nodejs:dynamic:TenantSettingsTable"
        ? metadata.diffs!
        : leafDifferences(expected, pick(actual, Object.keys(expected)), "");
  return paths
    .map((path) => ({
      path,
      expected: decodeSettingValue(metadata.type, path, shown(at(expected, path))),
      actual: decodeSettingValue(metadata.type, path, shown(at(actual, path))),
    }))
    .filter((change) => !sameValue(change.expected, change.actual) || declared.length > 0)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Only the properties the program declares: outputs the provider computes are not drift. */
function pick(state: State, keys: readonly string[]): State {
  return Object.fromEntries(keys.filter((key) => key in state).map((key) => [key, state[key]]));
}
