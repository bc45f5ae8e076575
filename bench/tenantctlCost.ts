/** What one tenantctl command costs, wall and CPU, for the benches that compare runs side by side. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

export interface Cost {
  readonly wall: number;
  readonly cpu: number;
}

/** Runs tenantctl under bash, whose `times` adds up the CPU of every process below it that was waited for. */
export function tenantctlCost(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Cost {
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, "bin", "tenantctl.js"))} ${args.map((a) => JSON.stringify(a)).join(" ")} >/dev/null 2>&1; status=$?; times; exit $status`;
  const started = process.hrtime.bigint();
  const result = spawnSync("bash", ["-c", command], { cwd, env, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`tenantctl ${args.join(" ")} exited ${result.status} in ${cwd}`);
  // `times` prints the shell's own user/sys, then its children's: "0m1.234s 0m0.210s".
  const children = result.stdout
    .trim()
    .split("\n")
    .pop()!
    .split(/\s+/)
    .map((t) => {
      const [, m, s] = /(\d+)m([\d.]+)s/.exec(t) ?? [];
      return Number(m) * 60 + Number(s);
    });
  return { wall, cpu: children.reduce((a, b) => a + b, 0) };
}
