#!/usr/bin/env python3
"""Runs one command and measures its whole process tree: what bench/peer.ts needs and Node cannot do.

    measure.py --out result.json [--sample-ms 10] -- command args...

* CPU: user + system seconds of every process of the tree, from getrusage(RUSAGE_CHILDREN). This process makes itself
  a child subreaper (prctl PR_SET_CHILD_SUBREAPER) first, so a process whose parent exits without waiting for it (an
  orphaned plugin) is reparented here and reaped here, and its CPU counts too. Processes still running when the
  command has exited are killed and reaped (and listed as `leftRunning`).
* Peak RSS: ru_maxrss of RUSAGE_CHILDREN, the largest single process of the tree, in KiB.
* With --sample-ms, a per-process breakdown: every process of the tree seen in /proc while sampling, with its command
  line and its last-seen CPU (utime + stime, 10 ms ticks) and peak RSS (VmHWM). A process that lives less than one
  interval may be missed, and each process's last interval is not counted, so the breakdown's sum is a little below
  the rusage total; the caller prints the difference as "not attributed".

The command's stdout/stderr are inherited (redirect them as you like); its exit code goes into the JSON.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
TICKS = os.sysconf("SC_CLK_TCK")


def read_stat(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read().decode("utf-8", "replace")
    # comm may contain spaces and parentheses: split after the last ')'.
    rest = data[data.rindex(")") + 2:].split()
    ppid = int(rest[1])
    cpu = (int(rest[11]) + int(rest[12])) / TICKS
    return ppid, cpu


def read_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


class Sampler(threading.Thread):
    """Follows the descendants of `root` (this process) through /proc, every `interval` seconds."""

    def __init__(self, interval):
        super().__init__(daemon=True)
        self.interval = interval
        self.stop_event = threading.Event()
        self.me = os.getpid()
        self.seen = set()  # every pid looked at once (descendant or not)
        self.tree = {}  # pid -> {ppid, cmd, cpu, rssKiB, first, last}
        self.started = time.monotonic()

    def is_descendant(self, ppid):
        return ppid == self.me or ppid in self.tree

    def sweep(self):
        now = time.monotonic() - self.started
        try:
            pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return
        for pid in pids:
            known = self.tree.get(pid)
            if known is None and pid in self.seen:
                continue
            try:
                ppid, cpu = read_stat(pid)
            except (OSError, ValueError, IndexError):
                continue
            if known is None:
                self.seen.add(pid)
                if not self.is_descendant(ppid):
                    continue
                known = self.tree[pid] = {"pid": pid, "ppid": ppid, "cmd": read_cmdline(pid), "cpu": 0.0, "rssKiB": 0, "first": now}
            else:
                # Re-read: a wrapper that execs (the dynamic provider's sh script) keeps its pid, not its command.
                known["cmd"] = read_cmdline(pid) or known["cmd"]
            known["cpu"] = max(known["cpu"], cpu)
            known["rssKiB"] = max(known["rssKiB"], read_hwm_kib(pid))
            known["last"] = now

    def run(self):
        while not self.stop_event.is_set():
            self.sweep()
            self.stop_event.wait(self.interval)

    def stop(self):
        self.stop_event.set()
        self.join()


def main(argv):
    out = None
    sample_ms = 0
    args = list(argv)
    while args and args[0] != "--":
        flag = args.pop(0)
        if flag == "--out":
            out = args.pop(0)
        elif flag == "--sample-ms":
            sample_ms = int(args.pop(0))
        else:
            raise SystemExit(f"measure.py: unknown flag {flag}")
    if not args or args[0] != "--" or len(args) < 2 or out is None:
        raise SystemExit("usage: measure.py --out FILE [--sample-ms N] -- command args...")
    command = args[1:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"measure.py: prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")

    sampler = Sampler(sample_ms / 1000) if sample_ms > 0 else None
    if sampler:
        sampler.start()
    started = time.monotonic()
    child = subprocess.Popen(command)
    code = child.wait()
    wall = time.monotonic() - started

    # Orphans (reparented to us) that are still running: give them a moment, then stop them; reap everything.
    left = []
    deadline = time.monotonic() + 3
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        ppid, _ = read_stat(int(entry))
                    except (OSError, ValueError, IndexError):
                        continue
                    if ppid == os.getpid():
                        left.append(" ".join(read_cmdline(int(entry)))[:200])
                        try:
                            os.kill(int(entry), signal.SIGKILL)
                        except OSError:
                            pass
            deadline = float("inf")
            time.sleep(0.05)
    if sampler:
        sampler.stop()

    usage = __import__("resource").getrusage(__import__("resource").RUSAGE_CHILDREN)
    result = {
        "command": command,
        "exitCode": code,
        "wall": wall,
        "user": usage.ru_utime,
        "system": usage.ru_stime,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxRssKiB": usage.ru_maxrss,
        "leftRunning": left,
    }
    if sampler:
        result["processes"] = sorted(sampler.tree.values(), key=lambda p: p["first"])
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1:])
