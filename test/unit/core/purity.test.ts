/**
 * src/core is pure: no `process` (environment, argv, exit, working directory). Imports are checked by
 * dependency-cruiser (.dependency-cruiser.cjs); a global is not an import, so this test reads the syntax trees.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { placesWhere, repoRoot, sourceFiles } from "../../support/sourceTrees";

const core = join(repoRoot, "src", "core");

/** `file:line` of every use of the identifier `process` in the file. */
function usesOfProcess(file: string, text: string): string[] {
  return placesWhere(file, text, (node) => ts.isIdentifier(node) && node.text === "process");
}

describe("src/core purity", () => {
  it("never touches `process`", () => {
    const files = sourceFiles(core);
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((file) => usesOfProcess(file, readFileSync(file, "utf8")))).toEqual([]);
  });

  it("would see a use of it (the check itself can fail)", () => {
    expect(usesOfProcess(join(core, "x.ts"), "export const home = process.env.HOME;\n")).toEqual(["src/core/x.ts:1"]);
  });
});
