/**
 * The three workflows of .github/workflows/, run for real by nektos/act (tools/ensure-act.sh) on this machine: the
 * jobs' own steps (`npm ci`, tenantctl, the Pulumi CLI step, post-report.mjs) against a kept sandbox (its PostgreSQL
 * and its state, given to the workflows as the repository's secrets) and a stand-in for GitHub's REST API
 * (test/support/githubApi.ts, reached through GITHUB_API_URL as on GitHub), read back after each run.
 *
 * The repository the workflows run in is a git copy of this working tree ("acme/platform"), whose branches and pushes
 * the tests make: a pull request that adds a tenant (pushed three times), its merge with a template change, and two
 * nightly runs after a hand edit in the sandbox. Each `it` continues where the previous one left the fleet.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inShard } from "../../src/orchestrate/select/shard";
import { ensureAct, jobLog, runWorkflow, stepOutcomes, type WorkflowRunOptions } from "../support/act";
import { GitHubApiStandIn } from "../support/githubApi";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { keptSandbox, printedStopCommand, sourced } from "../support/sandbox";

const engine = pulumiEngine();
const REPOSITORY = "acme/platform";
const TOKEN = "ghs_standInToken";
const SHARDS = 4;
const STAND_INS = join(engine.repoRoot, "test", "support", "actions");
/** Slow on a busy machine: every job runs `npm ci` (with `prepare`: tsc) in its own copy of the repository. */
const RUN_TIMEOUT_MS = 1_200_000;

describe("the workflows under act, against the sandbox and a stand-in GitHub API", () => {
  const kept = keptSandbox();
  const github = new GitHubApiStandIn(REPOSITORY, TOKEN);
  let actBinDir: string;
  let repo: string;
  let sandbox: NodeJS.ProcessEnv;
  let runnerEnv: NodeJS.ProcessEnv;
  let apiUrl: string;
  let baseCommit: string;
  const durations: string[] = [];

  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  const writeTenant = (name: string, text: string) => writeFileSync(join(repo, "tenants", name), text);

  /** The repository's secrets, as a platform team would set them, here pointing at the sandbox. */
  const secrets = () => ({
    GITHUB_TOKEN: TOKEN,
    PULUMI_BACKEND_URL: sandbox.PULUMI_BACKEND_URL!,
    PULUMI_CONFIG_PASSPHRASE: sandbox.PULUMI_CONFIG_PASSPHRASE!,
    TENANTCTL_DATABASE_SERVERS: sandbox.TENANTCTL_DATABASE_SERVERS!,
  });

  async function run(label: string, options: Omit<WorkflowRunOptions, "env" | "secrets" | "timeoutMs">) {
    const result = await runWorkflow(actBinDir, repo, STAND_INS, runnerEnv, {
      ...options,
      secrets: secrets(),
      // GitHub's API is the stand-in; the sandbox has no DNS, TLS or auth provider (as its own runs: env.sh).
      env: { GITHUB_API_URL: apiUrl, TENANTCTL_DISABLE: sandbox.TENANTCTL_DISABLE! },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    durations.push(`${label}: ${(result.durationMs / 1000).toFixed(0)} s`);
    process.stderr.write(
      `[workflows] ${label}: act exited ${result.code} after ${(result.durationMs / 1000).toFixed(0)} s\n`,
    );
    // The sandbox's admin password is a secret of the run: act masks it, and nothing prints it otherwise.
    const admin = JSON.parse(sandbox.TENANTCTL_DATABASE_SERVERS!).primary.password as string;
    expect(result.log).not.toContain(admin);
    return result;
  }

  async function admin<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
    const server = JSON.parse(sandbox.TENANTCTL_DATABASE_SERVERS!).primary;
    const client = new Client({
      host: server.host,
      port: server.port,
      user: server.username,
      password: server.password,
      database,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  const stackHistoryLength = (stack: string) =>
    (
      JSON.parse(
        execFileSync("pulumi", ["stack", "history", "--json", "-s", stack], {
          cwd: sandbox.TENANTCTL_SANDBOX_PROJECT!,
          env: sandbox,
          encoding: "utf8",
        }),
      ) as unknown[]
    ).length;

  beforeAll(async () => {
    actBinDir = ensureAct(engine.repoRoot);
    apiUrl = await github.start();

    // The sandbox: PostgreSQL and a state backend holding the example fleet, deployed.
    // With the repository's migrations: the workflows run in a copy of the repository, which has them.
    const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-act-sandbox-", { withMigrations: true }));
    const started = await runCli(["sandbox", "--keep"], project.dir);
    kept.stop = printedStopCommand(started.stdout);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    sandbox = sourced(join(project.dir, ".tenantctl", "sandbox", "env.sh"));

    // The platform's repository: this working tree (tracked and new files, not what .gitignore leaves out), with
    // `main` as the fleet the sandbox deployed, on GitHub as acme/platform (act names github.repository after it).
    repo = mkdtempSync(join(tmpdir(), "tenantctl-act-repo-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: engine.repoRoot,
      encoding: "utf8",
    })
      .split("\0")
      .filter((file) => file !== "" && existsSync(join(engine.repoRoot, file)));
    for (const file of files) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      cpSync(join(engine.repoRoot, file), join(repo, file));
    }
    git("init", "-q", "-b", "main");
    git("remote", "add", "origin", `https://github.com/${REPOSITORY}.git`);
    git("add", "-A");
    git("commit", "-q", "-m", "the platform's fleet");
    baseCommit = git("rev-parse", "HEAD");
    // What actions/checkout leaves for a pull request's `git diff origin/<base>`.
    git("update-ref", "refs/remotes/origin/main", baseCommit);

    // The runner: this host's tools (node, npm, git, and the Pulumi engine first on PATH, so the workflows' Pulumi
    // CLI step finds the pinned version and downloads nothing), no credentials of its own.
    runnerEnv = {
      PATH: process.env.PATH,
      LANG: process.env.LANG ?? "C.UTF-8",
      npm_config_cache: execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
  }, 1_200_000);

  afterAll(async () => {
    await github.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
    process.stderr.write(`[workflows] durations: ${durations.join("; ")}\n`);
  });

  it(
    "pull request: annotations on a bad file; then the offline plan, the preview against the sandbox and one comment, updated in place by the next push",
    async () => {
      const pullRequest = github.openPullRequest("Add tenant hooli");
      git("checkout", "-q", "-b", "add-hooli");
      const event = {
        action: "synchronize",
        number: pullRequest.number,
        pull_request: {
          number: pullRequest.number,
          base: { ref: "main", sha: baseCommit },
          head: { ref: "add-hooli", repo: { full_name: REPOSITORY } },
        },
        repository: { full_name: REPOSITORY },
      };
      const push = async (label: string, hooli: string) => {
        writeTenant("hooli.yaml", hooli);
        git("add", "-A");
        git("commit", "-q", "-m", label);
        return run(`pull request, ${label}`, { event: "pull_request", payload: event, workflow: "pull-request.yml" });
      };

      // 1. A plan the template does not have: validate fails with an annotation on the file's line; nothing else
      // runs, and no comment is posted (there is no plan to show).
      const bad = await push("push 1 (unknown plan)", "slug: hooli\nname: Hooli\nplan: platinum\n");
      expect(bad.code, bad.log).not.toBe(0);
      expect(jobLog(bad.log, "plan")).toMatch(
        /::error file=tenants\/hooli\.yaml,line=3,col=\d+,title=[^:]*::.*platinum/,
      );
      expect(stepOutcomes(bad.log, "plan")).toMatchObject({ "npm ci": "Success", validate: "Failure" });
      expect(stepOutcomes(bad.log, "plan")).not.toHaveProperty("plan (offline)");
      expect(github.commentsOn(pullRequest.number)).toEqual([]);

      // 2. Fixed: the offline plan, the preview with the real engine against the sandbox's state and PostgreSQL (the
      // Pulumi CLI step found the engine on PATH), one comment with both.
      const fixed = await push("push 2 (fixed)", "slug: hooli\nname: Hooli\nplan: trial\n");
      expect(fixed.code, fixed.log).toBe(0);
      expect(stepOutcomes(fixed.log, "plan")).toMatchObject({
        validate: "Success",
        "plan (offline)": "Success",
        "Pulumi CLI": "Success",
        "preview (real engine, where credentials exist)": "Success",
        "one comment on the pull request": "Success",
      });
      expect(jobLog(fixed.log, "plan")).toContain("Pulumi CLI v3.248.0 already on PATH");
      const preview = JSON.parse(readFileSync(join(fixed.artifacts, "tenantctl-reports", "preview.json"), "utf8"));
      expect(preview.tenants.map((t: { slug: string; outcome: string }) => [t.slug, t.outcome])).toEqual([
        ["hooli", "changed"],
      ]);
      const [comment] = github.commentsOn(pullRequest.number);
      expect(github.commentsOn(pullRequest.number)).toHaveLength(1);
      expect(comment!.body.startsWith("<!-- tenantctl:pull-request -->\n")).toBe(true);
      expect(comment!.body).toContain(
        readFileSync(join(fixed.artifacts, "tenantctl-reports", "plan.md"), "utf8").trim(),
      );
      expect(comment!.body).toContain(
        readFileSync(join(fixed.artifacts, "tenantctl-reports", "preview.md"), "utf8").trim(),
      );
      expect(comment!.body).toContain("hooli");
      const firstBody = comment!.body;

      // 3. Another push: the same comment, updated in place (found by its marker), now showing the new plan.
      const edited = await push("push 3 (basic plan)", "slug: hooli\nname: Hooli XYZ\nplan: basic\n");
      expect(edited.code, edited.log).toBe(0);
      expect(github.commentsOn(pullRequest.number)).toHaveLength(1);
      const [updated] = github.commentsOn(pullRequest.number);
      expect(updated!.id).toBe(comment!.id);
      expect(updated!.body).not.toBe(firstBody);
      expect(updated!.body).toContain(
        readFileSync(join(edited.artifacts, "tenantctl-reports", "plan.md"), "utf8").trim(),
      );
      expect(
        github.requests
          .filter((request) => request.method !== "GET")
          .map((request) => `${request.method} ${request.url.replace(/\?.*/, "")}`),
      ).toEqual([
        `POST /repos/${REPOSITORY}/issues/${pullRequest.number}/comments`,
        `PATCH /repos/${REPOSITORY}/issues/comments/${comment!.id}`,
      ]);
      // The pull request's tenant is only previewed: nothing of it exists in the sandbox yet.
      const roles = await admin("postgres", (client) =>
        client.query("SELECT 1 FROM pg_roles WHERE rolname = 'tenant_hooli'"),
      );
      expect(roles.rowCount).toBe(0);
    },
    3 * RUN_TIMEOUT_MS,
  );

  it(
    "merge: the control plane first when the template changed, then the canaries, then up --changed in four shards against the sandbox",
    async () => {
      git("checkout", "-q", "main");
      git("merge", "-q", "--no-ff", "-m", "Merge pull request #1: add tenant hooli", "add-hooli");
      // A new plan that no tenant uses yet: the template changed, no tenant's settings did.
      const template = join(repo, "tenants", "_control-plane.yaml");
      writeFileSync(
        template,
        readFileSync(template, "utf8").replace(
          /^plans:\n/m,
          "plans:\n  premium:    { limits: { users: 1000,  dbConnections: 20 },  database: { isolation: schema } }\n",
        ),
      );
      git("commit", "-q", "-am", "A premium plan");
      const controlPlaneUpdates = stackHistoryLength("control-plane");
      const acmeUpdates = stackHistoryLength("acme");

      const merged = await run("merge", {
        event: "push",
        payload: {
          ref: "refs/heads/main",
          before: baseCommit,
          after: git("rev-parse", "HEAD"),
          repository: { full_name: REPOSITORY },
        },
        workflow: "merge.yml",
      });
      expect(merged.code, merged.log).toBe(0);

      // The control-plane job ran `up control-plane` (one more update in its stack's history) before any shard.
      expect(stepOutcomes(merged.log, "control-plane")).toMatchObject({
        "what the push changed": "Success",
        "Pulumi CLI": "Success",
        "up control-plane": "Success",
      });
      expect(stackHistoryLength("control-plane")).toBe(controlPlaneUpdates + 1);
      const firstShardLine = merged.log.search(/\/tenants-\d *\] /);
      expect(merged.log.lastIndexOf("merge/control-plane]")).toBeLessThan(firstShardLine);

      // The template changed, so the canary job ran first, on the canary group (none of it changed) and one tenant
      // more: hooli, the one change. Not the control plane again.
      expect(stepOutcomes(merged.log, "canary")).toMatchObject({
        "Pulumi CLI": "Success",
        "up the canaries of the template change": "Success",
      });
      const canary = JSON.parse(readFileSync(join(merged.artifacts, "tenantctl-canary", "canary.json"), "utf8")) as {
        tenants: { slug: string; outcome: string }[];
      };
      expect(canary.tenants.map((tenant) => [tenant.slug, tenant.outcome])).toEqual([["hooli", "changed"]]);

      // Four shards, each with its own report; together they ran what changed (hooli, which the canary job deployed
      // already), in hooli's shard only.
      const reports = Array.from({ length: SHARDS }, (_, i) => {
        const file = join(merged.artifacts, `tenantctl-up-${i + 1}`, "up.json");
        return JSON.parse(readFileSync(file, "utf8")) as { tenants: { slug: string; outcome: string }[] };
      });
      for (let shard = 1; shard <= SHARDS; shard++) {
        expect(stepOutcomes(merged.log, `tenants-${shard}`)).toMatchObject({
          "up the changed tenants of this shard": "Success",
        });
        const slugs = reports[shard - 1]!.tenants.map((tenant) => tenant.slug);
        expect(slugs).toEqual(inShard("hooli", { index: shard, count: SHARDS }) ? ["hooli"] : []);
      }
      expect(reports.flatMap((report) => report.tenants)).toEqual([
        expect.objectContaining({ slug: "hooli", outcome: "unchanged" }),
      ]);
      expect(stackHistoryLength("acme")).toBe(acmeUpdates);

      // In the sandbox's PostgreSQL: hooli's role and schema, in the shared database (basic plan: schema isolation).
      const schema = await admin("tenants", (client) =>
        client.query("SELECT schema_owner FROM information_schema.schemata WHERE schema_name = 'tenant_hooli'"),
      );
      expect(schema.rows).toEqual([{ schema_owner: "tenant_hooli" }]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "nightly: a hand edit in the sandbox is drift that fails the run and opens one issue; the next run updates it",
    async () => {
      await admin("postgres", (client) => client.query("ALTER ROLE tenant_globex CONNECTION LIMIT 999"));
      const globexShard = Array.from({ length: SHARDS }, (_, i) => i + 1).find((index) =>
        inShard("globex", { index, count: SHARDS }),
      )!;

      const first = await run("nightly, run 1", { event: "schedule", payload: {}, workflow: "nightly.yml" });
      // Drift fails the run: globex's shard fails, the others pass, and the issue job runs.
      expect(first.code, first.log).not.toBe(0);
      for (let shard = 1; shard <= SHARDS; shard++) {
        expect(stepOutcomes(first.log, `drift-${shard}`)["drift --all, this shard"]).toBe(
          shard === globexShard ? "Failure" : "Success",
        );
        const report = JSON.parse(
          readFileSync(join(first.artifacts, `tenantctl-drift-${shard}`, `drift-${shard}.json`), "utf8"),
        ) as { tenants: { slug: string; outcome: string }[] };
        for (const tenant of report.tenants)
          expect([tenant.slug, tenant.outcome]).toEqual([
            tenant.slug,
            tenant.slug === "globex" ? "drift" : "unchanged",
          ]);
      }
      expect(stepOutcomes(first.log, "issue")).toMatchObject({ "open or update the drift issue": "Success" });
      const issues = github.realIssues();
      expect(issues).toHaveLength(1);
      const [issue] = issues;
      expect(issue).toMatchObject({
        title: "Drift found by the nightly check",
        labels: ["tenantctl-drift"],
        state: "open",
      });
      expect(issue!.body).toContain("globex");
      expect(issue!.body).toContain(
        readFileSync(join(first.artifacts, `tenantctl-drift-${globexShard}`, `drift-${globexShard}.md`), "utf8").trim(),
      );

      // The next night (its drifted shard only, to keep the test short: act's --matrix): the same issue, updated.
      const before = github.requests.length;
      const second = await run("nightly, run 2", {
        event: "schedule",
        payload: {},
        workflow: "nightly.yml",
        matrix: { shard: String(globexShard) },
      });
      expect(second.code, second.log).not.toBe(0);
      expect(readdirSync(second.artifacts)).toEqual([`tenantctl-drift-${globexShard}`]);
      expect(github.realIssues()).toHaveLength(1);
      const writes = github.requests
        .slice(before)
        .filter((request) => request.method !== "GET")
        .map((request) => `${request.method} ${request.url}`);
      expect(writes).toEqual([`PATCH /repos/${REPOSITORY}/issues/${issue!.number}`]);
      expect(github.realIssues()[0]!.body).toContain(
        readFileSync(
          join(second.artifacts, `tenantctl-drift-${globexShard}`, `drift-${globexShard}.md`),
          "utf8",
        ).trim(),
      );
    },
    2 * RUN_TIMEOUT_MS,
  );
});
