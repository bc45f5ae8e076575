/**
 * `migrate` holds the tenant's stack lock while it migrates the tenant, so that a tenant is never migrated while its
 * stack runs (an `up`, which may also be moving its data) and no `up` starts while it is migrated: the same lock file
 * the engine writes in a file backend (run/locks.ts), written the engine's way (look, write, look again), so `up`
 * waits for `migrate` as for another `up`, and `tenantctl unlock` and stale-lock clearing treat it alike. Other backends
 * keep their locks where only the engine reaches them: there, the advisory lock of the migrations themselves is what
 * keeps a `migrate` and a stack's migrations resource apart (infra/dynamic/migrations/runner.ts).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  describeHolder,
  fileBackendDir,
  isStale,
  removeLock,
  type StackLock,
  stackLocks,
} from "../run/locks";

/** The organization of every stack in a file backend. */
const FILE_BACKEND_ORGANIZATION = "organization";

export class StackLocked extends Error {
  override readonly name = "StackLocked";
}

export interface StackLockOptions {
  readonly project: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly lockTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly note?: (line: string) => void;
}

/** Runs `work` holding `slug`'s stack lock (file backends); waits for another holder until the lock timeout. */
export async function holdingStackLock<T>(slug: string, options: StackLockOptions, work: () => Promise<T>): Promise<T> {
  const backend = fileBackendDir(options.env);
  if (!backend) return work();
  const ours = await acquire(backend, slug, options);
  try {
    return await work();
  } finally {
    removeLock(ours);
  }
}

async function acquire(backend: string, slug: string, options: StackLockOptions): Promise<StackLock> {
  const deadline = Date.now() + (options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let wait = 250;
  for (;;) {
    const others = held(backend, slug, options);
    if (others.length === 0) {
      const ours = write(backend, slug, options.project);
      // Two writers at once both see the other's file on the second look: both step back and try again.
      if (held(backend, slug, options).every((lock) => lock.file === ours.file)) return ours;
      removeLock(ours);
    }
    const holder = others[0];
    if (options.signal?.aborted) throw new StackLocked(`${slug}: interrupted while waiting for its stack's lock`);
    if (Date.now() + wait > deadline)
      throw new StackLocked(
        `stack ${slug} is locked by ${holder ? describeHolder(holder) : "another run"}; waited ${Math.round((options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS) / 1000)} s (--lock-timeout). If that run is gone, \`tenantctl unlock ${slug}\` removes its lock`,
      );
    if (holder) options.note?.(`${slug}: locked by ${describeHolder(holder)}; trying again in ${wait / 1000} s`);
    await sleep(wait + Math.floor(Math.random() * 100), options.signal);
    wait = Math.min(wait * 2, 15_000);
  }
}

/** The live locks of the stack; stale ones (their process on this host is gone) are cleared, with a notice. */
function held(backend: string, slug: string, options: StackLockOptions): StackLock[] {
  return stackLocks(backend, options.project, slug).filter((lock) => {
    if (!isStale(lock)) return true;
    removeLock(lock);
    options.note?.(`${slug}: cleared a stale lock of ${describeHolder(lock)}: that process is gone`);
    return false;
  });
}

function write(backend: string, slug: string, project: string): StackLock {
  const dir = join(backend, ".pulumi", "locks", FILE_BACKEND_ORGANIZATION, project, slug);
  mkdirSync(dir, { recursive: true });
  const lock = {
    pid: process.pid,
    username: userInfo().username,
    hostname: hostname(),
    timestamp: new Date().toISOString(),
  };
  const file = join(dir, `${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(lock));
  return { file, ...lock };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
