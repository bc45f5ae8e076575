/**
 * Without a Pulumi CLI on PATH (or with one too old), an engine command says what to install and exits 1 at once:
 * no stack trace, and no half-started run left listening (the dynamic-provider host kept the process alive before).
 * The built CLI (dist/, which `npm ci` and `npm run build` write), in a process of its own, without the engine.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function driftWithPath(bin: string) {
  const cache = mkdtempSync(join(tmpdir(), "tenantctl-cache-"));
  dirs.push(cache);
  return spawnSync(process.execPath, [join(root, "bin", "tenantctl.js"), "drift", "acme"], {
    cwd: root,
    env: { HOME: cache, PATH: bin, TENANTCTL_TOOLS_CACHE: cache },
    encoding: "utf8",
    // A run that hangs fails here instead of holding the suite.
    timeout: 30_000,
  });
}

describe("an engine command without a usable Pulumi CLI", () => {
  it("names the missing CLI and how to get it, and exits 1", () => {
    const bin = mkdtempSync(join(tmpdir(), "tenantctl-nobin-"));
    dirs.push(bin);
    const result = driftWithPath(bin);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "tenantctl: the Pulumi CLI (`pulumi`) is not on PATH: install it (https://www.pulumi.com/docs/install/), or build the pinned one with `tools/ensure-pulumi.sh` and put the directory it prints on PATH\n",
    );
  });

  it("refuses a CLI older than the Automation API needs, in one line", () => {
    const bin = mkdtempSync(join(tmpdir(), "tenantctl-oldbin-"));
    dirs.push(bin);
    writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho v3.1.0\n");
    chmodSync(join(bin, "pulumi"), 0o755);
    const result = driftWithPath(`${bin}:/usr/bin:/bin`);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^tenantctl: `.*\/pulumi version` was refused: Minimum version requirement failed\. .*your current CLI version is v3\.1\.0\. Please update the Pulumi CLI\.\n$/,
    );
  });
});
