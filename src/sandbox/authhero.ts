/**
 * The real AuthHero server of `tenantctl sandbox --auth authhero` and of the tests: the small package under
 * `test/authhero-server/` (its own package.json and lockfile, so AuthHero is never a dependency of tenantctl itself),
 * installed with `npm ci` on first use or when its lockfile changed, then started on a free loopback port with a
 * throwaway SQLite database. The server prints one JSON line, `{url, clientId, clientSecret, …}`, when it answers.
 *
 * Plain TypeScript (no Pulumi, no vitest): it spawns npm and node, and looks at the file system.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopChild } from "./localProcess";

/** The server's package, relative to the repository root. */
export const AUTHHERO_SERVER_DIR = join("test", "authhero-server");

/** Written into node_modules after a successful install: the lockfile's hash it was installed from. */
const INSTALL_STAMP = join("node_modules", ".tenantctl-installed-lock");

export interface AuthHeroServerInfo {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The control-plane tenant the client belongs to. */
  readonly tenantId: string;
  readonly pid: number;
  /** From the process's start to its first answer, as the server measured it. */
  readonly startupMs: number;
}

export interface RunningAuthHero extends AuthHeroServerInfo {
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Leaves the server running after this process exits; returns the shell command that stops it. */
  keepRunning(): string;
}

function lockHash(dir: string): string {
  return createHash("sha256")
    .update(readFileSync(join(dir, "package-lock.json")))
    .digest("hex");
}

/** Whether the server's package is installed from its current lockfile. */
export function authheroServerInstalled(repoRoot: string): boolean {
  const dir = join(repoRoot, AUTHHERO_SERVER_DIR);
  const stamp = join(dir, INSTALL_STAMP);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === lockHash(dir);
}

/**
 * Installs the server's package when it is missing or its lockfile changed (`npm ci`, about a minute: most of it
 * compiles better-sqlite3). `log` gets one line before an install starts, so a first run says why it waits.
 */
export async function ensureAuthHeroServer(
  repoRoot: string,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const dir = join(repoRoot, AUTHHERO_SERVER_DIR);
  if (!existsSync(join(dir, "package-lock.json")))
    throw new Error(
      `${join(dir, "package-lock.json")} is missing: the AuthHero server's package comes with the repository`,
    );
  if (authheroServerInstalled(repoRoot)) return dir;
  // Two test files (or a test run and a sandbox) may get here at once: one installs, the others wait for its stamp.
  const lock = join(dir, ".install-lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // A lock older than any install is left by a killed one.
      if (age > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (authheroServerInstalled(repoRoot)) return dir;
    }
  }
  try {
    if (!authheroServerInstalled(repoRoot)) await install(dir, log);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

async function install(dir: string, log: (line: string) => void): Promise<void> {
  log(
    `installing the AuthHero server (npm ci in ${AUTHHERO_SERVER_DIR}; about a minute the first time, compiling better-sqlite3)`,
  );
  await new Promise<void>((resolve, reject) => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const child = spawn(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `npm ci in ${dir} failed (exit code ${code}):\n${output.trim().split("\n").slice(-20).join("\n")}`,
            ),
          ),
    );
  });
  writeFileSync(join(dir, INSTALL_STAMP), `${lockHash(dir)}\n`);
}

export interface StartAuthHeroOptions {
  /** @default 60 s */
  readonly timeoutMs?: number;
  /** Where the server's own log goes. @default a file in a temporary directory, removed on stop */
  readonly logFile?: string;
  /** Install progress. */
  readonly log?: (line: string) => void;
}

/** Starts the server (installing it first if needed); resolves once it printed where it listens. */
export async function startAuthHero(repoRoot: string, options: StartAuthHeroOptions = {}): Promise<RunningAuthHero> {
  const dir = await ensureAuthHeroServer(repoRoot, options.log);
  const tempDir = options.logFile ? undefined : mkdtempSync(join(tmpdir(), "tenantctl-authhero-"));
  const logFile = options.logFile ?? join(tempDir!, "server.log");
  // The log is a file, not a pipe: a server left running (--keep) must not die writing to a reader that went away.
  const logFd = openSync(logFile, "a");
  const child = spawn(process.execPath, [join(dir, "start.js")], {
    cwd: dir,
    stdio: ["ignore", "pipe", logFd],
    detached: true,
  });
  closeSync(logFd);
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const stopOnExit = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    removeTemp();
  };
  process.on("exit", stopOnExit);
  try {
    const info = await firstLine(child, options.timeoutMs ?? 60_000, logFile);
    let exited = child.exitCode !== null;
    child.once("exit", () => (exited = true));
    child.stdout?.resume();
    return {
      ...info,
      async stop() {
        process.removeListener("exit", stopOnExit);
        if (exited) return removeTemp();
        await stopChild(child);
        removeTemp();
      },
      keepRunning() {
        process.removeListener("exit", stopOnExit);
        child.unref();
        child.stdout?.destroy();
        return `kill ${info.pid} 2>/dev/null || true`;
      },
    };
  } catch (error) {
    process.removeListener("exit", stopOnExit);
    stopOnExit();
    throw error;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number, logFile: string): Promise<AuthHeroServerInfo> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`the AuthHero server did not start within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
      const tail = log.trim().split("\n").slice(-15).join("\n");
      reject(tail ? new Error(`${error.message}\n--- server log (tail) ---\n${tail}`) : error);
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0 || settled) return;
      clearTimeout(timer);
      try {
        const info = JSON.parse(stdout.slice(0, newline)) as AuthHeroServerInfo;
        settled = true;
        resolve(info);
      } catch {
        fail(new Error(`the AuthHero server printed no JSON line: ${stdout.slice(0, 200)}`));
      }
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`the AuthHero server exited with code ${code} before it listened`)));
  });
}
