/**
 * The processes of this machine as /proc shows them (Linux), for tests that must see what a run left behind without
 * asking the product: who is whose child, which process group, and whether a pid is still the same process (a pid
 * can be reused; its start time tells them apart).
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Process group. */
  readonly pgid: number;
  /** Clock ticks after boot: with the pid, identifies the process. */
  readonly startTime: number;
  readonly command: string;
}

/** One process, or undefined when it is gone (or a zombie: it runs nothing any more). */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    // `pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    // priority nice threads itrealvalue starttime …`: comm may hold spaces and parentheses, so read after the last `)`.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]), command };
  } catch {
    return undefined;
  }
}

export function allProcesses(): ProcessInfo[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => processInfo(Number(name)) ?? []);
}

/** Every process below `pid` (children, their children, …), whatever process group they moved to. */
export function descendantsOf(pid: number, processes: readonly ProcessInfo[] = allProcesses()): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const process of processes) {
      if (parents.has(process.ppid) && !parents.has(process.pid)) {
        parents.add(process.pid);
        found.push(process);
        grew = true;
      }
    }
  }
  return found;
}

/** Whether `seen` still runs: the same pid with the same start time. */
export function stillRunning(seen: ProcessInfo): boolean {
  return processInfo(seen.pid)?.startTime === seen.startTime;
}

/** SIGKILL, ignoring a process that is already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}
