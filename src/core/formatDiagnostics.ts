/**
 * Diagnostics as text, with a code frame: what `validate` prints, and what the Pulumi program says when it refuses to
 * deploy invalid files. Pure, so the program (infra/) and the app share it.
 */
import type { Diagnostic } from "./diagnostics";

export function renderDiagnosticsText(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): string {
  return diagnostics.map((d) => renderOne(d, sources.get(d.file))).join("\n");
}

function renderOne(d: Diagnostic, text: string | undefined): string {
  const where = d.path ? ` ${d.path}:` : "";
  const lines = [`${d.file}:${d.line}:${d.column} ${d.severity}${where} ${d.message}`];
  if (d.fix) lines.push(`  fix: ${d.fix}`);
  if (text !== undefined) lines.push(codeFrame(text, d.line, d.column));
  return `${lines.join("\n")}\n`;
}

/** Two lines of context above, the line itself with a caret under the column. */
export function codeFrame(text: string, line: number, column: number): string {
  const all = text.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(all.length, line);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? ">" : " ";
    out.push(`  ${marker} ${String(n).padStart(width)} | ${all[n - 1] ?? ""}`);
  }
  out.push(`    ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^`);
  return out.join("\n");
}
