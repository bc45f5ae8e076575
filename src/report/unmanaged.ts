/** How the drift report shows what no tenant file owns (`unmanaged`) and what the scan did, in text and Markdown. */
import { fenced, folded } from "./comment";
import type { RunReport, UnmanagedObject } from "./runReport";
import { renderTable } from "./table";

/** `; 2 unmanaged objects` for the summary line, or nothing. */
export function unmanagedCount(report: RunReport): string {
  const count = report.unmanaged?.length ?? 0;
  return count > 0 ? `; ${count} unmanaged object${count === 1 ? "" : "s"}` : "";
}

/** `Scan: 998 of 1000 tenant stacks as the files say (1.2 s); 2 went to the engine.` */
export function scanLine(report: RunReport): string | undefined {
  const scan = report.scan;
  if (!scan) return undefined;
  return `Scan: ${scan.clean} of ${scan.scanned} tenant stack${scan.scanned === 1 ? "" : "s"} as the files say (${scan.seconds.toFixed(1)} s); ${scan.toEngine} went to the engine.`;
}

function notListedLines(report: RunReport): string[] {
  return (report.scan?.notListed ?? []).map((what) => `Not listed (the list may be incomplete): ${what}`);
}

export function unmanagedText(report: RunReport): string[] {
  const objects = report.unmanaged ?? [];
  const notListed = notListedLines(report);
  if (objects.length === 0) return notListed.length > 0 ? ["", ...notListed] : [];
  return [
    "",
    "Unmanaged: no tenant file owns these",
    ...renderTable(
      ["KIND", "NAME", "SERVER", "REMEDY"],
      objects.map((o) => [o.kind, o.name, o.server, o.remedy]),
    ).map((line) => `  ${line}`),
    ...notListed,
  ];
}

/** One folded section listing them, with the remedies in a code block to copy from. */
export function unmanagedMarkdown(report: RunReport): string[] {
  const objects = report.unmanaged ?? [];
  if (objects.length === 0) return notListedLines(report).map((line) => `_${line}_`);
  const rows = objects.map(
    (o: UnmanagedObject) => `| ${o.kind} | \`${o.name}\` | ${o.server} | \`${o.remedy.replace(/\|/g, "\\|")}\` |`,
  );
  return [
    folded(
      `🧹 ${objects.length} unmanaged object${objects.length === 1 ? "" : "s"}: no tenant file owns ${objects.length === 1 ? "it" : "them"}`,
      [
        "| kind | name | server | remedy |",
        "|---|---|---|---|",
        ...rows,
        "",
        fenced(objects.map((o) => `-- ${o.kind} ${o.name} (${o.server})\n${o.remedy}`).join("\n"), "sql"),
      ].join("\n"),
    ),
    ...notListedLines(report).map((line) => `_${line}_`),
  ];
}
