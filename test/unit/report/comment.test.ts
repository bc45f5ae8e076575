/**
 * One comment that fits: the marker first, never more than 65,536 characters, the largest details left out first
 * with a line that says how many and where the full report is. Tried on 600 changed tenants, for the plan (a real
 * `plan --base` of a generated fleet) and for a run report.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFleet } from "../../../bench/generateFleet";
import { COMMENT_MAX_LENGTH, commentMarker, fenced, fitComment } from "../../../src/report/comment";
import { renderRunMarkdown } from "../../../src/report/renderRun";
import type { RunReport, TenantRun } from "../../../src/report/runReport";
import { runCli } from "../../support/runCli";

const ROOT = join(__dirname, "..", "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("fitComment", () => {
  const parts = (detailSizes: number[]) => ({
    head: [commentMarker("plan"), "### title", "", "| a | b | c |", "|---|---|---|"],
    rows: detailSizes.map((_, i) => `| t${i} | changed | 1 |`),
    details: detailSizes.map((size, i) => `<details>t${i} ${"x".repeat(size)}</details>`),
  });

  it("keeps everything when it fits", () => {
    const text = fitComment(parts([10, 20]), 1000);
    expect(text.split("\n")[0]).toBe("<!-- tenantctl:plan -->");
    expect(text).toContain("t0 xxxxxxxxxx");
    expect(text).toContain("t1 xxxxxxxxxxxxxxxxxxxx");
    expect(text).not.toContain("left out");
  });

  it("leaves out the largest details first, keeps the others in order, and says so", () => {
    const text = fitComment(parts([100, 900, 50, 800]), 1000);
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text).toContain("<details>t0 ");
    expect(text).toContain("<details>t2 ");
    expect(text).not.toContain("<details>t1 ");
    expect(text).not.toContain("<details>t3 ");
    expect(text.indexOf("<details>t0 ")).toBeLessThan(text.indexOf("<details>t2 "));
    expect(text).toContain(
      "_2 of 4 tenants' details were left out to fit one comment (the largest first); the full report is in this run's artifacts (`--format json`)._",
    );
  });

  it("cuts the table too when even it does not fit, and counts what it left out", () => {
    const text = fitComment(parts(Array.from({ length: 500 }, () => 10)), 2000);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/\| … \| \d+ more tenants \| the full report is in this run's artifacts/);
  });

  it("fences code so that backticks inside cannot end the block", () => {
    expect(fenced("a ``` b")).toBe("````\na ``` b\n````");
    expect(fenced("plain", "diff")).toBe("```diff\nplain\n```");
  });
});

describe("a comment for 600 changed tenants", () => {
  it("plan --base --format markdown stays one comment, and --output writes it to a file", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tenantctl-comment-"));
    dirs.push(cwd);
    cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
    const tenants = generateFleet(cwd, 600, join(ROOT, "tenants"));
    const git = (...args: string[]) => expect(spawnSync("git", args, { cwd, encoding: "utf8" }).status).toBe(0);
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-qm", "base");
    for (const file of readdirSync(tenants).filter((name) => !name.startsWith("_") && name.endsWith(".yaml"))) {
      const path = join(tenants, file);
      writeFileSync(path, readFileSync(path, "utf8").replace(/^name: (.*)$/m, "name: $1 (renamed)"));
    }

    const result = await runCli(["plan", "--base", "HEAD", "--format", "markdown", "--output", "reports/plan.md"], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
    const comment = readFileSync(join(cwd, "reports", "plan.md"), "utf8");
    expect(comment.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(comment.split("\n")[0]).toBe("<!-- tenantctl:plan -->");
    expect(comment).toContain("stacks 0 added, 600 changed, 0 removed, 1 unchanged");
    expect(comment).toMatch(
      /_\d+ of 600 tenants' details were left out to fit one comment \(the largest first\); the full report is in this run's artifacts/,
    );
    expect((comment.match(/<details>/g) ?? []).length).toBeGreaterThan(50);
  }, 120_000);

  it("a run report for 600 tenants stays one comment", () => {
    const tenant = (i: number): TenantRun => ({
      slug: `t${String(i).padStart(5, "0")}-acme`,
      stack: `t${String(i).padStart(5, "0")}-acme`,
      outcome: "drift",
      changes: { update: 2 },
      resources: [
        {
          urn: `urn:pulumi:t${i}::tenantctl::postgresql:index/role:Role::t${i}-role`,
          type: "postgresql:index/role:Role",
          name: `t${i}-role`,
          op: "update",
          diffs: ["connectionLimit"],
        },
        {
          urn: `urn:pulumi:t${i}::tenantctl::pulumi-nodejs:dynamic:TenantSettingsTable::t${i}-settings-table`,
          type: "pulumi-nodejs:dynamic:TenantSettingsTable",
          name: `t${i}-settings-table`,
          op: "update",
          diffs: ["settings"],
        },
      ],
      seconds: 3.2,
    });
    const report: RunReport = {
      operation: "drift",
      tenants: Array.from({ length: 600 }, (_, i) => tenant(i)),
      seconds: 600,
    };
    const comment = renderRunMarkdown(report);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(comment.split("\n")[0]).toBe("<!-- tenantctl:drift -->");
    expect((comment.match(/^\| `t\d+-acme` \| ⚠️ drift \|/gm) ?? []).length).toBe(600);
    expect(comment).toMatch(/_\d+ of 600 tenants' details were left out/);
  });
});
