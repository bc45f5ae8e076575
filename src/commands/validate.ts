import type { Outcome } from "../core/errors";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { renderDiagnosticsGithub, renderDiagnosticsJson, summaryLine } from "../report/diagnostics";
import { compareDiagnostics } from "../core/diagnostics";
import { loadFleet } from "../core/load";

export interface ValidateOptions {
  readonly dir: string;
  readonly format: "text" | "json" | "github";
}

/** Schema, resolution and fleet rules; no Pulumi. Returns the exit code: 0 valid, 1 invalid. */
export function validate(options: ValidateOptions, out: (text: string) => void): Outcome {
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  const diagnostics = [...fleet.errors, ...fleet.warnings].sort(compareDiagnostics);
  const ok = fleet.errors.length === 0;
  if (options.format === "json") out(renderDiagnosticsJson(ok, fleet.slugs, diagnostics));
  else if (options.format === "github") {
    out(renderDiagnosticsGithub(diagnostics));
    out(`${summaryLine(fleet.slugs.length, fleet.errors.length, fleet.warnings.length)}\n`);
  } else {
    if (diagnostics.length > 0) out(`${renderDiagnosticsText(diagnostics, fleet.sources)}\n`);
    out(`${summaryLine(fleet.slugs.length, fleet.errors.length, fleet.warnings.length)}\n`);
  }
  return ok ? "ok" : "failed";
}
