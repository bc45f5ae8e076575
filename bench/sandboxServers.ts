/**
 * `npm run bench:sandbox-servers [-- N]`: how long the sandbox takes to start its PostgreSQL clusters for a template
 * with one database server and with two (src/sandbox/databaseServers.ts: one initdb, copies started at once), N
 * rounds each (default 3), alternating so that the machine's load falls on both alike. Each set is stopped before the
 * next starts.
 */
import { startDatabaseServers, stopDatabaseServers } from "../src/sandbox/databaseServers";

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const timings = new Map<number, number[]>([
    [1, []],
    [2, []],
  ]);
  for (let round = 0; round < rounds; round++) {
    for (const [count, values] of timings) {
      const names = ["primary", "secondary"].slice(0, count);
      const started = process.hrtime.bigint();
      const servers = await startDatabaseServers(names);
      values.push(Number(process.hrtime.bigint() - started) / 1e6);
      await stopDatabaseServers(servers);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const show = (values: number[]) =>
    `median ${(median(values) / 1000).toFixed(2)} s, min ${(Math.min(...values) / 1000).toFixed(2)} s, max ${(Math.max(...values) / 1000).toFixed(2)} s`;
  process.stdout.write(`sandbox PostgreSQL start-up over ${rounds} rounds (initdb included):\n`);
  for (const [count, values] of timings)
    process.stdout.write(`  ${count} server${count === 1 ? ": " : "s:"} ${show(values)}\n`);
}

void main();
