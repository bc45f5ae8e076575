import { type Outcome, UsageError } from "../core/errors";
import { explainTenant } from "../core/resolve/explain";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { errorsAffecting, loadFleet } from "../core/load";
import { parsePath } from "../core/diagnostics";
import { SourcePositions } from "../core/read/source";
import { didYouMean } from "../core/suggest";
import { noTenantFile, tenantOf } from "../core/tenantLookup";
import { renderTable } from "../report/table";

export interface ExplainOptions {
  readonly dir: string;
  readonly format: "text" | "json";
}

/** Resolved values with the layer that set each, and where. Returns the exit code. */
export function explain(
  slug: string,
  key: string | undefined,
  options: ExplainOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Outcome {
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  const tenant = tenantOf(fleet, slug);
  if (!tenant) {
    const own = errorsAffecting(fleet, slug);
    if (own.length === 0) throw noTenantFile(slug, fleet.slugs);
    err(`${renderDiagnosticsText(own, fleet.sources)}\n${slug} cannot be resolved: fix the errors above\n`);
    return "failed";
  }
  const entries = explainTenant(tenant, key);
  if (entries.length === 0) {
    const hint = didYouMean(
      key ?? "",
      [...tenant.provenance.keys()].flatMap((path) =>
        path.split(".").map((_, i, parts) => parts.slice(0, i + 1).join(".")),
      ),
    );
    throw new UsageError(`no resolved key \`${key}\` for ${slug}${hint ? `: ${hint}` : ""}`);
  }
  const positions = new Map<string, SourcePositions>();
  const locate = (file: string | undefined, filePath: string | undefined) => {
    if (!file || !filePath) return undefined;
    const text = fleet.sources.get(file);
    if (text === undefined) return undefined;
    let index = positions.get(file);
    if (!index) {
      index = new SourcePositions(text);
      positions.set(file, index);
    }
    const { line, column } = index.locate(parsePath(filePath));
    return { file, line, column };
  };
  const rows = entries.map(({ key: path, value, provenance }) => ({
    key: path,
    value,
    layer: provenance.layer,
    source: locate(provenance.file, provenance.filePath),
  }));
  if (options.format === "json") {
    out(`${JSON.stringify({ slug, file: tenant.file, plan: tenant.plan, values: rows }, null, 2)}\n`);
    return "ok";
  }
  out(`${slug} (${tenant.file}), plan ${tenant.plan}, status ${tenant.status}\n\n`);
  const table = rows.map((row) => [
    row.key,
    JSON.stringify(row.value) ?? "",
    `${row.layer}${row.source ? `  ${row.source.file}:${row.source.line}:${row.source.column}` : ""}`,
  ]);
  out(`${renderTable(["KEY", "VALUE", "SET BY"], table, [undefined, 40]).join("\n")}\n`);
  return "ok";
}
