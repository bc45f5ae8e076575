import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// In a fresh Node.js process each (what a process loaded shows in process.moduleLoadList), on the compiled module
// (dist/, which `npm ci` and `npm run build` write; the README's test command builds it first).
const root = join(__dirname, "..", "..");
function loadsFetch(script: string): { undici: boolean; navigator: string; pgClient: string } {
  const result = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { undici: boolean; navigator: string; pgClient: string };
}
const report = `console.log(JSON.stringify({ undici: process.moduleLoadList.some((m) => m.includes("undici")), navigator: typeof globalThis.navigator, pgClient: typeof pg.Client }))`;

describe("loadPg", () => {
  it.skipIf(Number(process.versions.node.split(".")[0]) >= 21)(
    "loads pg without Node.js's fetch implementation, and leaves no navigator behind (Node.js 20)",
    () => {
      // The premise: pg on its own loads undici on Node.js 20.
      expect(loadsFetch(`const pg = require("pg"); ${report}`)).toEqual({
        undici: true,
        navigator: "undefined",
        pgClient: "function",
      });
      expect(loadsFetch(`const pg = require("./dist/infra/context/loadPg").loadPg(); ${report}`)).toEqual({
        undici: false,
        navigator: "undefined",
        pgClient: "function",
      });
    },
  );
});
