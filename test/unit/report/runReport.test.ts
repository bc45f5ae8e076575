import { describe, expect, it } from "vitest";
import { renderRunJson, renderRunMarkdown, renderRunTable } from "../../../src/report/renderRun";
import { exitCodeOf } from "../../../src/cli/exitCodes";
import { runOutcome, type RunReport, summarize, type TenantRun } from "../../../src/report/runReport";

/** The exit code a run ends with: its outcome, mapped by the CLI. */
const exitCodeFor = (report: RunReport) => exitCodeOf(runOutcome(report));

const run = (slug: string, outcome: TenantRun["outcome"], extra: Partial<TenantRun> = {}): TenantRun => ({
  slug,
  stack: slug,
  outcome,
  changes: {},
  resources: [],
  seconds: 1,
  ...extra,
});
const report = (operation: RunReport["operation"], tenants: TenantRun[]): RunReport => ({
  operation,
  tenants,
  seconds: 3,
});

describe("exit codes", () => {
  it("is 0 when every stack ran, whether or not it changed", () => {
    expect(
      exitCodeFor(report("up", [run("acme", "changed"), run("globex", "unchanged"), run("gone", "skipped")])),
    ).toBe(0);
  });
  it("is 1 when any stack failed, drift or not", () => {
    expect(exitCodeFor(report("up", [run("acme", "changed"), run("globex", "failed")]))).toBe(1);
    expect(exitCodeFor(report("drift", [run("acme", "drift"), run("globex", "failed")]))).toBe(1);
  });
  it("is 3 when drift found drift, and only for drift", () => {
    expect(exitCodeFor(report("drift", [run("acme", "drift"), run("globex", "unchanged")]))).toBe(3);
    expect(exitCodeFor(report("drift", [run("acme", "unchanged")]))).toBe(0);
  });
});

describe("renderers", () => {
  const drift = report("drift", [
    run("acme", "unchanged", { changes: { same: 7 } }),
    run("globex", "drift", {
      changes: { update: 2, same: 5 },
      resources: [
        {
          urn: "urn:x::globex-role",
          type: "postgresql:index/role:Role",
          name: "globex-role",
          op: "update",
          diffs: ["connectionLimit"],
        },
      ],
    }),
    run("hooli", "failed", { message: "error: connection refused" }),
  ]);

  it("prints a table, the resources that differ, and a summary", () => {
    const text = renderRunTable(drift);
    expect(text).toMatch(/^TENANT\s+RESULT\s+CHANGES\s+TIME$/m);
    expect(text).toMatch(/^globex\s+drift\s+2 to update\s+1\.0 s$/m);
    expect(text).toContain("  update   postgresql:index/role:Role globex-role (connectionLimit)");
    expect(text).toContain("hooli:\n  error: connection refused");
    expect(text.trimEnd().split("\n").pop()).toBe(
      "Drift check of 3 tenant stacks in 3.0 s: 1 unchanged, 1 drift, 1 failed",
    );
  });

  it("prints one Markdown comment with a row per tenant and details where something differs", () => {
    const markdown = renderRunMarkdown(drift);
    expect(markdown).toContain("| `globex` | ⚠️ drift | 2 to update |");
    expect(markdown).toContain("- **update** `postgresql:index/role:Role` `globex-role`: `connectionLimit`");
    expect(markdown).not.toContain("<details><summary><code>acme</code>");
  });

  it("counts only what changes the real world: reads and refreshes are not changes", () => {
    const unchanged = report("preview", [
      run("acme", "unchanged", {
        changes: { same: 6, read: 1, refresh: 7 },
        resources: [
          {
            urn: "urn:x::acme-control-plane",
            type: "pulumi:pulumi:StackReference",
            name: "acme-control-plane",
            op: "read",
            diffs: [],
          },
        ],
      }),
    ]);
    expect(renderRunTable(unchanged)).toMatch(/^acme\s+unchanged\s+no changes\s+1\.0 s$/m);
    expect(renderRunTable(unchanged)).not.toContain("acme:\n");
    expect(renderRunMarkdown(unchanged)).toContain("| `acme` | ✅ unchanged | no changes |");
  });

  it("prints JSON with a summary", () => {
    const json = JSON.parse(renderRunJson(drift));
    expect(json.summary).toEqual({ unchanged: 1, changed: 0, drift: 1, failed: 1, skipped: 0, cancelled: 0 });
    expect(json.tenants.map((t: TenantRun) => t.outcome)).toEqual(["unchanged", "drift", "failed"]);
  });
});

describe("an interrupted run", () => {
  it("exits 130 and counts what was cancelled, whatever else happened", () => {
    const report = {
      operation: "up" as const,
      seconds: 3,
      interrupted: true,
      tenants: [
        {
          slug: "control-plane",
          stack: "control-plane",
          outcome: "changed" as const,
          changes: {},
          resources: [],
          seconds: 1,
        },
        {
          slug: "acme",
          stack: "acme",
          outcome: "cancelled" as const,
          changes: {},
          resources: [],
          message: "not started: the run was interrupted",
          seconds: 0,
        },
      ],
    };
    expect(exitCodeFor(report)).toBe(130);
    expect(summarize(report)).toMatchObject({ changed: 1, cancelled: 1 });
    expect(exitCodeFor({ ...report, interrupted: false })).toBe(0);
  });
});
