/**
 * Vitest global setup for the e2e project: the real Pulumi engine.
 *
 * - Finds or builds the engine (src/sandbox/pulumiEngine.ts, shared with `tenantctl sandbox`): a `pulumi` on PATH, else
 *   tools/ensure-pulumi.sh builds the pinned toolchain from Go modules and its bin dir goes first on PATH.
 * - With neither `pulumi` nor `go` this setup fails, naming the fix, and so does the run: an e2e suite that did not
 *   run is never a pass. The one way to leave it out is to say so: TENANTCTL_TEST_SKIP=e2e (vitest.config.mts).
 *   A failed build fails this setup too.
 * - Compiles dist/ when it is missing or older than a source file: Pulumi.yaml runs dist/infra/program.js, and a
 *   stale dist would test old code.
 * - A fresh file backend in a temp dir (removed afterwards), a test passphrase, no plugin downloads, no update
 *   check. Test workers are forked after this runs, so they (and the engine they spawn) inherit the environment.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { TestProject } from "vitest/node";
import { engineEnv, findOrBuildEngine } from "../../src/sandbox/pulumiEngine";
// For the `ProvidedContext` augmentation that types `provide("pulumi", ...)`; erased at run time.
import type {} from "./pulumi";

/** The passphrase of the e2e's stacks; their state lives in a temp dir and dies with the run. */
export const E2E_PASSPHRASE = "tenantctl-e2e-passphrase";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const repoRoot = project.config.root;
  const log = (line: string) => process.stderr.write(`[pulumi setup] ${line}\n`);

  const engine = await findOrBuildEngine({ repoRoot, log: (line) => log(line) });
  if (!engine.available) {
    throw new Error(
      `the e2e tests need the Pulumi engine: ${engine.reason}; or leave them out: TENANTCTL_TEST_SKIP=e2e`,
    );
  }

  ensureCompiled(repoRoot, log);

  const backendDir = mkdtempSync(join(tmpdir(), "tenantctl-e2e-state-"));
  const env = {
    ...engineEnv(engine.binDir),
    PULUMI_CONFIG_PASSPHRASE: E2E_PASSPHRASE,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
  };
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  log(
    `engine: ${engine.binDir} (${engine.source === "path" ? "found on PATH" : "pinned build"}); state: ${backendDir}`,
  );
  project.provide("pulumi", { binDir: engine.binDir, backendDir, passphrase: E2E_PASSPHRASE, repoRoot });

  return async () => {
    rmSync(backendDir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Directories compiled into dist/ by tsconfig.json. */
const SOURCE_DIRS = ["src", "infra", "bench"];

/**
 * Recompiles when any `.ts` under src/, infra/ or bench/ has no `.js` in dist/ or a newer mtime than it (a few
 * hundred `stat`s), or when tsconfig.json or package-lock.json changed since. Compile errors fail the setup.
 */
export function ensureCompiled(repoRoot: string, log: (line: string) => void): void {
  const stale = staleOutput(repoRoot);
  if (stale === undefined) return;
  log(`compiling dist/ (${stale})`);
  try {
    execFileSync(
      process.execPath,
      [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      },
    );
  } catch (error) {
    const output =
      `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`.trim();
    throw new Error(
      `tsc -p tsconfig.json failed, so dist/ (which the Pulumi program runs from) is not current:\n${output}`,
    );
  }
}

/** Why dist/ is stale, or undefined when it is current. */
export function staleOutput(repoRoot: string): string | undefined {
  const dist = join(repoRoot, "dist");
  const program = join(dist, "infra", "program.js");
  if (!existsSync(program)) return "dist/infra/program.js is missing";
  const oldestOutput = { mtime: Infinity };
  for (const dir of SOURCE_DIRS) {
    for (const source of typeScriptFiles(join(repoRoot, dir))) {
      const output = join(dist, relative(repoRoot, source)).replace(/\.ts$/, ".js");
      if (!existsSync(output)) return `${relative(repoRoot, output)} is missing`;
      const outputTime = statSync(output).mtimeMs;
      if (statSync(source).mtimeMs > outputTime) return `${relative(repoRoot, source)} is newer than its output`;
      oldestOutput.mtime = Math.min(oldestOutput.mtime, outputTime);
    }
  }
  for (const file of ["tsconfig.json", "package-lock.json"]) {
    const path = join(repoRoot, file);
    if (existsSync(path) && statSync(path).mtimeMs > oldestOutput.mtime) return `${file} changed since the last build`;
  }
  return undefined;
}

function* typeScriptFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield path;
  }
}
