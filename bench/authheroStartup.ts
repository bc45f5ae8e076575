/**
 * `npm run bench:authhero [-- N]`: starts the AuthHero test server (test/authhero-server) N times (default 5) and
 * prints how long each took until it answered with its {url, clientId, clientSecret} line: measured from here (spawn
 * to line, what a test or the sandbox waits) and by the server itself (process start to line: module loading,
 * SQLite migrations, seeding). The install (npm ci, first use only) is not part of it.
 */
import { join } from "node:path";
import { ensureAuthHeroServer, startAuthHero } from "../src/sandbox/authhero";

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const root = join(__dirname, "..", "..");
  await ensureAuthHeroServer(root, (line) => process.stderr.write(`${line}\n`));
  const outside: number[] = [];
  const inside: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    const server = await startAuthHero(root);
    outside.push(Number(process.hrtime.bigint() - started) / 1e6);
    inside.push(server.startupMs);
    await server.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const show = (values: number[]) =>
    `median ${(median(values) / 1000).toFixed(2)} s, min ${(Math.min(...values) / 1000).toFixed(2)} s, max ${(Math.max(...values) / 1000).toFixed(2)} s`;
  process.stdout.write(
    `AuthHero test server start-up over ${rounds} starts (in-memory SQLite, migrations and seed included):\n`,
  );
  process.stdout.write(`  spawn to ready line (what callers wait): ${show(outside)}\n`);
  process.stdout.write(`  process start to ready (server's own):   ${show(inside)}\n`);
}

void main();
