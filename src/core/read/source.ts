/**
 * Reading spec files. Two parsers, on purpose:
 *  - js-yaml is the fast path: it parses every file (about 5× faster than `yaml` here, see bench/validate);
 *  - `yaml` keeps node ranges, and is used lazily, only for files that have something to report,
 *    to turn a dotted path into file:line:col.
 * A fleet of ten thousand valid tenants therefore never pays for source positions it does not show.
 */
import { load as loadYaml, YAMLException } from "js-yaml";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { Diagnostic, Finding, PathSegment } from "../diagnostics";
import { formatPath } from "../diagnostics";

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ParsedFile =
  | { readonly ok: true; readonly file: string; readonly text: string; readonly data: Record<string, unknown> }
  | { readonly ok: false; readonly file: string; readonly text: string; readonly diagnostics: Diagnostic[] };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parse one spec file's bytes into a plain object, or into diagnostics. Never throws for bad input. */
export function parseSpecFile(file: string, bytes: Uint8Array): ParsedFile {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(file, "", { line: 1, column: 1 }, "the file is not valid UTF-8 text", "save the file as UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  if (isBlank(text)) {
    return fail(
      file,
      text,
      { line: 1, column: 1 },
      "the file is empty",
      "add the tenant's `slug` and `name`, or delete the file",
    );
  }
  let data: unknown;
  try {
    data = loadYaml(text, { filename: file });
  } catch (error) {
    if (error instanceof YAMLException) return syntaxError(file, text, error);
    throw error;
  }
  if (data === undefined || data === null) {
    return fail(
      file,
      text,
      { line: 1, column: 1 },
      "the file is empty",
      "add the tenant's `slug` and `name`, or delete the file",
    );
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const kind = Array.isArray(data) ? "a list" : `a ${typeof data}`;
    return fail(
      file,
      text,
      firstContentPosition(text),
      `the document is ${kind}, not a map of keys`,
      "write `key: value` pairs at the top level",
    );
  }
  return { ok: true, file, text, data: data as Record<string, unknown> };
}

/** Only white space and comments: js-yaml calls this a missing document, users call it an empty file. */
function isBlank(text: string): boolean {
  return text.split("\n").every((line) => /^\s*(#.*)?$/.test(line));
}

function syntaxError(file: string, text: string, error: YAMLException): ParsedFile {
  // Prefer the `yaml` package's wording and position where it also sees an error; fall back to js-yaml's mark.
  const doc = parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError?.linePos) {
    const [start] = yamlError.linePos;
    const message = yamlError.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return fail(
      file,
      text,
      { line: start.line, column: start.col },
      `YAML syntax error: ${lowerFirst(message)}`,
      fixForYamlError(yamlError.code),
    );
  }
  const mark = (error as YAMLException & { mark?: { line: number; column: number } }).mark;
  const reason = (error as YAMLException & { reason?: string }).reason ?? error.message;
  const position = mark ? { line: mark.line + 1, column: mark.column + 1 } : { line: 1, column: 1 };
  const duplicate = /duplicat/i.test(reason);
  return fail(
    file,
    text,
    position,
    `YAML ${duplicate ? "error" : "syntax error"}: ${reason}`,
    duplicate ? "keep one of the duplicated keys" : "fix the YAML syntax at this position",
  );
}

function fixForYamlError(code: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "keep one of the duplicated keys";
    case "MULTIPLE_DOCS":
      return "keep one YAML document per file (remove the `---` separator)";
    case "TAB_AS_INDENT":
      return "indent with spaces, not tabs";
    default:
      return "fix the YAML syntax at this position";
  }
}

function fail(file: string, text: string, position: Position, message: string, fix: string): ParsedFile {
  return {
    ok: false,
    file,
    text,
    diagnostics: [
      { file, line: position.line, column: position.column, path: "", severity: "error", message, fix, rule: "yaml" },
    ],
  };
}

function firstContentPosition(text: string): Position {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const column = lines[i]!.search(/[^\s]/);
    if (column >= 0 && !lines[i]!.trimStart().startsWith("#")) return { line: i + 1, column: column + 1 };
  }
  return { line: 1, column: 1 };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Maps dotted paths to positions in one file's text. Built on first use, from the `yaml` package's node ranges.
 * A path that does not exist in the file (a missing required key) resolves to the nearest enclosing node.
 */
export class SourcePositions {
  private readonly lineCounter = new LineCounter();
  private readonly contents: YamlNode | null;

  constructor(text: string) {
    const doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: false });
    this.contents = doc.contents as YamlNode | null;
  }

  locate(path: readonly PathSegment[], atKey = false): Position {
    let node: unknown = this.contents;
    let best: number = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        if (last && atKey && keyStart !== undefined) return this.position(keyStart);
        best = keyStart ?? best;
        node = pair.value;
        // A key with no value (`plan:`) has no value node: the key is the best place to point at.
        best = rangeStart(node) ?? best;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) break;
        node = item;
        best = rangeStart(node) ?? best;
      } else {
        break;
      }
    }
    return this.position(best);
  }

  private position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Turns findings into positioned diagnostics, parsing each file's positions at most once. */
export class Locator {
  private readonly positions = new Map<string, SourcePositions>();

  constructor(private readonly textOf: (file: string) => string | undefined) {}

  place(finding: Finding): Diagnostic {
    const text = this.textOf(finding.file);
    let position: Position = { line: 1, column: 1 };
    if (text !== undefined) {
      let index = this.positions.get(finding.file);
      if (!index) {
        index = new SourcePositions(text);
        this.positions.set(finding.file, index);
      }
      position = index.locate(finding.path, finding.atKey ?? false);
    }
    return {
      file: finding.file,
      line: position.line,
      column: position.column,
      path: formatPath(finding.path),
      severity: finding.severity ?? "error",
      message: finding.message,
      ...(finding.fix !== undefined ? { fix: finding.fix } : {}),
      rule: finding.rule,
    };
  }
}
