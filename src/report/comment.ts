/**
 * One pull-request comment or job summary: a hidden marker line a workflow finds its own comment by, and never more
 * than GitHub takes in one comment. Per-tenant details are folded; when they do not all fit, the largest are left
 * out first, and the comment says how many were and where the full report is.
 */

/** GitHub refuses a comment body (and truncates a job summary) beyond 65,536 characters. */
export const COMMENT_MAX_LENGTH = 65_536;

/** `<!-- tenantctl:plan -->`, `<!-- tenantctl:drift -->`, …: the first line of every Markdown report. */
export function commentMarker(kind: string): string {
  return `<!-- tenantctl:${kind} -->`;
}

export interface CommentParts {
  /** The marker, title and summary: always shown. */
  readonly head: readonly string[];
  /** One table row per tenant, after the table's header (part of `head`). */
  readonly rows: readonly string[];
  /** One folded section per tenant that has something to show, in report order. */
  readonly details: readonly string[];
}

/** Where the full report is, said when something had to be left out. */
const FULL_REPORT = "the full report is in this run's artifacts (`--format json`)";

export function fitComment(parts: CommentParts, limit = COMMENT_MAX_LENGTH): string {
  const join = (lines: readonly string[]) => `${lines.join("\n")}\n`;
  const head = [...parts.head];
  let rows = [...parts.rows];
  const whole = join([...head, ...rows, ...parts.details.flatMap((detail) => ["", detail])]);
  if (whole.length <= limit) return whole;

  // The table first: if even it does not fit, its last rows go, with a line that says so.
  const rowsNote = (left: number) => `| … | ${left} more tenants | ${FULL_REPORT} |`;
  const noteRoom = 200;
  while (rows.length > 0 && join([...head, ...rows]).length + noteRoom > limit)
    rows = rows.slice(0, Math.max(0, rows.length - Math.max(1, Math.ceil(rows.length / 10))));
  if (rows.length < parts.rows.length) rows.push(rowsNote(parts.rows.length - rows.length));

  // Then the details, largest left out first, the rest kept in report order.
  const byLength = parts.details
    .map((text, index) => ({ text, index }))
    .sort((a, b) => b.text.length - a.text.length || a.index - b.index);
  const left = new Set<number>();
  const render = () => {
    const kept = parts.details.filter((_, index) => !left.has(index));
    const note =
      left.size > 0
        ? [
            "",
            `_${left.size} of ${parts.details.length} tenants' details were left out to fit one comment (the largest first); ${FULL_REPORT}._`,
          ]
        : [];
    return join([...head, ...rows, ...kept.flatMap((detail) => ["", detail]), ...note]);
  };
  for (const { index } of byLength) {
    if (render().length <= limit) break;
    left.add(index);
  }
  return render();
}

/** A code fence longer than any run of backticks in `text`, so nothing in it can close the block early. */
export function fenced(text: string, language = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** A folded section: `<details><summary>…</summary> … </details>`. */
export function folded(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
