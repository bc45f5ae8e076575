/**
 * The layering rules of .dependency-cruiser.cjs (`npm run deps`, part of the test command) catch a wrong-direction
 * import: dependency-cruiser, with the project's own configuration, runs over a small tree of one-line modules that
 * breaks each rule once, and over one that follows them. And only src/cli exits: `process.exit` is a global, not an
 * import, so that part reads the syntax trees.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { placesWhere, repoRoot as root, sourceFiles } from "../support/sourceTrees";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Each [importer, imported]: one module of a throwaway tree that imports the other. */
function cruise(imports: readonly (readonly [string, string])[]): { status: number | null; violations: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "tenantctl-layering-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "tsconfig.test.json"),
    JSON.stringify({
      compilerOptions: { module: "commonjs", moduleResolution: "node", strict: true },
      include: ["src", "infra", "examples"],
    }),
  );
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text, { flag: "a" });
  };
  for (const [from, to] of imports) {
    let specifier = relative(dirname(from), to).replace(/\.ts$/, "");
    if (!specifier.startsWith(".")) specifier = `./${specifier}`;
    write(from, `import "${specifier}";\n`);
    write(to, "");
  }
  // As `npm run deps` runs it: its exit status is what fails the test command.
  const result = spawnSync(
    join(root, "node_modules", ".bin", "depcruise"),
    ["src", "infra", "examples", "--config", join(root, ".dependency-cruiser.cjs")],
    { cwd: dir, encoding: "utf8" },
  );
  const violations = [...result.stdout.matchAll(/^\s*error (\S+: \S+ → \S+)$/gm)].map((match) => match[1]!);
  return { status: result.status, violations: violations.sort() };
}

describe("npm run deps", () => {
  it("fails on an import against each rule, naming the rule", () => {
    const { status, violations } = cruise([
      ["src/core/a.ts", "src/orchestrate/b.ts"],
      ["infra/a.ts", "src/report/b.ts"],
      ["src/commands/a.ts", "src/cli/b.ts"],
      ["src/commands/c.ts", "src/commands/d.ts"],
      ["src/sandbox/a.ts", "src/commands/e.ts"],
      ["src/orchestrate/run/a.ts", "src/sandbox/b.ts"],
      ["src/orchestrate/engine/a.ts", "src/orchestrate/run/c.ts"],
      ["src/orchestrate/select/a.ts", "src/orchestrate/run/d.ts"],
      ["src/orchestrate/plan/a.ts", "src/orchestrate/engine/b.ts"],
      ["src/report/a.ts", "src/orchestrate/run/e.ts"],
      ["examples/app/a.ts", "src/core/k.ts"],
    ]);
    expect(status).not.toBe(0);
    expect(violations).toEqual(
      [
        "core-stays-pure: src/core/a.ts → src/orchestrate/b.ts",
        "infra-stands-on-core-only: infra/a.ts → src/report/b.ts",
        "nothing-imports-the-cli: src/commands/a.ts → src/cli/b.ts",
        "only-the-cli-imports-commands: src/commands/c.ts → src/commands/d.ts",
        "only-the-cli-imports-commands: src/sandbox/a.ts → src/commands/e.ts",
        "orchestrate-stays-below-the-app: src/orchestrate/run/a.ts → src/sandbox/b.ts",
        "engine-knows-no-run: src/orchestrate/engine/a.ts → src/orchestrate/run/c.ts",
        "select-runs-nothing: src/orchestrate/select/a.ts → src/orchestrate/run/d.ts",
        "plan-stays-offline: src/orchestrate/plan/a.ts → src/orchestrate/engine/b.ts",
        "report-only-renders: src/report/a.ts → src/orchestrate/run/e.ts",
        "example-app-uses-only-the-registry: examples/app/a.ts → src/core/k.ts",
      ].sort(),
    );
  }, 60_000);

  it("passes imports that point down", () => {
    const { status, violations } = cruise([
      ["src/cli/a.ts", "src/commands/b.ts"],
      ["src/commands/b.ts", "src/sandbox/c.ts"],
      ["src/sandbox/c.ts", "src/orchestrate/run/d.ts"],
      ["src/orchestrate/run/d.ts", "src/orchestrate/engine/e.ts"],
      ["src/orchestrate/run/d.ts", "src/orchestrate/select/f.ts"],
      ["src/orchestrate/plan/g.ts", "src/orchestrate/engine/sdkPatches/h.ts"],
      ["src/orchestrate/run/d.ts", "src/report/i.ts"],
      ["src/report/i.ts", "src/core/j.ts"],
      ["infra/k.ts", "src/core/j.ts"],
      ["examples/app/l.ts", "examples/app/m.ts"],
    ]);
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  }, 60_000);
});

/** `file:line` of every `process.exit` in the file. */
function exits(file: string): string[] {
  return placesWhere(
    file,
    readFileSync(file, "utf8"),
    (node) =>
      ts.isPropertyAccessExpression(node) &&
      node.name.text === "exit" &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "process",
  );
}

describe("the exit code", () => {
  it("is set by src/cli only: nothing else in src/ or infra/ calls process.exit", () => {
    const elsewhere = [...sourceFiles(join(root, "src")), ...sourceFiles(join(root, "infra"))]
      .filter((file) => !file.startsWith(join(root, "src", "cli")))
      .flatMap(exits);
    expect(elsewhere).toEqual([]);
    // The check sees a call where there is one.
    expect(sourceFiles(join(root, "src", "cli")).flatMap(exits).length).toBeGreaterThan(0);
    // Parses every source file: seconds on a busy runner.
  }, 60_000);
});
