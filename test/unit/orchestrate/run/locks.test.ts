/** Stack locks of a file backend: reading them, telling stale from held, and `tenantctl unlock`. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/core/errors";
import { fileBackendDir, isStale, parseDuration, stackLocks } from "../../../../src/orchestrate/run/locks";
import { runCli } from "../../../support/runCli";
import { writeFleet } from "../../../support/fleetFixture";

/** A pid that is certainly gone: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

function lockIn(backend: string, stack: string, holder: { pid: number; hostname?: string }): string {
  const dir = join(backend, ".pulumi", "locks", "organization", "tenantctl", stack);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${holder.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      pid: holder.pid,
      username: "ci",
      hostname: holder.hostname ?? hostname(),
      timestamp: "2026-12-02T05:00:00Z",
    }),
  );
  return file;
}

const saved = process.env.PULUMI_BACKEND_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.PULUMI_BACKEND_URL;
  else process.env.PULUMI_BACKEND_URL = saved;
});

describe("stack locks", () => {
  it("are found for file backends only", () => {
    expect(fileBackendDir({ PULUMI_BACKEND_URL: "file:///var/state?no_tmp_dir=true" })).toBe("/var/state");
    expect(fileBackendDir({ PULUMI_BACKEND_URL: "file://~/state" })).toMatch(/\/state$/);
    expect(fileBackendDir({ PULUMI_BACKEND_URL: "s3://bucket" })).toBeUndefined();
    expect(fileBackendDir({})).toBeUndefined();
  });

  it("are stale when their holder ran on this host and is gone, held otherwise", () => {
    const backend = mkdtempSync(join(tmpdir(), "tenantctl-locks-"));
    lockIn(backend, "acme", { pid: deadPid() });
    lockIn(backend, "globex", { pid: process.pid });
    lockIn(backend, "initech", { pid: deadPid(), hostname: "another-runner" });
    expect(stackLocks(backend, "tenantctl", "acme").map(isStale)).toEqual([true]);
    expect(stackLocks(backend, "tenantctl", "globex").map(isStale)).toEqual([false]);
    expect(stackLocks(backend, "tenantctl", "initech").map(isStale)).toEqual([false]);
    expect(stackLocks(backend, "tenantctl", "hooli")).toEqual([]);
  });

  it("take their timeout as a duration", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("90")).toBe(90_000);
    expect(() => parseDuration("soon")).toThrow(UsageError);
  });
});

describe("tenantctl unlock", () => {
  it("removes a lock whose holder is gone, and refuses while the holder runs on this host", async () => {
    const cwd = writeFleet({ "acme.yaml": "slug: acme\nname: Acme\n" });
    writeFileSync(join(cwd, "Pulumi.yaml"), "name: tenantctl\nruntime: nodejs\n");
    const backend = mkdtempSync(join(tmpdir(), "tenantctl-unlock-"));
    process.env.PULUMI_BACKEND_URL = `file://${backend}`;

    const held = lockIn(backend, "acme", { pid: process.pid });
    const refused = await runCli(["unlock", "acme"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `acme is locked by ci@${hostname()} (pid ${process.pid}) since 2026-12-02T05:00:00Z, which is still running on this host`,
    );
    expect(existsSync(held)).toBe(true);

    const stale = lockIn(backend, "globex", { pid: deadPid() });
    const removed = await runCli(["unlock", "globex"], cwd);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(
      /^removed the lock of ci@.* on globex \(its process is gone\)\nif that run was creating resources, the next `tenantctl up globex` may find them "already exist": `tenantctl adopt globex --dry-run` shows what `tenantctl adopt globex` would import\n$/,
    );
    expect(existsSync(stale)).toBe(false);

    expect(await runCli(["unlock", "initech"], cwd)).toMatchObject({ code: 0, stdout: "initech is not locked\n" });
    process.env.PULUMI_BACKEND_URL = "s3://bucket";
    expect((await runCli(["unlock", "acme"], cwd)).code).toBe(2);
  });
});
