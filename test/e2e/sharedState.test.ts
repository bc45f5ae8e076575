/**
 * Shared state for many runners, in two DIY backends: PostgreSQL (`PULUMI_BACKEND_URL=postgres://…`) and S3 (served
 * locally by versitygw: `s3://bucket?endpoint=…`). Two shards run `up` at the same time, as two CI jobs would
 * (separate processes, one state store); every stack converges with no lock conflict, and a third process's
 * `drift --all` sees every stack, unchanged.
 *
 * Each backend gets its own PostgreSQL server (for the tenants, and the state in the first case), so that nothing here
 * meets the other e2e files' tenants of the same names.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type RunningPostgres, startPostgres } from "../support/postgres";
import { descendantsOf } from "../support/processes";
import { databaseServersEnv, pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { outcomesOf, tenantctlProcess } from "../support/tenantctlProcess";
import { type RunningVersityGw, startVersityGw } from "../support/versitygw";

const engine = pulumiEngine();

describe("tenantctl with state in PostgreSQL, from concurrent shards", () => {
  let postgres: RunningPostgres;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (...args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });
  const outcomes = outcomesOf;

  beforeAll(async () => {
    postgres = await startPostgres();
    const admin = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: "postgres",
    });
    await admin.connect();
    await admin.query("CREATE DATABASE pulumi_state");
    await admin.end();
    project = tempProject(engine.repoRoot, "tenantctl-e2e-shared-");
    const credentials = `${encodeURIComponent(postgres.user)}:${encodeURIComponent(postgres.password)}`;
    env = {
      ...process.env,
      PULUMI_BACKEND_URL: `postgres://${credentials}@${postgres.host}:${postgres.port}/pulumi_state?sslmode=disable`,
      TENANTCTL_DATABASE_SERVERS: databaseServersEnv(postgres),
      TENANTCTL_DISABLE: "dns,tls,auth",
    };
  }, 120_000);

  afterAll(async () => {
    project?.remove();
    await postgres?.stop();
  });

  it("two shards up at once converge, and a third process sees every stack unchanged", async () => {
    await shardsConvergeAndDriftSeesAll(project, env);

    // The state is in PostgreSQL, not in files of the project.
    const state = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: "pulumi_state",
    });
    await state.connect();
    try {
      const { rows } = await state.query<{ count: string }>("SELECT count(*) FROM pulumi_state");
      expect(Number(rows[0]!.count)).toBeGreaterThan(4);
    } finally {
      await state.end();
    }
    const tenants = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: "postgres",
    });
    await tenants.connect();
    try {
      const { rows } = await tenants.query<{ rolname: string }>(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'tenant\\_%' ORDER BY 1",
      );
      expect(rows.map((row) => row.rolname)).toEqual(["tenant_acme", "tenant_globex", "tenant_initech"]);
    } finally {
      await tenants.end();
    }
  });

  it("a tenant that clashes with another is refused by `pulumi up -s` by hand, where no verdict of a run helps", async () => {
    project.writeFile(
      "hooli.yaml",
      "slug: hooli\nname: Hooli\ndomains:\n  custom:\n    - hostname: app.acme-corp.com\n",
    );
    const pulumi = (...args: string[]) =>
      new Promise<{ code: number; output: string }>((resolve) => {
        // This project's main is the repository's program: TENANTCTL_DIR says which tenants it deploys.
        execFile(
          "pulumi",
          args,
          { cwd: project.dir, env: { ...env, TENANTCTL_DIR: project.tenantsDir }, maxBuffer: 64 << 20 },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
        );
      });
    expect((await pulumi("stack", "init", "hooli", "--non-interactive")).code).toBe(0);
    const byHand = await pulumi("up", "-s", "hooli", "--yes", "--non-interactive", "--skip-preview");
    expect(byHand.code).not.toBe(0);
    expect(byHand.output).toContain("the tenant files are invalid; nothing was deployed");
    expect(byHand.output).toContain("custom hostname `app.acme-corp.com` is already used by tenant `acme`");
    const run = await tenantctl("up", "hooli");
    expect(run.code).toBe(1);
    expect(outcomes(run)).toEqual({ hooli: "failed" });
    project.writeFile("hooli.yaml", undefined);
  });
});

/**
 * `up control-plane`, then two shards' `up --all` at once, each tenant created in exactly one of them; then a third
 * process's `drift --all` finds every stack unchanged.
 */
async function shardsConvergeAndDriftSeesAll(project: TempProject, env: NodeJS.ProcessEnv): Promise<void> {
  const tenantctl = (...args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });
  const outcomes = outcomesOf;
  const controlPlane = await tenantctl("up", "control-plane");
  expect(controlPlane.code, controlPlane.stderr).toBe(0);

  // The two shards really run at once: at some moment both have `pulumi up` at work against the one state
  // database (seen in /proc, every 100 ms).
  const shards = new Map<string, ChildProcess>();
  const shard = (part: string) =>
    tenantctlProcess(engine.repoRoot, ["up", "--all", "--shard", part], {
      cwd: project.dir,
      env,
      onProgress: (_, child) => shards.set(part, child),
    });
  let bothAtWork = false;
  const watch = setInterval(() => {
    const atWork = [...shards.values()].filter(
      (child) => child.exitCode === null && descendantsOf(child.pid!).some((p) => /(^|\/)pulumi up /.test(p.command)),
    );
    if (atWork.length === 2) bothAtWork = true;
  }, 100);
  const [first, second] = await Promise.all([shard("1/2"), shard("2/2")]).finally(() => clearInterval(watch));
  expect(bothAtWork, "both shards had `pulumi up` running at the same moment").toBe(true);
  for (const run of [first, second]) {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/lock/i);
    expect(Object.keys(outcomes(run))).not.toContain("control-plane");
  }
  // Each tenant in exactly one shard, and created there.
  const created = { ...outcomes(first), ...outcomes(second) };
  expect(created).toEqual({ acme: "changed", globex: "changed", initech: "changed" });
  expect(Object.keys(outcomes(first)).filter((slug) => slug in outcomes(second))).toEqual([]);
  const drift = await tenantctl("drift", "--all");
  expect(drift.code, drift.stderr).toBe(0);
  expect(outcomes(drift)).toEqual({
    "control-plane": "unchanged",
    acme: "unchanged",
    globex: "unchanged",
    initech: "unchanged",
  });
}

describe("tenantctl with state on S3 (versitygw), from concurrent shards", () => {
  let postgres: RunningPostgres | undefined;
  let s3: RunningVersityGw | undefined;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [postgres, s3] = await Promise.all([startPostgres(), startVersityGw(engine.repoRoot)]);
    project = tempProject(engine.repoRoot, "tenantctl-e2e-shared-s3-");
    env = {
      ...process.env,
      ...s3.env,
      PULUMI_BACKEND_URL: s3.backendUrl,
      TENANTCTL_DATABASE_SERVERS: databaseServersEnv(postgres),
      TENANTCTL_DISABLE: "dns,tls,auth",
    };
  }, 120_000);

  afterAll(async () => {
    project?.remove();
    await Promise.all([postgres?.stop(), s3?.stop()]);
  });

  it("two shards up at once converge, and a third process sees every stack unchanged", async () => {
    await shardsConvergeAndDriftSeesAll(project, env);

    // The state is in the bucket, not in files of the project: one checkpoint per stack.
    const stacksDir = join(s3!.bucketDir, ".pulumi", "stacks");
    expect(existsSync(stacksDir), `${stacksDir} exists`).toBe(true);
    const checkpoints = readdirSync(stacksDir, { recursive: true, encoding: "utf8" }).filter((file) =>
      /(^|\/)(control-plane|acme|globex|initech)\.json$/.test(file),
    );
    expect(checkpoints.map((file) => file.split("/").pop()).sort()).toEqual([
      "acme.json",
      "control-plane.json",
      "globex.json",
      "initech.json",
    ]);
  });
});
