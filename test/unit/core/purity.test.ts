/**
 * src/core is pure: no `process` (environment, argv, exit, working directory). Imports are checked by
 * dependency-cruiser (.dependency-cruiser.cjs); a global is not an import, so this test reads the syntax trees.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");
const core = join(root, "src", "core");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** `file:line` of every use of the identifier `process` in the file. */
export function usesOfProcess(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && node.text === "process") {
      found.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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
