/**
 * Ctrl-C during `up --all`, as a user at a terminal meets it: no new stack starts, the running one is cancelled
 * through the engine (state saved, lock released), the summary says what was done, cancelled and not started, and the
 * exit code is 130. The next `up --all` then finishes the job without help. Its own PostgreSQL and state.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnWorld, startOwnWorld } from "../support/ownWorld";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { descendantsOf, killQuietly, type ProcessInfo, stillRunning } from "../support/processes";
import { tenantctlProcess } from "../support/tenantctlProcess";

/** How long a run may take to end after Ctrl-C: the engine finishes the operation in flight, saves and unlocks. */
const EXIT_AFTER_SIGINT_SECONDS = 20;

const engine = pulumiEngine();

describe("Ctrl-C during up --all", () => {
  let world: OwnWorld | undefined;
  let project: TempProject;
  let state: string;
  let env: NodeJS.ProcessEnv;
  /** Processes of the SIGKILLed run that outlived it. */
  let survivors: ProcessInfo[] = [];

  /** Every file under the file backend's locks directory. */
  const lockFiles = () => {
    const locks = join(state, ".pulumi", "locks");
    return existsSync(locks)
      ? readdirSync(locks, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name))
      : [];
  };

  const tenantctl = (args: string[], interruptWhen?: RegExp) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env, ...(interruptWhen ? { interruptWhen } : {}) });

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "interrupt");
    ({ project, state, env } = world);
  }, 120_000);

  afterAll(async () => {
    // Whatever the test found, nothing of the killed run outlives the suite.
    for (const survivor of survivors.filter(stillRunning)) killQuietly(survivor.pid);
    await world?.close();
  });

  it("cancels the running stack, starts no other, reports each, exits 130 soon, leaves no lock; the next up finishes the job", async () => {
    // Ctrl-C once the engine is at work on acme (its first resource), so that the engine itself must cancel.
    const interrupted = await tenantctl(["up", "--all", "--parallel", "1"], /acme: create /);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain(
      "tenantctl: SIGINT: no new stack starts; the running ones are being cancelled",
    );
    const secondsToExit = (interrupted.endedAt - interrupted.interruptedAt!) / 1000;
    expect(secondsToExit, interrupted.stderr).toBeLessThan(EXIT_AFTER_SIGINT_SECONDS);
    const outcome = Object.fromEntries(interrupted.report.tenants.map((t) => [t.slug, t]));
    expect(outcome["control-plane"]?.outcome).toBe("changed");
    // acme was running: cancelled through the engine.
    expect(outcome["acme"], interrupted.stderr).toMatchObject({
      outcome: "cancelled",
      message: "cancelled while it ran: the engine stopped, saved the stack's state and released its lock",
    });
    for (const slug of ["globex", "initech"]) {
      expect(outcome[slug]).toMatchObject({ outcome: "cancelled", message: "not started: the run was interrupted" });
    }
    // No lock left behind: the engine released it, so the backend's locks directory holds no lock file.
    expect(lockFiles()).toEqual([]);

    // Nothing half done that the next run trips over, and no stale lock for it to clear.
    const again = await tenantctl(["up", "--all"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("cleared a stale lock");
    const after = Object.fromEntries(again.report.tenants.map((t) => [t.slug, t.outcome]));
    expect(after).toMatchObject({ "control-plane": "unchanged", globex: "changed", initech: "changed" });
    expect(["changed", "unchanged"]).toContain(after["acme"]);
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(0);
  });

  it("after a run killed with SIGKILL, the next run succeeds without help, and no process of the killed run outlives it", async () => {
    // Seen through /proc, not through the product's own orphan search: what the run started, and which of it outlived
    // the kill of its process group (the engine starts its plugins in groups of their own).
    let started: ProcessInfo[] = [];
    const seen = new Set<string>();
    const killed = await tenantctlProcess(engine.repoRoot, ["up", "acme"], {
      cwd: project.dir,
      env,
      onProgress: (stderr, child) => {
        if (!/acme: up…/.test(stderr) || started.length > 0) return;
        // Once the engine holds the stack's lock and a provider plugin runs, the update is in full flight: kill the
        // run's group then, as a cancelled CI job's is killed.
        const poll = setInterval(() => {
          const descendants = descendantsOf(child.pid!);
          for (const p of descendants) seen.add(p.command.slice(0, 120));
          if (
            child.exitCode !== null ||
            lockFiles().length === 0 ||
            !descendants.some((p) => /pulumi-resource-/.test(p.command))
          )
            return;
          clearInterval(poll);
          started = descendants;
          process.kill(-child.pid!, "SIGKILL");
        }, 50);
      },
    });
    expect(killed.code, `${killed.stderr}\nits processes: ${[...seen].join("\n")}`).toBeNull();
    // Positive control: right after the kill, a plugin of the killed run is still running (in a process group of its
    // own, it outlived the group's kill; it exits by itself a few seconds later, when its engine stops answering).
    survivors = started.filter(stillRunning);
    expect(survivors.map((p) => p.command).join("\n")).toMatch(/pulumi-resource-postgresql/);

    const next = await tenantctl(["up", "acme"]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("acme: cleared a stale lock");
    expect(survivors.filter(stillRunning).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
  });

  /** A lock file as the engine writes it, for `holder`. */
  function lockOf(stack: string, holder: { pid: number }): string {
    const dir = join(state, ".pulumi", "locks", "organization", "tenantctl", stack);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `e2e-${holder.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({ pid: holder.pid, username: "ci", hostname: hostname(), timestamp: "2026-12-02T05:00:00Z" }),
    );
    return file;
  }

  it("clears a lock left by a killed run of this host, with a notice, and runs", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const file = lockOf("acme", { pid: gone });
    const run = await tenantctl(["up", "acme"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `acme: cleared a stale lock of ci@${hostname()} (pid ${gone}) since 2026-12-02T05:00:00Z: that process is gone`,
    );
    expect(existsSync(file)).toBe(false);
  });

  it("waits for a lock held by a live run, then fails naming the holder and how to unlock", async () => {
    const file = lockOf("acme", { pid: process.pid });
    try {
      const run = await tenantctl(["up", "acme", "--lock-timeout", "10s"]);
      expect(run.code).toBe(1);
      expect(run.stderr, JSON.stringify(run.report)).toContain(
        `acme: locked by ci@${hostname()} (pid ${process.pid}) since 2026-12-02T05:00:00Z; trying again in 1 s`,
      );
      const message = run.report.tenants[0]?.message ?? "";
      expect(message).toContain(
        `the stack is locked by another run: ci@${hostname()}, pid ${process.pid}, since 2026-12-02T05:00:00Z`,
      );
      expect(message).toContain("`tenantctl unlock acme`");
      expect(message).not.toMatch(/Command failed|--event-log/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
