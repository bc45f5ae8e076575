/** MigrateReport renderers: a table for terminals, Markdown for a PR comment or job summary, JSON for scripts. */
import { commentMarker, fenced, fitComment, folded } from "./comment";
import { emitReport, type ReportFormat } from "./emit";
import { type MigrateReport, type TenantMigration, summarizeMigrations } from "./migrateReport";
import { renderTable } from "./table";

const version = (n: number | undefined) => (n === undefined ? "?" : String(n));

function versions(tenant: TenantMigration): string {
  if (tenant.from === undefined) return "";
  return tenant.to !== undefined && tenant.to !== tenant.from ? `${tenant.from} → ${tenant.to}` : version(tenant.from);
}

export function migrateSummaryText(report: MigrateReport): string {
  const parts = Object.entries(summarizeMigrations(report))
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  const halt = report.halted
    ? `; halted after wave ${report.halted.wave} (${report.halted.failures} failed, --max-failures ${report.halted.maxFailures}): fix it and run the same command again, it continues with the tenants not at version ${report.target}`
    : "";
  return `Migration of ${report.tenants.length} tenant${report.tenants.length === 1 ? "" : "s"} to version ${report.target} in ${report.seconds.toFixed(1)} s: ${parts.join(", ") || "nothing to do"}${halt}`;
}

function waveLines(report: MigrateReport): string[] {
  if (report.waves.length <= 1) return [];
  return report.waves.map(
    (wave) =>
      `wave ${wave.index} (${wave.name}): ${wave.tenants.length} tenant${wave.tenants.length === 1 ? "" : "s"}, ${wave.status}${wave.failed > 0 ? `, ${wave.failed} failed` : ""}`,
  );
}

export function renderMigrateTable(report: MigrateReport): string {
  const rows = report.tenants.map((t) => [
    t.slug,
    t.wave === undefined ? "" : String(t.wave),
    t.outcome,
    versions(t),
    t.applied.join(", "),
    `${t.seconds.toFixed(1)} s`,
  ]);
  const out = renderTable(["TENANT", "WAVE", "RESULT", "VERSION", "APPLIED", "TIME"], rows);
  const waves = waveLines(report);
  if (waves.length > 0) out.push("", ...waves);
  for (const tenant of report.tenants) {
    if (!tenant.message || tenant.outcome === "skipped") continue;
    out.push("", `${tenant.slug}:`, ...tenant.message.split("\n").map((line) => `  ${line}`));
  }
  const skipped = report.tenants.filter((t) => t.outcome === "skipped" && t.message);
  if (skipped.length > 0) out.push("", `not run: ${skipped[0]!.message}`);
  out.push("", migrateSummaryText(report));
  return `${out.join("\n")}\n`;
}

const ICON: Record<TenantMigration["outcome"], string> = {
  changed: "🟢",
  unchanged: "⚪",
  failed: "🔴",
  skipped: "⏭️",
  cancelled: "⏹️",
};

export function renderMigrateMarkdown(report: MigrateReport): string {
  const head = [
    commentMarker("migrate"),
    `### tenantctl migrate: version ${report.target}`,
    "",
    migrateSummaryText(report),
    "",
    ...(report.waves.length > 1 ? [...waveLines(report).map((line) => `- ${line}`), ""] : []),
    "| tenant | wave | result | version | applied |",
    "|---|---|---|---|---|",
  ];
  const rows = report.tenants.map(
    (t) =>
      `| ${t.slug} | ${t.wave ?? ""} | ${ICON[t.outcome]} ${t.outcome} | ${versions(t)} | ${t.applied.join(", ")} |`,
  );
  const details = report.tenants
    .filter((t) => t.message && t.outcome !== "skipped")
    .map((t) => folded(`${t.slug}: ${t.outcome}`, fenced(t.message!)));
  return fitComment({ head, rows, details });
}

export function renderMigrateJson(report: MigrateReport): string {
  return `${JSON.stringify({ ...report, summary: summarizeMigrations(report) }, null, 2)}\n`;
}

export function emitMigrateReport(
  report: MigrateReport,
  format: ReportFormat,
  outputs: readonly string[],
  out: (text: string) => void,
): void {
  const render = (f: ReportFormat) =>
    f === "json"
      ? renderMigrateJson(report)
      : f === "markdown"
        ? renderMigrateMarkdown(report)
        : renderMigrateTable(report);
  emitReport(render, format, outputs, out);
}
