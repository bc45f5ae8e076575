/**
 * Where a report goes: stdout in `--format`, or each `--output <file>` (written whole, then moved into place). A file
 * named `*.json` or `*.md` gets that format whatever `--format` says, so one run can leave both the JSON for the
 * artifacts and the Markdown for the comment, without doing its work twice.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { UsageError } from "../core/errors";

export type ReportFormat = "text" | "json" | "markdown";

export function emitReport<F extends ReportFormat>(
  render: (format: F) => string,
  format: F,
  outputs: readonly string[],
  out: (text: string) => void,
): void {
  if (outputs.length === 0) {
    out(render(format));
    return;
  }
  for (const output of outputs) {
    const extension = extname(output).toLowerCase();
    const fileFormat = (extension === ".json" ? "json" : extension === ".md" ? "markdown" : format) as F;
    writeWhole(output, render(fileFormat));
  }
}

function writeWhole(output: string, text: string): void {
  const path = resolve(output);
  const partial = `${path}.${process.pid}.partial`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(partial, text);
    renameSync(partial, path);
  } catch (error) {
    throw new UsageError(`cannot write --output ${output}: ${(error as Error).message}`);
  }
}
