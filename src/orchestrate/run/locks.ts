/**
 * Stack locks of a file backend (`PULUMI_BACKEND_URL=file://…`, the default one and the sandbox's): the engine writes
 * `<backend>/.pulumi/locks/<organization>/<project>/<stack>/<id>.json` with the holder's pid, user, host and time, and
 * removes it when it ends. A run killed with SIGKILL leaves it behind. A lock whose holder ran on this host and whose
 * process is gone is stale: nothing can still be using it.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../core/errors";

/** How long a run waits for another run's lock on a stack, unless told (`--lock-timeout`). */
export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

export interface StackLock {
  readonly file: string;
  readonly pid: number;
  readonly username: string;
  readonly hostname: string;
  readonly timestamp: string;
}

/** The directory of a file backend, or undefined for any other backend. */
export function fileBackendDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const url = env["PULUMI_BACKEND_URL"];
  if (!url?.startsWith("file://")) return undefined;
  const withoutQuery = url.replace(/\?.*$/, "");
  if (withoutQuery === "file://~" || withoutQuery.startsWith("file://~/"))
    return join(homedir(), withoutQuery.slice("file://~".length));
  return fileURLToPath(withoutQuery);
}

/** Every lock of `stack` in the file backend at `backendDir`. */
export function stackLocks(backendDir: string, project: string, stack: string): StackLock[] {
  const root = join(backendDir, ".pulumi", "locks");
  let organizations: string[];
  try {
    organizations = readdirSync(root);
  } catch {
    return [];
  }
  return organizations.flatMap((organization) => {
    const dir = join(root, organization, project, stack);
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    return names.flatMap((name): StackLock[] => {
      const file = join(dir, name);
      try {
        const content = JSON.parse(readFileSync(file, "utf8")) as Partial<StackLock>;
        return [
          {
            file,
            pid: Number(content.pid),
            username: String(content.username ?? "?"),
            hostname: String(content.hostname ?? "?"),
            timestamp: String(content.timestamp ?? "?"),
          },
        ];
      } catch {
        return [];
      }
    });
  });
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function onThisHost(lock: StackLock): boolean {
  return lock.hostname === hostname();
}

/** Held by a process of this host that is gone. */
export function isStale(lock: StackLock): boolean {
  return onThisHost(lock) && !processAlive(lock.pid);
}

export function describeHolder(lock: StackLock): string {
  return `${lock.username}@${lock.hostname} (pid ${lock.pid}) since ${lock.timestamp}`;
}

export function removeLock(lock: StackLock): void {
  rmSync(lock.file, { force: true });
}

/** `90s`, `5m`, `1h`, or plain seconds, as milliseconds; anything else is a usage error. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new UsageError(`--lock-timeout ${text}: expected a duration such as 30s, 5m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
