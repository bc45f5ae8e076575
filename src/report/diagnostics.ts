/** Renderers for diagnostics: text with a code frame, JSON (the contract in DESIGN.md), GitHub annotations. */
import type { Diagnostic } from "../core/diagnostics";

export function renderDiagnosticsText(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  return diagnostics.map((d) => renderOne(d, sources.get(d.file))).join("\n");
}

function renderOne(d: Diagnostic, text: string | undefined): string {
  const where = d.path ? ` ${d.path}:` : "";
  const lines = [`${d.file}:${d.line}:${d.column} ${d.severity}${where} ${d.message}`];
  if (d.fix) lines.push(`  fix: ${d.fix}`);
  if (text !== undefined) lines.push(codeFrame(text, d.line, d.column));
  return lines.join("\n") + "\n";
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

export function renderDiagnosticsJson(ok: boolean, tenants: readonly string[], diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify({ ok, tenants, diagnostics }, null, 2) + "\n";
}

/** GitHub workflow commands: each diagnostic becomes an annotation on the pull request's diff. */
export function renderDiagnosticsGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const message = d.fix ? `${d.path ? `${d.path}: ` : ""}${d.message}. Fix: ${d.fix}` : `${d.path ? `${d.path}: ` : ""}${d.message}`;
      const title = `tenantctl ${d.rule}`;
      return `::${d.severity} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(title)}::${escapeData(message)}`;
    })
    .join("\n") + (diagnostics.length > 0 ? "\n" : "");
}

function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function summaryLine(tenantCount: number, errors: number, warnings: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return errors === 0
    ? `✓ ${plural(tenantCount, "tenant")} valid${warnings ? `, ${plural(warnings, "warning")}` : ""}`
    : `✗ ${plural(errors, "error")}${warnings ? `, ${plural(warnings, "warning")}` : ""} in ${plural(tenantCount, "tenant")}`;
}
