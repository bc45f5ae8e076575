/** Where a report goes: stdout, or with `--output <file>` that file (written whole, then moved into place). */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../core/errors";

export function emitReport(text: string, output: string | undefined, out: (text: string) => void): void {
  if (output === undefined) {
    out(text);
    return;
  }
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
