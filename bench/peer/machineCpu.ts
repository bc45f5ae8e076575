/**
 * What a measured command's process tree does not show: the CPU the PostgreSQL server spends for it (a backend per
 * connection, forked by the postmaster, outside the command's tree) and how busy the whole machine was meanwhile.
 * Both tools drive the same server, and on a 2-core runner it competes with them for the cores: the fleet's
 * `--parallel 2` can only be as much faster than `--parallel 1` as the cores left idle at `--parallel 1` allow.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times: 100 on Linux (USER_HZ), whatever the kernel's HZ. */
const TICKS = 100;

export interface MachineSnapshot {
  /** CPU seconds of the server: the postmaster, its live children, and the children it has reaped. */
  readonly serverCpu: number;
  /**
   * CPU seconds the whole machine was busy (all cores, /proc/stat: user, nice, system, irq, softirq; not idle, iowait,
   * nor steal, the time the hypervisor gave this machine's cores to another).
   */
  readonly busy: number;
}

export function machineSnapshot(postmasterPid: number): MachineSnapshot {
  return { serverCpu: serverCpuSeconds(postmasterPid), busy: machineBusySeconds() };
}

/** From `before` to now. */
export function machineSince(before: MachineSnapshot, postmasterPid: number): MachineSnapshot {
  const now = machineSnapshot(postmasterPid);
  return { serverCpu: now.serverCpu - before.serverCpu, busy: now.busy - before.busy };
}

function statFields(pid: number | string): string[] | undefined {
  try {
    const data = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    return data.slice(data.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * A backend that exits between two snapshots moves from "live child" to the postmaster's cutime/cstime, so the
 * difference of two snapshots counts it once.
 */
function serverCpuSeconds(postmasterPid: number): number {
  const own = statFields(postmasterPid);
  if (!own) throw new Error(`no PostgreSQL server with pid ${postmasterPid}`);
  // Fields after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

/** User + system CPU seconds of one live process so far (not its children). */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS : Number.NaN;
}

function machineBusySeconds(): number {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, , , irq, softirq] = values.map(Number);
  return (user! + nice! + system! + irq! + softirq!) / TICKS;
}
