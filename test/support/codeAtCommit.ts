/**
 * This repository as it was at a commit, installed and compiled, for tests that deploy with the code of before and
 * check what the code of now does to it. Extracted with `git archive` (no worktree of the repository is touched),
 * installed with `npm ci --prefer-offline` (the npm cache serves what the lockfile pins), compiled with the commit's own
 * tsc, then kept in the cache (`~/.cache/tenantctl/code-at-<commit>`): the next run starts at once.
 *
 * Every step that fails throws with what it printed: a test that needs the old code must fail, never pass without it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Written last, into a build that finished: a directory without it is never used. */
const BUILT_STAMP = ".tenantctl-built";

/** The directory holding the repository at `commit` (40 hex digits), with node_modules/ and dist/. */
export function codeAtCommit(repoRoot: string, commit: string, log: (line: string) => void = () => undefined): string {
  if (!/^[0-9a-f]{40}$/.test(commit))
    throw new Error(`codeAtCommit: "${commit}" is not a full commit hash (40 hex digits)`);
  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tenantctl");
  const dir = join(cacheRoot, `code-at-${commit}`);
  if (existsSync(join(dir, BUILT_STAMP))) return dir;

  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, `code-at-${commit.slice(0, 12)}-building-`));
  try {
    // A shallow clone (a CI checkout's default depth) lacks older commits: fetch the history once, then look again.
    if (!hasCommit(repoRoot, commit) && isShallow(repoRoot)) {
      log("this checkout is shallow: fetching its history (git fetch --unshallow)");
      step("git fetch --unshallow", "git", ["fetch", "--quiet", "--unshallow"], repoRoot);
    }
    step(
      `git cat-file -e ${commit}^{commit}`,
      "git",
      ["cat-file", "-e", `${commit}^{commit}`],
      repoRoot,
      "this checkout lacks the commit (a shallow clone?): `git fetch --unshallow`, or a checkout with fetch-depth 0",
    );
    log(`extracting ${commit.slice(0, 12)} (git archive)`);
    const archive = join(staging, ".source.tar");
    step("git archive", "git", ["archive", "--format=tar", "-o", archive, commit], repoRoot);
    step("tar -x", "tar", ["-xf", archive, "-C", staging], staging);
    rmSync(archive);
    log(`installing its dependencies (npm ci --prefer-offline)`);
    // `prepare` compiles dist/ on install; the explicit tsc below covers a commit whose package.json does not.
    step("npm ci", "npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], staging);
    if (!existsSync(join(staging, "dist", "infra", "program.js"))) {
      log("compiling it (tsc -p tsconfig.json)");
      step(
        "tsc -p tsconfig.json",
        process.execPath,
        [join(staging, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
        staging,
      );
    }
    for (const file of [join("dist", "infra", "program.js"), join("bin", "tenantctl.js")]) {
      if (!existsSync(join(staging, file))) throw new Error(`codeAtCommit: the build of ${commit} has no ${file}`);
    }
    writeFileSync(join(staging, BUILT_STAMP), `${new Date().toISOString()}\n`);
    // Another run may have finished the same build meanwhile: its copy is as good.
    if (existsSync(join(dir, BUILT_STAMP))) rmSync(staging, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    }
    return dir;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function hasCommit(repoRoot: string, commit: string): boolean {
  try {
    execFileSync("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: repoRoot, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function isShallow(repoRoot: string): boolean {
  return (
    execFileSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: repoRoot, encoding: "utf8" }).trim() === "true"
  );
}

function step(what: string, command: string, args: readonly string[], cwd: string, hint?: string): void {
  try {
    execFileSync(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const output =
      `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`.trim();
    throw new Error(`codeAtCommit: ${what} failed in ${cwd}${hint ? ` (${hint})` : ""}:\n${output || String(error)}`);
  }
}
