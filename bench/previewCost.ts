/**
 * `npm run bench:preview [-- SIZES ROUNDS]`: what one added tenant's pull request costs as the fleet grows. For fleets of
 * 10, 500 and 5,000 tenant files (a git repository each, one tenant added since HEAD), side by side in one run:
 *   - `tenantctl preview --changed --base HEAD` with the real engine, against a throwaway PostgreSQL (the sandbox's);
 *   - the offline `tenantctl plan --base HEAD`.
 * Wall seconds and CPU seconds of the whole process tree (engine and plugins included), median of ROUNDS (default 3)
 * interleaved runs, and the ratio of each fleet to the smallest. Goal (issue 8): 5,000 within 1.25× of 10.
 */
import { spawnSync } from "node:child_process";
import { type Cost, tenantctlCost } from "./tenantctlCost";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningPostgres, startPostgres } from "../src/sandbox/postgres";
import { databaseServersJson } from "../src/sandbox/databaseServers";
import { engineEnv, findOrBuildEngine } from "../src/sandbox/pulumiEngine";
import { generateFleet } from "./generateFleet";

const sizes = (process.argv[2] ?? "10,500,5000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const rounds = Math.max(1, Number(process.argv[3]) || 3);
const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-preview-"));
const out = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
}

/** A project with N tenant files committed, and one more tenant added since. */
function projectOf(count: number): string {
  const dir = join(work, `fleet-${count}`);
  const tenants = generateFleet(dir, count, join(root, "tenants"));
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    readFileSync(join(root, "Pulumi.yaml"), "utf8").replace(
      /^main: .*$/m,
      `main: ${join(root, "dist", "infra", "program.js")}`,
    ),
  );
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "fleet");
  writeFileSync(join(tenants, "zz-new.yaml"), "slug: zz-new\nname: The New Tenant\nplan: enterprise\n");
  return dir;
}

async function main(): Promise<void> {
  const engine = await findOrBuildEngine({ repoRoot: root, log: (line) => process.stderr.write(`${line}\n`) });
  if (!engine.available) throw new Error(`no Pulumi engine: ${engine.reason}`);
  let postgres: RunningPostgres | undefined;
  try {
    postgres = await startPostgres();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...engineEnv(engine.binDir),
      PULUMI_CONFIG_PASSPHRASE: "bench",
      TENANTCTL_DISABLE: "dns,tls,auth",
      TENANTCTL_DATABASE_SERVERS: databaseServersJson([{ name: "primary", postgres }]),
    };
    const projects = sizes.map((size) => ({ size, dir: projectOf(size) }));
    const results = new Map<number, { preview: Cost[]; plan: Cost[] }>(
      sizes.map((size) => [size, { preview: [], plan: [] }]),
    );
    for (let round = 0; round < rounds; round++) {
      for (const { size, dir } of projects) {
        const backend = { ...env, PULUMI_BACKEND_URL: `file://${mkdtempSync(join(work, "state-"))}` };
        results
          .get(size)!
          .preview.push(tenantctlCost(["preview", "--changed", "--base", "HEAD", "--format", "json"], dir, backend));
        results.get(size)!.plan.push(tenantctlCost(["plan", "--base", "HEAD", "--format", "json"], dir, env));
      }
    }
    out(`one added tenant, median of ${rounds} interleaved runs; CPU of the whole process tree`);
    out(
      `${"tenant files".padEnd(14)}${"preview wall".padStart(14)}${"preview CPU".padStart(14)}${"plan wall".padStart(12)}${"plan CPU".padStart(12)}`,
    );
    const summary = sizes.map((size) => {
      const { preview, plan } = results.get(size)!;
      const row = {
        size,
        previewWall: median(preview.map((c) => c.wall)),
        previewCpu: median(preview.map((c) => c.cpu)),
        planWall: median(plan.map((c) => c.wall)),
        planCpu: median(plan.map((c) => c.cpu)),
      };
      out(
        `${String(size).padEnd(14)}${`${row.previewWall.toFixed(2)} s`.padStart(14)}${`${row.previewCpu.toFixed(2)} s`.padStart(14)}${`${row.planWall.toFixed(2)} s`.padStart(12)}${`${row.planCpu.toFixed(2)} s`.padStart(12)}`,
      );
      return row;
    });
    const smallest = summary[0]!;
    for (const row of summary.slice(1)) {
      out(
        `ratio ${row.size} / ${smallest.size}: preview ${(row.previewWall / smallest.previewWall).toFixed(2)}× wall, ${(row.previewCpu / smallest.previewCpu).toFixed(2)}× CPU; plan ${(row.planWall / smallest.planWall).toFixed(2)}× wall (goal for preview: ≤ 1.25×)`,
      );
    }
  } finally {
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:preview: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
