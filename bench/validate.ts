/**
 * `npm run bench:validate [-- N]`: generates N tenants (default 10,000) and times, in fresh processes and
 * side by side, the whole `tenantctl validate` against bare scripts that only read and YAML-parse the files.
 * Goal (issue 2): validate within 3× the bare `yaml` parse, and under 3 s for 10,000 tenants.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFleet } from "./generateFleet";

const count = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 3);
const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-"));
const tenantsDir = generateFleet(work, count, join(root, "tenants"));

interface Measurement {
  seconds: number;
  peakMiB: number;
}

function time(args: string[], cwd: string): Measurement {
  // /usr/bin/time would give the peak RSS too, but is not on every machine: ask node itself.
  const script = `const t=process.hrtime.bigint();process.on("exit",()=>{process.stderr.write(JSON.stringify({s:Number(process.hrtime.bigint()-t)/1e9,rss:process.resourceUsage().maxRSS/1024}))});require(process.argv[1]);`;
  const result = spawnSync(process.execPath, ["-e", script, "--", ...args], { cwd, encoding: "utf8" });
  const last = result.stderr.trim().split("\n").pop() ?? "{}";
  const { s, rss } = JSON.parse(last.slice(last.lastIndexOf("{"))) as { s: number; rss: number };
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return { seconds: s, peakMiB: rss };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const runs: Record<string, Measurement[]> = { validate: [], yaml: [], jsyaml: [] };
for (let round = 0; round < rounds; round++) {
  // Interleaved, so that a noisy neighbour slows all three alike.
  runs.yaml!.push(time([join(root, "dist/bench/bareParse.js"), tenantsDir, "yaml"], work));
  runs.jsyaml!.push(time([join(root, "dist/bench/bareParse.js"), tenantsDir, "js-yaml"], work));
  runs.validate!.push(time([join(root, "bin/tenantctl.js"), "validate", "--dir", "tenants"], work));
}
const seconds = (name: string) => median(runs[name]!.map((m) => m.seconds));
const peak = (name: string) => Math.max(...runs[name]!.map((m) => m.peakMiB));
const line = (label: string, name: string) =>
  `${label.padEnd(36)} ${seconds(name).toFixed(3).padStart(7)} s  ${peak(name).toFixed(0).padStart(5)} MiB peak`;
process.stdout.write(`validate bench: ${count} tenants, median of ${rounds} interleaved runs, fresh process each\n`);
process.stdout.write(
  `${line("bare read + yaml.parse", "yaml")}\n${line("bare read + js-yaml load", "jsyaml")}\n${line("tenantctl validate (whole command)", "validate")}\n`,
);
process.stdout.write(
  `ratio validate / bare yaml parse:    ${(seconds("validate") / seconds("yaml")).toFixed(2)}× (goal ≤ 3×)\n`,
);
process.stdout.write(`ratio validate / bare js-yaml parse: ${(seconds("validate") / seconds("jsyaml")).toFixed(2)}×\n`);
process.stdout.write(`validate under 3 s: ${seconds("validate") < 3 ? "yes" : "NO"}\n`);
rmSync(work, { recursive: true, force: true });
