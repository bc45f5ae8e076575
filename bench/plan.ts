/**
 * `npm run bench:plan [-- SIZES ROUNDS]`: `tenantctl plan --format json` over generated fleets of 1, 10, 100 and
 * 1,000 tenants (fresh process per run; seconds, resources per second, peak RSS), then what one tenant's program
 * costs at `pulumi up` next to a bare `require("@pulumi/pulumi")`, interleaved, median of ROUNDS (default 7) runs.
 * Goals (issue 3): 1,000 tenants in < 30 s and < 1 GiB peak RSS; one tenant's program within 1.5× the bare require.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFleet } from "./generateFleet";

const sizes = (process.argv[2] ?? "1,10,100,1000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const rounds = Math.max(5, Number(process.argv[3]) || 7);
const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-plan-"));

interface Measurement {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly stdout: string;
}

/** Runs `node <args>` in a fresh process; the child reports its own wall time (from its first line) and peak RSS. */
function measure(args: readonly string[], cwd: string): Measurement {
  const script =
    `const t=process.hrtime.bigint();` +
    `process.on("exit",()=>{process.stderr.write("\\n@@"+JSON.stringify({s:Number(process.hrtime.bigint()-t)/1e9,rss:process.resourceUsage().maxRSS/1024}))});` +
    `require(process.argv[1]);`;
  const result = spawnSync(process.execPath, ["-e", script, "--", ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const marker = result.stderr.lastIndexOf("\n@@");
  if (result.status !== 0 && result.status !== null && marker < 0)
    throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  const { s, rss } = JSON.parse(result.stderr.slice(marker + 3)) as { s: number; rss: number };
  if (result.status !== 0)
    throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, marker)}`);
  return { seconds: s, peakMiB: rss, stdout: result.stdout };
}

/**
 * A whole fresh process, start-up included: its wall time as the parent sees it, and the CPU time it used (user +
 * system, from the child at exit), which a busy machine disturbs much less.
 */
function startup(code: string, cwd: string): { wall: number; cpu: number } {
  const report = `process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\n@@"+(u.userCPUTime+u.systemCPUTime)/1e6)});`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["-e", report + code], { cwd, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`node -e ${code} failed: ${result.stderr}`);
  return { wall, cpu: Number(result.stderr.slice(result.stderr.lastIndexOf("\n@@") + 3)) };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const out = (line: string) => process.stdout.write(`${line}\n`);

function fleetOf(count: number): string {
  const dir = join(work, `fleet-${count}`);
  generateFleet(dir, count, join(root, "tenants"));
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  return dir;
}

// 1. The whole command, per fleet size.
out(
  `plan bench: tenantctl plan --format json, fresh process per run (${process.version}, ${require("node:os").cpus().length} CPUs)`,
);
out(
  `${"tenants".padStart(8)} ${"stacks".padStart(7)} ${"resources".padStart(10)} ${"seconds".padStart(8)} ${"resources/s".padStart(12)} ${"peak RSS".padStart(10)}`,
);
let largest: { count: number; seconds: number; peakMiB: number } | undefined;
for (const count of sizes) {
  const cwd = fleetOf(count);
  const runs = count >= 1000 ? 1 : 3;
  const measured: Measurement[] = [];
  for (let round = 0; round < runs; round++)
    measured.push(measure([join(root, "bin/tenantctl.js"), "plan", "--format", "json"], cwd));
  const plan = JSON.parse(measured[0]!.stdout) as { tenants: { resources: unknown[]; error?: string }[] };
  const failed = plan.tenants.filter((stack) => stack.error !== undefined);
  if (failed.length > 0) throw new Error(`${failed.length} stacks failed to render: ${failed[0]!.error}`);
  const resources = plan.tenants.reduce((sum, stack) => sum + stack.resources.length, 0);
  const seconds = median(measured.map((m) => m.seconds));
  const peakMiB = Math.max(...measured.map((m) => m.peakMiB));
  out(
    `${String(count).padStart(8)} ${String(plan.tenants.length).padStart(7)} ${String(resources).padStart(10)} ${seconds.toFixed(2).padStart(8)} ${(resources / seconds).toFixed(0).padStart(12)} ${`${peakMiB.toFixed(0)} MiB`.padStart(10)}${runs > 1 ? `  (median of ${runs})` : ""}`,
  );
  if (!largest || count > largest.count) largest = { count, seconds, peakMiB };
}
if (largest && largest.count >= 1000) {
  out(
    `${largest.count} tenants under 30 s: ${largest.seconds < 30 ? "yes" : "NO"}; under 1 GiB peak RSS: ${largest.peakMiB < 1024 ? "yes" : "NO"}`,
  );
}

// 2. One tenant's program at `pulumi up`: load the stack code and the fleet, declare one tenant's stack (offline).
const one = fleetOf(1);
const bare = `require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});`;
const stacksOnly = `require(${JSON.stringify(join(root, "dist/infra/stacks.js"))});`;
const program =
  `require(${JSON.stringify(join(root, "dist/infra/stacks.js"))});` +
  `const {loadFleet}=require(${JSON.stringify(join(root, "dist/src/core/load.js"))});` +
  `const {renderStack}=require(${JSON.stringify(join(root, "dist/src/orchestrate/plan/offlinePlan/renderStack.js"))});` +
  `const fleet=loadFleet({dir:"tenants",cwd:process.cwd()});` +
  `renderStack(fleet.controlPlane,{tenant:fleet.tenants[0]}).then((s)=>{if(s.error||s.resources.length<10)throw new Error(s.error||"too few resources")});`;
const runs: Record<"bare" | "stacks" | "program", { wall: number; cpu: number }[]> = {
  bare: [],
  stacks: [],
  program: [],
};
for (let round = 0; round < rounds; round++) {
  // Interleaved, so that a noisy neighbour slows all three alike.
  runs.bare.push(startup(bare, one));
  runs.stacks.push(startup(stacksOnly, one));
  runs.program.push(startup(program, one));
}
const wallOf = (name: keyof typeof runs) => median(runs[name].map((run) => run.wall));
const cpuOf = (name: keyof typeof runs) => median(runs[name].map((run) => run.cpu));
const row = (label: string, name: keyof typeof runs) => {
  const ratio = (of: (name: keyof typeof runs) => number) =>
    name === "bare" ? "" : ` ${(of(name) / of("bare")).toFixed(2)}×`;
  return `  ${label.padEnd(56)} wall ${wallOf(name).toFixed(3)} s${ratio(wallOf).padEnd(7)}  cpu ${cpuOf(name).toFixed(3)} s${ratio(cpuOf)}`;
};
out("");
out(`one tenant's program, fresh process each, median of ${rounds} interleaved runs (node start-up included):`);
out(row(`node -e "require('@pulumi/pulumi')"`, "bare"));
out(row(`node -e "require('dist/infra/stacks.js')"`, "stacks"));
out(row("stacks.js + load the fleet + declare one tenant's stack", "program"));
const [wallRatio, cpuRatio] = [wallOf("program") / wallOf("bare"), cpuOf("program") / cpuOf("bare")];
out(
  `one tenant's program within 1.5× the bare require: wall ${wallRatio <= 1.5 ? "yes" : "NO"} (${wallRatio.toFixed(2)}×), cpu ${cpuRatio <= 1.5 ? "yes" : "NO"} (${cpuRatio.toFixed(2)}×)`,
);
rmSync(work, { recursive: true, force: true });
