/**
 * Ctrl-C during `up --all`, as a user at a terminal meets it: no new stack starts, the running one is cancelled
 * through the engine (state saved, lock released), the summary says what was done, cancelled and not started, and the
 * exit code is 130. The next `up --all` then finishes the job without help. Its own PostgreSQL and state.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orphanedPlugins } from "../../src/orchestrate/orphans";
import { type RunningPostgres, startPostgres } from "../support/postgres";
import { databaseServersEnv, pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

describe("Ctrl-C during up --all", () => {
  let postgres: RunningPostgres;
  let project: TempProject;
  let state: string;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (args: string[], interruptWhen?: RegExp) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env, ...(interruptWhen ? { interruptWhen } : {}) });

  beforeAll(async () => {
    postgres = await startPostgres();
    project = tempProject(engine.repoRoot, "tenantctl-e2e-interrupt-");
    state = mkdtempSync(join(tmpdir(), "tenantctl-e2e-interrupt-state-"));
    env = { ...process.env, PULUMI_BACKEND_URL: `file://${state}`, TENANTCTL_DATABASE_SERVERS: databaseServersEnv(postgres), TENANTCTL_DISABLE: "dns,tls,auth" };
  }, 120_000);

  afterAll(async () => {
    project?.remove();
    if (state) rmSync(state, { recursive: true, force: true });
    await postgres?.stop();
  });

  it("cancels the running stack, starts no other, reports each, exits 130; the next up finishes the job", async () => {
    const interrupted = await tenantctl(["up", "--all", "--parallel", "1"], /acme: up…/);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain("tenantctl: SIGINT: no new stack starts; the running ones are being cancelled");
    const outcome = Object.fromEntries(interrupted.report.tenants.map((t) => [t.slug, t]));
    expect(outcome["control-plane"]?.outcome).toBe("changed");
    // acme was running: cancelled through the engine, unless it finished first.
    expect(["cancelled", "changed"]).toContain(outcome["acme"]?.outcome);
    for (const slug of ["globex", "initech"]) {
      expect(outcome[slug]).toMatchObject({ outcome: "cancelled", message: "not started: the run was interrupted" });
    }

    // No lock left behind, nothing half done that the next run trips over.
    const again = await tenantctl(["up", "--all"]);
    expect(again.code, again.stderr).toBe(0);
    const after = Object.fromEntries(again.report.tenants.map((t) => [t.slug, t.outcome]));
    expect(after).toMatchObject({ "control-plane": "unchanged", globex: "changed", initech: "changed" });
    expect(["changed", "unchanged"]).toContain(after["acme"]);
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(0);
  }, 600_000);

  it("after a run killed with SIGKILL, the next run succeeds without help and leaves no plugin of the killed one running", async () => {
    const killed = await new Promise<number | null>((resolve) => {
      // Its own process group, as a CI job's: the group is killed, as a cancelled job is.
      const child = spawn(process.execPath, [join(engine.repoRoot, "bin", "tenantctl.js"), "up", "acme"], { cwd: project.dir, env, detached: true });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // Soon after the stack starts (the engine is starting or running): an unchanged `up` takes little more than a
        // second now, so a later kill could find the run finished (ESRCH), and the test would prove nothing.
        if (/acme: up…/.test(stderr)) setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 400);
      });
      child.on("close", (code) => resolve(code));
    });
    expect(killed).toBeNull();
    const next = await tenantctl(["up", "acme"]);
    expect(next.code, next.stderr).toBe(0);
    expect(orphanedPlugins().filter((plugin) => plugin.command.includes(engine.repoRoot) || plugin.command.includes(engine.binDir))).toEqual([]);
  }, 300_000);

  /** A lock file as the engine writes it, for `holder`. */
  function lockOf(stack: string, holder: { pid: number }): string {
    const dir = join(state, ".pulumi", "locks", "organization", "tenantctl", stack);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `e2e-${holder.pid}.json`);
    writeFileSync(file, JSON.stringify({ pid: holder.pid, username: "ci", hostname: hostname(), timestamp: "2026-12-02T05:00:00Z" }));
    return file;
  }

  it("clears a lock left by a killed run of this host, with a notice, and runs", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const file = lockOf("acme", { pid: gone });
    const run = await tenantctl(["up", "acme"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`acme: cleared a stale lock of ci@${hostname()} (pid ${gone}) since 2026-12-02T05:00:00Z: that process is gone`);
    expect(existsSync(file)).toBe(false);
  }, 300_000);

  it("waits for a lock held by a live run, then fails naming the holder and how to unlock", async () => {
    const file = lockOf("acme", { pid: process.pid });
    try {
      const run = await tenantctl(["up", "acme", "--lock-timeout", "3s"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`acme: locked by ci@${hostname()} (pid ${process.pid}) since 2026-12-02T05:00:00Z; trying again in 1 s`);
      const message = run.report.tenants[0]?.message ?? "";
      expect(message).toContain(`the stack is locked by another run: ci@${hostname()}, pid ${process.pid}, since 2026-12-02T05:00:00Z`);
      expect(message).toContain("`tenantctl unlock acme`");
      expect(message).not.toMatch(/Command failed|--event-log/);
    } finally {
      rmSync(file, { force: true });
    }
  }, 300_000);
});
