/**
 * Which way each report's arrows read (src/report/direction.ts, docs/output.md), pinned per kind of report and per
 * format with one real upgrade: initech from the trial plan (5 connections) to enterprise (100). The plan renders it
 * offline from a git base; preview and up get it from the engine's step event (the refreshed state holds 5, the files
 * say 100). Both read `connectionLimit: 5 → 100`. Drift reads the other way round in time: files, then what someone
 * set by hand.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftedProperties } from "../../../src/orchestrate/run/driftedProperties";
import { renderRunJson, renderRunMarkdown, renderRunTable } from "../../../src/report/renderRun";
import type { Operation, RunReport } from "../../../src/report/runReport";
import { runCli } from "../../support/runCli";

const ROOT = join(__dirname, "..", "..", "..");
const ROLE = "postgresql:index/role:Role";

/** Each line of `text` that holds `needle`, by index: to say which comes first. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  expect(index, `a line with ${JSON.stringify(needle)} in:\n${text}`).toBeGreaterThanOrEqual(0);
  return index;
}

describe("plan --base: what the base has → what the files here say", () => {
  let cwd: string;
  /** The one plan run, in each format (`--output` by extension). */
  const out = { text: "", markdown: "", json: "" };
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "tenantctl-direction-"));
    cpSync(join(ROOT, "tenants"), join(cwd, "tenants"), { recursive: true });
    cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
    const git = (...args: string[]) => {
      const result = spawnSync(
        "git",
        ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
        { cwd, encoding: "utf8" },
      );
      if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    };
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "fleet");
    // The upgrade, keeping the schema it lives in (enterprise alone would move it to a database of its own).
    const initech = join(cwd, "tenants", "initech.yaml");
    const before = readFileSync(initech, "utf8");
    expect(before).toContain("plan: trial");
    writeFileSync(initech, before.replace("plan: trial", "plan: enterprise"));
    appendFileSync(initech, "database:\n  isolation: schema\n");

    const result = await runCli(
      ["plan", "initech", "--base", "HEAD", "--output", "plan.txt", "--output", "plan.md", "--output", "plan.json"],
      cwd,
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    out.text = readFileSync(join(cwd, "plan.txt"), "utf8");
    out.markdown = readFileSync(join(cwd, "plan.md"), "utf8");
    out.json = readFileSync(join(cwd, "plan.json"), "utf8");
  }, 60_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("text: the legend, then the upgrade as 5 → 100", () => {
    expect(out.text).toMatch(/\n {10}connectionLimit: 5 → 100\n/);
    expect(lineOf(out.text, "→ reads from HEAD to the tenant files here")).toBeLessThan(
      lineOf(out.text, "connectionLimit: 5 → 100"),
    );
  });

  it("markdown: the legend under the summary, then the upgrade as 5 → 100", () => {
    expect(out.markdown).toContain("\n_→ reads from HEAD to the tenant files here_\n");
    expect(out.markdown).toMatch(/\n {8}connectionLimit: 5 → 100\n/);
  });

  it("json: old from the base, new from the files", () => {
    const initech = (
      JSON.parse(out.json) as {
        tenants: { slug: string; changes: { changed: { type: string; inputs: unknown[] }[] } }[];
      }
    ).tenants[0]!;
    expect(initech.changes.changed.find((resource) => resource.type === ROLE)?.inputs).toEqual([
      { path: "connectionLimit", old: 5, new: 100 },
    ]);
  });
});

/** The step event the engine sends for initech's role, state refreshed first: `held` on the server, `declared` in the files. */
function roleStep(held: number, declared: number) {
  const state = (connectionLimit: number) => ({
    type: ROLE,
    urn: "",
    custom: true,
    delete: false,
    id: "tenant_initech",
    parent: "",
    protect: false,
    inputs: { name: "tenant_initech", login: true, connectionLimit },
    outputs: { name: "tenant_initech", login: true, connectionLimit },
    initErrors: [],
    provider: "",
  });
  return {
    type: ROLE,
    old: state(held),
    new: state(declared),
    detailedDiff: { connectionLimit: { diffKind: "update" as never, inputDiff: false } },
    diffs: ["connectionLimit"],
  };
}

function reportOf(operation: Operation, held: number, declared: number): RunReport {
  const properties = driftedProperties(roleStep(held, declared));
  const outcome = operation === "drift" ? "drift" : "changed";
  const resource = {
    urn: `urn:pulumi:initech::tenantctl::${ROLE}::initech-role`,
    type: ROLE,
    name: "initech-role",
    op: "update",
    diffs: ["connectionLimit"],
    properties,
  };
  return {
    operation,
    seconds: 2,
    tenants: [
      {
        slug: "initech",
        stack: "initech",
        outcome,
        changes: { update: 1, same: 9 },
        resources: [resource],
        seconds: 2,
      },
    ],
  };
}

describe.each([
  {
    operation: "preview" as const,
    legend: "→ reads from what is there now to what up will make it (the tenant files)",
  },
  { operation: "up" as const, legend: "→ reads from what was there to what up made it (the tenant files)" },
])("$operation: what is there now → what it will be", ({ operation, legend }) => {
  const report = reportOf(operation, 5, 100);

  it("text: the legend above the details, then the upgrade as 5 → 100", () => {
    const text = renderRunTable(report);
    expect(text).toContain(`  update   ${ROLE} initech-role\n             connectionLimit: 5 → 100\n`);
    expect(lineOf(text, legend)).toBeLessThan(lineOf(text, "connectionLimit: 5 → 100"));
  });

  it("markdown: the legend under the summary, then the upgrade as 5 → 100", () => {
    const markdown = renderRunMarkdown(report);
    expect(markdown).toContain(`\n_${legend}_\n`);
    expect(markdown).toContain("  - `connectionLimit: 5 → 100`");
  });

  it("json: expected from the files, actual from the real world, as docs/output.md says", () => {
    const json = JSON.parse(renderRunJson(report));
    expect(json.tenants[0].resources[0].properties).toEqual([{ path: "connectionLimit", expected: 100, actual: 5 }]);
  });
});

describe("drift: what the files declare → what the real world holds", () => {
  // The files say 10; someone set 999 on the server.
  const report = reportOf("drift", 999, 10);
  const legend = "→ reads from what the tenant files declare to what the real world holds";

  it("text", () => {
    const text = renderRunTable(report);
    expect(text).toContain("             connectionLimit: 10 → 999\n");
    expect(lineOf(text, legend)).toBeLessThan(lineOf(text, "connectionLimit: 10 → 999"));
  });

  it("markdown", () => {
    const markdown = renderRunMarkdown(report);
    expect(markdown).toContain(`\n_${legend}_\n`);
    expect(markdown).toContain("  - `connectionLimit: 10 → 999`");
  });

  it("json", () => {
    expect(JSON.parse(renderRunJson(report)).tenants[0].resources[0].properties).toEqual([
      { path: "connectionLimit", expected: 10, actual: 999 },
    ]);
  });
});

describe("the legend", () => {
  it("is said only where an arrow is", () => {
    const quiet: RunReport = {
      operation: "preview",
      seconds: 1,
      tenants: [{ slug: "acme", stack: "acme", outcome: "unchanged", changes: { same: 9 }, resources: [], seconds: 1 }],
    };
    expect(renderRunTable(quiet)).not.toContain("→");
    expect(renderRunMarkdown(quiet)).not.toContain("→");
  });
});
