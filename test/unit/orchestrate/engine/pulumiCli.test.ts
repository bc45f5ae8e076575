import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lookUpPulumiCli } from "../../../../src/orchestrate/engine/pulumiCli";

// A stand-in `pulumi` on PATH that answers `pulumi version` and counts how often it was asked.
function fakeCli(dir: string, version: string): string {
  const bin = join(dir, "bin");
  const script = join(bin, "pulumi");
  require("node:fs").mkdirSync(bin, { recursive: true });
  writeFileSync(script, `#!/bin/sh\necho "$1" >> ${JSON.stringify(join(dir, "calls"))}\necho v${version}\n`);
  chmodSync(script, 0o755);
  return bin;
}
const calls = (dir: string) => readFileSync(join(dir, "calls"), "utf8").trim().split("\n").filter(Boolean).length;

describe("pulumiCli", () => {
  let dir: string;
  const saved = { PATH: process.env["PATH"], TENANTCTL_TOOLS_CACHE: process.env["TENANTCTL_TOOLS_CACHE"] };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tenantctl-cli-"));
    writeFileSync(join(dir, "calls"), "");
    process.env["TENANTCTL_TOOLS_CACHE"] = join(dir, "cache");
  });
  afterEach(() => {
    process.env["PATH"] = saved.PATH;
    if (saved.TENANTCTL_TOOLS_CACHE === undefined) delete process.env["TENANTCTL_TOOLS_CACHE"];
    else process.env["TENANTCTL_TOOLS_CACHE"] = saved.TENANTCTL_TOOLS_CACHE;
    rmSync(dir, { recursive: true, force: true });
  });

  // As a new process would: without the module's own memo, with the cache on disk.
  const freshLookup = () => lookUpPulumiCli(process.env);

  it("asks `pulumi version` once per binary, across processes, and hands out the same CLI and version", async () => {
    const bin = fakeCli(dir, "3.248.0");
    process.env["PATH"] = `${bin}:${saved.PATH}`;
    const first = await freshLookup();
    expect(first.version?.version).toBe("3.248.0");
    expect(calls(dir)).toBe(1);
    const second = await freshLookup();
    expect(calls(dir)).toBe(1);
    expect(second.version?.version).toBe("3.248.0");
    expect(second.command).toBe(join(bin, "pulumi"));
    // The remembered CLI is the one on PATH, and runs.
    expect(spawnSync(second.command, ["version"], { encoding: "utf8" }).stdout.trim()).toBe("v3.248.0");
  });

  it("asks again when the binary changed", async () => {
    const bin = fakeCli(dir, "3.248.0");
    process.env["PATH"] = `${bin}:${saved.PATH}`;
    await freshLookup();
    fakeCli(dir, "3.249.0");
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(bin, "pulumi"), later, later);
    const again = await freshLookup();
    expect(again.version?.version).toBe("3.249.0");
    expect(calls(dir)).toBe(2);
  });

  it("keeps no answer for a CLI whose version it could not read, and still refuses one that is too old", async () => {
    const bin = fakeCli(dir, "3.1.0");
    process.env["PATH"] = `${bin}:${saved.PATH}`;
    await expect(freshLookup()).rejects.toThrow(/minimum/i);
    await expect(freshLookup()).rejects.toThrow(/minimum/i);
    expect(calls(dir)).toBe(2);
  });
});
