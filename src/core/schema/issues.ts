/**
 * zod issues, rewritten as findings a platform engineer can act on: the problem in the words of the file,
 * and a fix (`databse` → did you mean `database`?).
 */
import type { z } from "zod";
import type { Finding, PathSegment } from "../diagnostics";
import { didYouMean, listOf } from "../suggest";
import { valueAt } from "../trees";

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

export function findingsFromIssues(
  file: string,
  schema: AnySchema,
  data: unknown,
  issues: readonly Issue[],
): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        findings.push({
          file,
          path: [...path, key],
          atKey: true,
          rule: "schema",
          message: `unknown key \`${key}\``,
          fix: suggestion ?? (known.length > 0 ? `remove it; allowed here: ${listOf(known)}` : "remove it"),
        });
      }
      continue;
    }
    findings.push({ file, path, rule: "schema", ...describe(issue, valueAt(data, path), path) });
  }
  return findings;
}

function describe(
  issue: Issue,
  value: unknown,
  path: readonly PathSegment[],
): { message: string; fix?: string; atKey?: boolean } {
  const field = String(path[path.length - 1] ?? "document");
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) {
        return { message: `\`${field}\` is required`, fix: `add \`${field}:\` with a ${issue.expected}` };
      }
      return {
        message: `expected ${article(issue.expected)}, got ${kindOf(value)} ${preview(value)}`.trim(),
        fix: `write ${article(issue.expected)} here`,
      };
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const suggestion = typeof value === "string" ? didYouMean(value, allowed) : undefined;
      return {
        message: `${preview(value)} is not one of ${listOf(allowed)}`,
        fix: suggestion ?? `use one of ${listOf(allowed)}`,
      };
    }
    case "too_small":
    case "too_big":
    case "invalid_format":
    case "custom":
      return { message: `${preview(value)}: ${issue.message}`.replace(/^: /, ""), fix: fixFor(issue) };
    default:
      return { message: issue.message };
  }
}

function fixFor(issue: Issue): string {
  if (issue.code === "too_small")
    return issue.origin === "array" ? "add an entry" : `use a value of at least ${String(issue.minimum)}`;
  if (issue.code === "too_big")
    return issue.origin === "string"
      ? `shorten it to at most ${String(issue.maximum)} characters`
      : `use a value of at most ${String(issue.maximum)}`;
  return "correct the value as described";
}

function article(kind: string): string {
  const noun = kind === "record" || kind === "object" ? "map" : kind === "array" ? "list" : kind;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return typeof value === "number" && Number.isInteger(value) ? "an integer" : article(typeof value);
}

function preview(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object" && value !== null) return "";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The keys a strict object at `path` accepts, found by walking the schema definition. */
export function knownKeysAt(schema: AnySchema, path: readonly PathSegment[]): string[] {
  let current: AnySchema | undefined = schema;
  for (const segment of path) {
    current = unwrap(current);
    const def: Record<string, unknown> | undefined = current?._zod.def as unknown as
      | Record<string, unknown>
      | undefined;
    if (!def) return [];
    if (def.type === "object") current = (def.shape as Record<string, AnySchema>)[String(segment)];
    else if (def.type === "array") current = def.element as AnySchema;
    else if (def.type === "record") current = def.valueType as AnySchema;
    else return [];
  }
  const def = unwrap(current)?._zod.def as unknown as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let current = schema;
  for (let i = 0; i < 10 && current; i++) {
    const def = current._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (
      (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "readonly") &&
      def.innerType
    )
      current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return current;
}
