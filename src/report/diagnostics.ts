/** Renderers for diagnostics besides the text one (src/core/formatDiagnostics.ts): JSON (the contract of `validate --format json`), GitHub annotations. */
import type { Diagnostic } from "../core/diagnostics";

export function renderDiagnosticsJson(
  ok: boolean,
  tenants: readonly string[],
  diagnostics: readonly Diagnostic[],
): string {
  return `${JSON.stringify({ ok, tenants, diagnostics }, null, 2)}\n`;
}

/** GitHub workflow commands: each diagnostic becomes an annotation on the pull request's diff. */
export function renderDiagnosticsGithub(diagnostics: readonly Diagnostic[]): string {
  return (
    diagnostics
      .map((d) => {
        const message = d.fix
          ? `${d.path ? `${d.path}: ` : ""}${d.message}. Fix: ${d.fix}`
          : `${d.path ? `${d.path}: ` : ""}${d.message}`;
        const title = `tenantctl ${d.rule}`;
        return `::${d.severity} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(title)}::${escapeData(message)}`;
      })
      .join("\n") + (diagnostics.length > 0 ? "\n" : "")
  );
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
