/**
 * Settings are stored as rows of `tenant_settings` (dotted key text PRIMARY KEY, value jsonb), in every tenant's
 * database: what PostgreSQL cannot store, or two keys that would be one row, is refused where it is written, in the
 * template or in a tenant file.
 */
import type { Finding, PathSegment } from "../diagnostics";
import { SETTING_KEY_MAX_BYTES } from "../limits";
import { isPlainMap } from "../trees";
import type { Rule } from "./context";

/** A settings tree in a file, and where it sits. */
interface SettingsTree {
  readonly file: string;
  readonly path: readonly PathSegment[];
  readonly tree: Record<string, unknown>;
}

function settingsTrees({ controlPlane, template, tenants }: Parameters<Rule>[0]): SettingsTree[] {
  return [
    ...(template.defaults.settings
      ? [{ file: controlPlane.file, path: ["defaults", "settings"], tree: template.defaults.settings }]
      : []),
    ...Object.entries(template.plans).flatMap(([plan, layer]) =>
      layer.settings ? [{ file: controlPlane.file, path: ["plans", plan, "settings"], tree: layer.settings }] : [],
    ),
    ...tenants.flatMap(({ file, spec }) => (spec.settings ? [{ file, path: ["settings"], tree: spec.settings }] : [])),
  ];
}

/**
 * jsonb (and text) cannot hold U+0000, and jsonb refuses an unpaired surrogate ("JSON Types": "\u0000 is disallowed",
 * surrogate pairs must be correct).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what jsonb cannot store, so the pattern must name it
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8 = new TextEncoder();

/** Why a settings key cannot be stored (reported by settingKeysStorable), or undefined. */
export function settingKeyProblem(key: string, dottedKey: string): string | undefined {
  if (key === "") return "is empty";
  if (key.includes(".")) return "contains a dot, and setting keys are stored as dotted paths";
  if (UNSTORABLE_TEXT.test(key)) return "holds a character PostgreSQL cannot store (U+0000 or an unpaired surrogate)";
  if (utf8.encode(dottedKey).length > SETTING_KEY_MAX_BYTES)
    return `makes a dotted key longer than ${SETTING_KEY_MAX_BYTES} bytes, the most a row's key may have`;
  return undefined;
}

/** Each key becomes part of a row's dotted key: `a.b` under `x` and `b` under `x.a` would be the same row. */
export const settingKeysStorable: Rule = (fleet) => {
  const findings: Finding[] = [];
  const walk = (file: string, tree: Record<string, unknown>, path: PathSegment[], dotted: string[]) => {
    for (const [key, value] of Object.entries(tree)) {
      const problem = settingKeyProblem(key, [...dotted, key].join("."));
      if (problem) {
        findings.push({
          file,
          path: [...path, key],
          atKey: true,
          rule: "settingKeysStorable",
          message: `setting key \`${key}\` ${problem}`,
          fix: key.includes(".")
            ? `nest the value instead: \`${key.split(".")[0]}: { ${key.split(".").slice(1).join(".")}: ... }\``
            : "rename the key",
        });
        continue;
      }
      if (isPlainMap(value)) walk(file, value, [...path, key], [...dotted, key]);
    }
  };
  for (const { file, path, tree } of settingsTrees(fleet)) walk(file, tree, [...path], []);
  return findings;
};

/** Every string a setting holds, anywhere in its value, must be storable in jsonb. */
export const settingValuesStorable: Rule = (fleet) => {
  const findings: Finding[] = [];
  const walk = (file: string, value: unknown, path: PathSegment[]) => {
    if (typeof value === "string") {
      if (UNSTORABLE_TEXT.test(value))
        findings.push({
          file,
          path,
          rule: "settingValuesStorable",
          message: "the value holds a character PostgreSQL cannot store in jsonb (U+0000 or an unpaired surrogate)",
          fix: "remove the character (a `\\0` or a lone `\\uD800`-style escape)",
        });
    } else if (Array.isArray(value))
      value.forEach((item, index) => {
        walk(file, item, [...path, index]);
      });
    else if (isPlainMap(value)) for (const [key, child] of Object.entries(value)) walk(file, child, [...path, key]);
  };
  for (const { file, path, tree } of settingsTrees(fleet)) walk(file, tree, [...path]);
  return findings;
};
