/**
 * Finds or builds the Pulumi engine for the runs that need the real one: the e2e tests' global setup and the
 * `sandbox` command share this one implementation.
 *
 * - A `pulumi` on PATH is used as it is (the user's own installation), provided it can reach the postgresql
 *   provider plugin (on PATH next to it, or installed under $PULUMI_HOME/plugins).
 * - Otherwise `tools/ensure-pulumi.sh` builds the pinned toolchain from Go modules into a cache (minutes the
 *   first time, a few hashes afterwards) and prints its bin directory.
 * - With neither `pulumi` nor `go`, the engine is unavailable: the caller says why (the e2e setup fails the run,
 *   the sandbox exits 1). A failed build is an error, never "unavailable".
 *
 * Plain TypeScript (no Pulumi, no vitest): it only looks at the file system and spawns the build script.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { findOnPath } from "../orchestrate/engine/findOnPath";

/** The build script, relative to the repository root. */
export const ENSURE_PULUMI_SCRIPT = "tools/ensure-pulumi.sh";

export type EngineLookup =
  | {
      readonly available: true;
      /** Directory holding `pulumi` and the plugins; prepend it to PATH (see `engineEnv`). */
      readonly binDir: string;
      /** `path`: the user's own pulumi; `built`: the pinned toolchain from the cache (built now or before). */
      readonly source: "path" | "built";
    }
  | { readonly available: false; readonly reason: string };

export interface FindEngineOptions {
  /** Repository root: where tools/ensure-pulumi.sh is. */
  readonly repoRoot: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Build progress (ensure-pulumi.sh's stderr), line by line. @default nothing */
  readonly log?: (line: string) => void;
}

/** Whether the engine started from `binDir` can load the postgresql provider without downloading it. */
export function hasPostgresPlugin(
  binDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (existsSync(join(binDir, "pulumi-resource-postgresql")) || findOnPath("pulumi-resource-postgresql", env))
    return true;
  const plugins = join(env["PULUMI_HOME"] || join(homedir(), ".pulumi"), "plugins");
  try {
    return readdirSync(plugins).some(
      (entry) => entry.startsWith("resource-postgresql-v") && !entry.endsWith(".lock") && !entry.endsWith(".partial"),
    );
  } catch {
    return false;
  }
}

/** Finds the engine, building it when Go is there. Rejects when the build fails. */
export async function findOrBuildEngine(options: FindEngineOptions): Promise<EngineLookup> {
  const env = options.env ?? process.env;
  const onPath = findOnPath("pulumi", env);
  if (onPath && hasPostgresPlugin(onPath, env)) return { available: true, binDir: onPath, source: "path" };
  if (!findOnPath("go", env)) {
    return {
      available: false,
      reason: onPath
        ? `the pulumi on PATH (${onPath}) has no postgresql provider plugin and there is no \`go\` to build the pinned toolchain: ` +
          "run `pulumi plugin install resource postgresql`, or install Go >= 1.25"
        : "neither `pulumi` nor `go` is on PATH: install the Pulumi CLI (https://www.pulumi.com/docs/install/), or Go >= 1.25 so " +
          `${ENSURE_PULUMI_SCRIPT} can build the pinned toolchain`,
    };
  }
  // A pulumi on PATH without the plugin: build the whole pinned toolchain instead of mixing the two.
  const binDir = await runEnsurePulumi(
    options.repoRoot,
    { ...env, ...(onPath ? { TENANTCTL_PULUMI_FROM_SOURCE: "1" } : {}) },
    options.log,
  );
  return { available: true, binDir, source: "built" };
}

/** Runs tools/ensure-pulumi.sh; resolves to the bin directory it prints, rejects with its stderr tail. */
export function runEnsurePulumi(
  repoRoot: string,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const script = join(repoRoot, ENSURE_PULUMI_SCRIPT);
  if (!existsSync(script))
    return Promise.reject(new Error(`${script} is missing: it builds the Pulumi engine from Go modules`));
  return new Promise((resolvePromise, reject) => {
    const bashDir = findOnPath("bash", env) ?? findOnPath("bash", process.env);
    const child = spawn(bashDir ? join(bashDir, "bash") : "bash", [script], {
      cwd: repoRoot,
      env: { ...env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) log(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (partial) log(partial);
      const binDir = stdout.trim().split("\n").pop()?.trim() ?? "";
      if (code === 0 && binDir !== "" && existsSync(join(binDir, "pulumi"))) {
        resolvePromise(binDir);
        return;
      }
      const tail = stderr.trim().split("\n").slice(-20).join("\n");
      reject(
        new Error(`${ENSURE_PULUMI_SCRIPT} failed (exit code ${code}): the Pulumi engine could not be built\n${tail}`),
      );
    });
  });
}

/**
 * The environment every engine run needs: the engine first on PATH, no plugin downloads (the machines this is
 * built on may be offline, and an unexpected download hides a missing pin), no update check.
 */
export function engineEnv(
  binDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const path = env["PATH"] ?? "";
  const alreadyFirst = path.split(delimiter)[0] === binDir;
  return {
    PATH: alreadyFirst ? path : `${binDir}${path ? delimiter + path : ""}`,
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
}

/** The repository root of this checkout, from this file's place in it (src/sandbox/ or dist/src/sandbox/). */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ENSURE_PULUMI_SCRIPT)) || existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return from;
  }
}
