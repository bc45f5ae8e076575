/**
 * One command's cost, whole process tree included (bench/peer/measure.py does the measuring: a child subreaper, so an
 * orphaned plugin's CPU counts too), and a per-process breakdown grouped by what each process is.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { machineSince, machineSnapshot, type MachineSnapshot } from "./machineCpu";

export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  readonly cmd: readonly string[];
  /** user + system seconds, last seen (10 ms ticks). */
  readonly cpu: number;
  readonly rssKiB: number;
}

export interface Cost {
  readonly exitCode: number;
  readonly wall: number;
  /** user + system seconds of every process of the tree. */
  readonly cpu: number;
  /** The largest single process, MiB. */
  readonly peakMiB: number;
  /** Only when sampled. */
  readonly processes?: readonly ProcessSample[];
  /** Only with `serverPid`: what the PostgreSQL server and the whole machine spent meanwhile. */
  readonly machine?: MachineSnapshot;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Sample /proc for a per-process breakdown every so many ms (it costs the machine a little CPU). @default 0 (off) */
  readonly sampleMs?: number;
  /** Exit codes that are fine. @default [0] */
  readonly okExitCodes?: readonly number[];
  /** Where the command's output goes (a log file); it is never shown unless the command fails. */
  readonly log: string;
  /** The PostgreSQL server's postmaster: its CPU and the machine's during the command are measured too. */
  readonly serverPid?: number;
}

const MEASURE_PY = join(__dirname, "..", "..", "..", "bench", "peer", "measure.py");

export function measure(command: readonly string[], options: MeasureOptions): Cost {
  const out = `${options.log}.cost.json`;
  const args = [
    MEASURE_PY,
    "--out",
    out,
    ...(options.sampleMs ? ["--sample-ms", String(options.sampleMs)] : []),
    "--",
    ...command,
  ];
  const logged = `exec python3 ${args.map(shellQuote).join(" ")} >${shellQuote(options.log)} 2>&1`;
  const { serverPid } = options;
  const before = serverPid ? machineSnapshot(serverPid) : undefined;
  const result = spawnSync("bash", ["-c", logged], { cwd: options.cwd, env: options.env, stdio: "inherit" });
  const machine = serverPid && before ? machineSince(before, serverPid) : undefined;
  if (result.status !== 0)
    throw new Error(`measure.py failed (exit ${result.status}) for ${command.join(" ")}; see ${options.log}`);
  const raw = JSON.parse(readFileSync(out, "utf8")) as {
    exitCode: number;
    wall: number;
    cpu: number;
    maxRssKiB: number;
    processes?: ProcessSample[];
  };
  rmSync(out, { force: true });
  if (!(options.okExitCodes ?? [0]).includes(raw.exitCode)) {
    const tail = readFileSync(options.log, "utf8").split("\n").slice(-30).join("\n");
    throw new Error(
      `${command.map((a) => basename(a)).join(" ")} exited ${raw.exitCode} (in ${options.cwd}):\n${tail}`,
    );
  }
  return {
    exitCode: raw.exitCode,
    wall: raw.wall,
    cpu: raw.cpu,
    peakMiB: raw.maxRssKiB / 1024,
    ...(raw.processes ? { processes: raw.processes } : {}),
    ...(machine ? { machine } : {}),
  };
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What a process of a tenantctl or tofu run is, from its command line. */
export function processRole(cmd: readonly string[]): string {
  const exe = basename(cmd[0] ?? "?");
  const args = cmd.slice(1).join(" ");
  if (exe === "node" || exe.startsWith("node")) {
    if (/bin\/tenantctl\.js/.test(args)) return "tenantctl (node: CLI, Automation API)";
    if (/dynamic-provider/.test(args)) return "dynamic provider host (node)";
    if (/require\.resolve/.test(args)) return "dynamic provider wrapper's `node -e require.resolve`";
    if (/cmd\/run|run\.js/.test(args)) return "Pulumi program (node, started by the language host)";
    if (/dynamicProviderHost/.test(args)) return "dynamic provider host (tenantctl's, node)";
    return `node ${args.slice(0, 60)}`;
  }
  if (exe === "pulumi") {
    const sub = cmd.slice(1).filter((a) => !a.startsWith("-"));
    const words = sub[0] === "stack" ? sub.slice(0, 2) : sub.slice(0, 1);
    return `pulumi ${words.join(" ")} (CLI/engine)`;
  }
  if (exe === "pulumi-language-nodejs") return "language host (Go)";
  if (exe === "pulumi-resource-pulumi-nodejs") return "dynamic provider wrapper (sh)";
  if ((exe === "sh" || exe === "bash" || exe === "dash") && /pulumi-resource-pulumi-nodejs/.test(args))
    return "dynamic provider wrapper (sh)";
  if (exe === "pulumi-resource-postgresql") return "postgresql provider (Pulumi bridge of the Terraform provider)";
  if (exe === "pulumi-resource-tenantctl") return "tenantctl provider (dynamic resources)";
  if (exe === "git") return `git ${cmd[1] ?? ""}`;
  if (exe === "tofu") return `tofu ${cmd.slice(1).find((a) => !a.startsWith("-")) ?? ""}`;
  if (exe.startsWith("terraform-provider-postgresql")) return "postgresql provider (Terraform)";
  return exe;
}

export interface RoleCost {
  readonly role: string;
  readonly count: number;
  readonly cpu: number;
  readonly peakMiB: number;
}

/** The breakdown, by role, largest CPU first, and what the sampling did not see (the total minus the sum). */
export function breakdown(cost: Cost): { roles: RoleCost[]; unattributed: number } {
  const roles = new Map<string, { count: number; cpu: number; peakMiB: number }>();
  for (const p of cost.processes ?? []) {
    const role = processRole(p.cmd);
    const entry = roles.get(role) ?? { count: 0, cpu: 0, peakMiB: 0 };
    entry.count += 1;
    entry.cpu += p.cpu;
    entry.peakMiB = Math.max(entry.peakMiB, p.rssKiB / 1024);
    roles.set(role, entry);
  }
  const list = [...roles.entries()].map(([role, e]) => ({ role, ...e })).sort((a, b) => b.cpu - a.cpu);
  const sum = list.reduce((total, r) => total + r.cpu, 0);
  return { roles: list, unattributed: Math.max(0, cost.cpu - sum) };
}
