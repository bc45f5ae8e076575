/**
 * bench:peer's "drift at fleet scale" (issue 24): `tenantctl drift --all` (the scan first, the engine only for what it
 * flags) over N clean tenants against OpenTofu's N refresh-only plans two at a time, in the same run against the same
 * server; then again with 1% of the tenants changed by hand. Goals: tenantctl's wall time under 1/20 of OpenTofu's and
 * under 30 s at 1,000 tenants, peak memory under 1 GiB.
 *
 * When N is below 1,000 the figures for 1,000 are extrapolated, and printed as such: OpenTofu's wall time grows with the
 * plans (×1000/N); tenantctl's is its fixed part (the CLI, listing the stacks, the control plane's preview) plus the
 * scan's own time (from its progress line) ×1000/N.
 */
import { readFileSync } from "node:fs";
import { Client } from "pg";
import type { Cost, MeasureOptions } from "./measure";

export interface FleetScanPlace {
  readonly tenants: number;
  /** How many tofu plans `tofuFleet` runs: `tenants`, or fewer with `--tofu-sample` (tofu's time is then scaled). */
  readonly tofuPlans: number;
  readonly rounds: number;
  readonly slug: (i: number) => string;
  /** tenantctl's command line with these arguments. */
  readonly tenantctl: (...args: string[]) => string[];
  /** N tofu plans -refresh-only, two at a time. */
  readonly tofuFleet: readonly string[];
  readonly tofuEnv: () => NodeJS.ProcessEnv;
  readonly modules: string;
  readonly project: string;
  readonly env: NodeJS.ProcessEnv;
  readonly server: { host: string; port: number; user: string; password: string };
  readonly connectionLimit: number;
  readonly measure: (command: readonly string[], options: Omit<MeasureOptions, "serverPid">) => Cost;
  readonly log: (name: string) => string;
  readonly note: (line: string) => void;
  readonly out: (line: string) => void;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The scan's own seconds, from its progress line in the command's log. */
function scanSeconds(log: string): number {
  const match = /scan: \d+ tenant stacks in ([\d.]+) s/.exec(readFileSync(log, "utf8"));
  return match ? Number(match[1]) : Number.NaN;
}

async function sql(place: FleetScanPlace, text: string): Promise<void> {
  const client = new Client({ ...place.server, database: "postgres" });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function measureFleetScan(place: FleetScanPlace): Promise<void> {
  const { tenants: n, measure, log, note } = place;
  const tofu: Cost[] = [];
  const clean: { cost: Cost; scan: number }[] = [];
  const drifted: { cost: Cost; scan: number }[] = [];
  const changed = Array.from({ length: Math.max(1, Math.ceil(n / 100)) }, (_, i) =>
    place.slug(Math.floor((i * n) / Math.max(1, Math.ceil(n / 100)))),
  );
  for (let r = 0; r < place.rounds; r++) {
    note(
      `drift at fleet scale, round ${r + 1}/${place.rounds}: ${place.tofuPlans} tofu plans -refresh-only, 2 at a time`,
    );
    tofu.push(measure(place.tofuFleet, { cwd: place.modules, env: place.tofuEnv(), log: log("scale-tofu") }));
    note(`drift at fleet scale, round ${r + 1}/${place.rounds}: tenantctl drift --all (scan) of ${n} clean tenants`);
    const cleanLog = log("scale-drift-clean");
    clean.push({
      cost: measure(place.tenantctl("drift", "--all", "--parallel", "2", "--format", "json"), {
        cwd: place.project,
        env: place.env,
        log: cleanLog,
      }),
      scan: scanSeconds(cleanLog),
    });
    note(`drift at fleet scale, round ${r + 1}/${place.rounds}: ${changed.length} of ${n} tenants changed by hand`);
    for (const slug of changed)
      await sql(place, `ALTER ROLE "tenant_${slug.replace(/-/g, "_")}" CONNECTION LIMIT ${place.connectionLimit + 1}`);
    const driftLog = log("scale-drift-1pct");
    drifted.push({
      cost: measure(place.tenantctl("drift", "--all", "--parallel", "2", "--format", "json"), {
        cwd: place.project,
        env: place.env,
        log: driftLog,
        okExitCodes: [3],
      }),
      scan: scanSeconds(driftLog),
    });
    for (const slug of changed)
      await sql(place, `ALTER ROLE "tenant_${slug.replace(/-/g, "_")}" CONNECTION LIMIT ${place.connectionLimit}`);
  }
  const m = (costs: readonly Cost[], pick: (c: Cost) => number) => median(costs.map(pick));
  // Tofu's N plans: measured, or (--tofu-sample) K measured and scaled to N, each plan being a module of its own.
  const tofuScale = n / place.tofuPlans;
  const tofuWall = m(tofu, (c) => c.wall) * tofuScale;
  const row = (label: string, runs: readonly { cost: Cost; scan: number }[]) => {
    const wall = m(
      runs.map((x) => x.cost),
      (c) => c.wall,
    );
    const cpu = m(
      runs.map((x) => x.cost),
      (c) => c.cpu,
    );
    const peak = Math.max(...runs.map((x) => x.cost.peakMiB));
    const scan = median(runs.map((x) => x.scan));
    return { label, wall, cpu, peak, scan };
  };
  const rows = [
    row(`tenantctl drift --all, ${n} clean`, clean),
    row(`tenantctl drift --all, ${changed.length} of ${n} drifted (1%)`, drifted),
  ];
  place.out(
    `\ndrift at fleet scale: ${n} tenants, medians of ${place.rounds} round(s); tofu = ${n} plans -refresh-only, 2 at a time` +
      (tofuScale === 1
        ? ""
        : ` (SCALED: ${place.tofuPlans} plans measured, ${m(tofu, (c) => c.wall).toFixed(2)} s wall, ×${tofuScale.toFixed(2)})`),
  );
  place.out(
    `${"measure".padEnd(48)}${"wall".padStart(9)}${"CPU".padStart(9)}${"peak".padStart(10)}${"scan".padStart(8)}${"÷ tofu wall".padStart(13)}`,
  );
  place.out(
    `${`tofu: ${n} refresh-only plans${tofuScale === 1 ? "" : " (scaled)"}`.padEnd(48)}${`${tofuWall.toFixed(2)} s`.padStart(9)}${`${(m(tofu, (c) => c.cpu) * tofuScale).toFixed(2)} s`.padStart(9)}${`${Math.max(...tofu.map((c) => c.peakMiB)).toFixed(0)} MiB`.padStart(10)}${"".padStart(8)}${"".padStart(13)}`,
  );
  for (const r of rows)
    place.out(
      `${r.label.padEnd(48)}${`${r.wall.toFixed(2)} s`.padStart(9)}${`${r.cpu.toFixed(2)} s`.padStart(9)}${`${r.peak.toFixed(0)} MiB`.padStart(10)}${`${r.scan.toFixed(2)} s`.padStart(8)}${`1/${(tofuWall / r.wall).toFixed(1)}`.padStart(13)}`,
    );
  const [c] = rows;
  if (n >= 1000) {
    place.out(
      `goals at ${n}: wall < 1/20 of tofu's: ${c!.wall < tofuWall / 20 ? "met" : "NOT met"}; < 30 s: ${c!.wall < 30 ? "met" : "NOT met"}; peak < 1 GiB: ${c!.peak < 1024 ? "met" : "NOT met"}`,
    );
  } else {
    // Extrapolated, and said so: tofu grows with its plans; tenantctl's fixed part stays, its scan grows with the fleet.
    const scale = 1000 / n;
    const tofu1000 = tofuWall * scale;
    const fixed = c!.wall - c!.scan;
    const tenantctl1000 = fixed + c!.scan * scale;
    place.out(
      `EXTRAPOLATED to 1,000 tenants from ${n} (not measured): tofu ≈ ${tofu1000.toFixed(0)} s (×${scale.toFixed(1)}); ` +
        `tenantctl ≈ ${fixed.toFixed(1)} s fixed + ${c!.scan.toFixed(2)} s scan ×${scale.toFixed(1)} = ${tenantctl1000.toFixed(1)} s, 1/${(tofu1000 / tenantctl1000).toFixed(0)} of tofu's` +
        ` (goals < 1/20 and < 30 s: ${tenantctl1000 < tofu1000 / 20 ? "met" : "NOT met"}, ${tenantctl1000 < 30 ? "met" : "NOT met"}); run with --tenants 1000 to measure it`,
    );
  }
}
