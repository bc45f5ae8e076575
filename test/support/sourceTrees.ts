/**
 * What a test that reads the product's own source needs: every `.ts` file under a folder, and the places in one file
 * whose syntax node matches (a global such as `process` is not an import, so dependency-cruiser cannot see it).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export const repoRoot = join(__dirname, "..", "..");

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `file:line` (relative to the repository) of every node of `text` that `matches`. */
export function placesWhere(file: string, text: string, matches: (node: ts.Node) => boolean): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (matches(node))
      found.push(`${relative(repoRoot, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
