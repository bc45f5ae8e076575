/** RunReport renderers: a table for terminals, Markdown for the one PR comment, JSON for scripts. */
import {
  changesNothing,
  type Operation,
  type ResourceChange,
  type RunReport,
  type TenantRun,
  summarize,
} from "./runReport";
import { commentMarker, fenced, fitComment, folded } from "./comment";
import { moveLine, movesCount } from "./moves";
import { arrowEnds, runLegend } from "./direction";
import { emitReport, type ReportFormat } from "./emit";
import { notAppliedCount, notAppliedHint, notAppliedLine } from "./renderPlan";
import { renderTable } from "./table";
import { scanLine, unmanagedCount, unmanagedMarkdown, unmanagedText } from "./unmanaged";

const VERB: Record<RunReport["operation"], string> = {
  preview: "Preview",
  up: "Update",
  drift: "Drift check",
  destroy: "Destroy",
};

function changeText(tenant: TenantRun): string {
  const parts = Object.entries(tenant.changes)
    .filter(([op, count]) => !changesNothing(op) && count > 0)
    .map(([op, count]) => `${count} to ${op}`);
  const changes = parts.length > 0 ? parts.join(", ") : "no changes";
  const edits = tenant.notApplied?.length ?? 0;
  return edits > 0 ? `${changes}; ${notAppliedCount(edits)}` : changes;
}

/** The edits `up` leaves alone, as `plan --base` prints them, and what to do if one was meant for this tenant. */
function notAppliedLines(tenant: TenantRun): string[] {
  const edits = tenant.notApplied ?? [];
  return edits.length > 0 ? [...edits.map(notAppliedLine), notAppliedHint(tenant.slug)] : [];
}

/** Whether a tenant needs a section below the table. */
function hasDetails(tenant: TenantRun): boolean {
  return shownResources(tenant).length > 0 || !!tenant.message || !!tenant.move || (tenant.notApplied?.length ?? 0) > 0;
}

/** `connectionLimit: 5 → 100`, in the direction of the operation's report (direction.ts). */
function propertyLines(operation: Operation, resource: ResourceChange): string[] {
  const text = (value: unknown) => (value === undefined ? "(unset)" : JSON.stringify(value));
  return (resource.properties ?? []).map((p) => {
    const [from, to] = arrowEnds(operation, p);
    return `${p.path}: ${text(from)} → ${text(to)}`;
  });
}

/** The resources worth a line: what changed (or differs) in the real world, or changed owner (`import`). */
function shownResources(tenant: TenantRun): readonly ResourceChange[] {
  return tenant.resources.filter((r) => !changesNothing(r.op));
}

/** Whether any line of the report has an arrow, and so needs the legend that says which way it reads. */
function hasArrows(report: RunReport): boolean {
  return report.tenants.some(
    (t) => shownResources(t).some((r) => (r.properties ?? []).length > 0) || (t.notApplied?.length ?? 0) > 0,
  );
}

export function summaryText(report: RunReport): string {
  const counts = summarize(report);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  const moves = report.tenants.filter((tenant) => tenant.move !== undefined).length;
  return `${VERB[report.operation]} of ${report.tenants.length} tenant stack${report.tenants.length === 1 ? "" : "s"} in ${report.seconds.toFixed(1)} s: ${parts.join(", ") || "nothing to do"}${moves > 0 ? `; ${movesCount(moves)}` : ""}${unmanagedCount(report)}`;
}

export function renderRunTable(report: RunReport): string {
  const rows = report.tenants.map((t) => [t.slug, t.outcome, changeText(t), `${t.seconds.toFixed(1)} s`]);
  const out = renderTable(["TENANT", "RESULT", "CHANGES", "TIME"], rows);
  if (hasArrows(report)) out.push("", runLegend(report.operation));
  for (const tenant of report.tenants) {
    if (!hasDetails(tenant)) continue;
    const details = shownResources(tenant);
    out.push("", `${tenant.slug}:`);
    // The move first: what the database created and the schema deleted below amount to.
    if (tenant.move) out.push(`  ${moveLine(tenant.slug, tenant.move)}`);
    for (const resource of details) {
      out.push(
        `  ${resource.op.padEnd(8)} ${resource.type} ${resource.name}${resource.diffs.length && !resource.properties ? ` (${resource.diffs.join(", ")})` : ""}`,
      );
      for (const line of propertyLines(report.operation, resource)) out.push(`             ${line}`);
    }
    for (const line of notAppliedLines(tenant)) out.push(`  ${line}`);
    if (tenant.message) out.push(...tenant.message.split("\n").map((l) => `  ${l}`));
  }
  out.push(...unmanagedText(report));
  const scan = scanLine(report);
  out.push("", ...(scan ? [scan] : []), summaryText(report));
  return `${out.join("\n")}\n`;
}

const ICON: Record<TenantRun["outcome"], string> = {
  unchanged: "✅",
  changed: "🟡",
  drift: "⚠️",
  failed: "❌",
  skipped: "⏭️",
  cancelled: "⏹️",
};

/** One PR comment or job summary (see comment.ts): marker, summary, a row per tenant, folded details that fit. */
export function renderRunMarkdown(report: RunReport): string {
  const legend = hasArrows(report) ? ["", `_${runLegend(report.operation)}_`] : [];
  const head = [
    commentMarker(report.operation),
    `### tenantctl ${report.operation}`,
    "",
    summaryText(report),
    ...(scanLine(report) ? ["", `_${scanLine(report)}_`] : []),
    ...legend,
    "",
    "| tenant | result | changes |",
    "|---|---|---|",
  ];
  const rows = report.tenants.map(
    (t) => `| \`${t.slug}\` | ${ICON[t.outcome]} ${t.outcome}${t.move ? ", 🚚 moves" : ""} | ${changeText(t)} |`,
  );
  const details = report.tenants.flatMap((t) => {
    if (!hasDetails(t)) return [];
    const changed = shownResources(t);
    const lines = [
      ...(t.move ? [`**${moveLine(t.slug, t.move)}**`, ""] : []),
      ...changed.flatMap((r) => [
        `- **${r.op}** \`${r.type}\` \`${r.name}\`${r.diffs.length && !r.properties ? `: ${r.diffs.map((d) => `\`${d}\``).join(", ")}` : ""}`,
        ...propertyLines(report.operation, r).map((line) => `  - \`${line}\``),
      ]),
      ...notAppliedLines(t).map((line) => `- \`${line}\``),
    ];
    if (t.message) lines.push("", fenced(t.message));
    return [folded(`<code>${t.slug}</code>: ${t.move ? "moves, " : ""}${changeText(t)}`, lines.join("\n"))];
  });
  // What no tenant file owns comes first among the details (the nightly issue is this Markdown).
  return fitComment({ head, rows, details: [...unmanagedMarkdown(report), ...details] });
}

export function renderRunJson(report: RunReport): string {
  return `${JSON.stringify({ ...report, summary: summarize(report) }, null, 2)}\n`;
}

/** A run's report in `--format`, to stdout or to each `--output <file>` (emit.ts). */
export function emitRunReport(
  report: RunReport,
  format: ReportFormat,
  outputs: readonly string[],
  out: (text: string) => void,
): void {
  const renderers = { json: renderRunJson, markdown: renderRunMarkdown, text: renderRunTable };
  emitReport((chosen) => renderers[chosen](report), format, outputs, out);
}
