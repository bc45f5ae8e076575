/**
 * A diagnostic is what a user sees for a mistake: where (file:line:col and dotted path), what, and the fix.
 * Their JSON shape is a contract (docs/output.md).
 */
export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Relative to the working directory. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Dotted, with `[i]` for list items: `auth.roles[0].permissions[1]`. Empty for the whole file. */
  readonly path: string;
  readonly severity: Severity;
  readonly message: string;
  /** What to change, in words a user can act on. */
  readonly fix?: string;
  /** Name of the check that produced it (`schema`, `yaml`, or a rule name such as `noDuplicateHostnames`). */
  readonly rule: string;
}

/** A finding before it has been placed in its file: rules speak in paths, the loader turns paths into positions. */
export interface Finding {
  readonly file: string;
  readonly path: readonly PathSegment[];
  readonly severity?: Severity;
  readonly message: string;
  readonly fix?: string;
  readonly rule: string;
  /** Point at the key itself rather than its value (unknown keys, locked keys). */
  readonly atKey?: boolean;
}

export type PathSegment = string | number;

/** `["auth", "roles", 0, "name"]` → `auth.roles[0].name`; a key that holds a dot or a bracket is quoted: `settings["ui.theme"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/[.[\]"]/.test(segment) || segment === "") out += `[${JSON.stringify(segment)}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** The inverse of `formatPath`: `auth.roles[0].name` → ["auth", "roles", 0, "name"]. */
export function parsePath(dotted: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of dotted.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else segments.push(match[3]!);
  }
  return segments;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}
