/** The one plain-text table renderer: columns padded to their widest cell (or to a cap), two spaces apart. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidths: readonly (number | undefined)[] = [],
): string[] {
  const widths = header.map((title, i) =>
    Math.min(maxWidths[i] ?? Infinity, Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
