/**
 * `tenantctl plan --base` names a tenant whose data location changes as a move (DESIGN.md, "Moves"), in every format:
 * an upgrade (schema → database), a downgrade (database → schema) and a server change, offline, against a throwaway
 * git repository holding the example fleet.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareFleets, tenantMove } from "../../../src/core/compare/fleetChanges";
import { runCli } from "../../support/runCli";
import { buildTenant, PRIMARY_SERVER } from "../../support/tenantFixtures";

const ROOT = join(__dirname, "..", "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync(
    "git",
    ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
}

function editFile(file: string, from: string | RegExp, to: string): void {
  const before = readFileSync(file, "utf8");
  const after = before.replace(from, to);
  expect(after, `${file} edited`).not.toBe(before);
  writeFileSync(file, after);
}

const SECONDARY =
  "    secondary: { host: db2.internal.example.com, port: 5432, sharedDatabase: tenants, maxConnections: 500 }\n";

/** The example fleet with a second server in its template, committed; then initech upgraded, acme downgraded, globex rebalanced. */
function movingFleet(): string {
  const cwd = mkdtempSync(join(tmpdir(), "tenantctl-plan-moves-"));
  dirs.push(cwd);
  cpSync(join(ROOT, "tenants"), join(cwd, "tenants"), { recursive: true });
  cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
  const tenants = join(cwd, "tenants");
  editFile(join(tenants, "_control-plane.yaml"), /( {4}primary: .*\n)/, `$1${SECONDARY}`);
  git(cwd, "init", "-q");
  git(cwd, "add", ".");
  git(cwd, "commit", "-q", "-m", "fleet");
  editFile(join(tenants, "initech.yaml"), "plan: trial", "plan: enterprise");
  editFile(join(tenants, "acme.yaml"), "isolation: database", "isolation: schema");
  editFile(join(tenants, "globex.yaml"), "isolation: schema", "isolation: schema\n  server: secondary");
  return cwd;
}

const INITECH_MOVE = {
  from: { server: "primary", database: "tenants", schema: "tenant_initech" },
  to: { server: "primary", database: "tenant_initech", schema: "public" },
};
const ACME_MOVE = {
  from: { server: "primary", database: "tenant_acme", schema: "public" },
  to: { server: "primary", database: "tenants", schema: "tenant_acme" },
};
const GLOBEX_MOVE = {
  from: { server: "primary", database: "tenants", schema: "tenant_globex" },
  to: { server: "secondary", database: "tenants", schema: "tenant_globex" },
};

describe("tenantctl plan --base: moves", { timeout: 60_000 }, () => {
  let cwd: string;
  beforeAll(() => {
    cwd = movingFleet();
  });

  it("JSON: `move: {from, to}` on each tenant whose data location changes, and on no other", async () => {
    const result = await runCli(["plan", "--base", "HEAD", "--format", "json"], cwd);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const plan = JSON.parse(result.stdout) as {
      tenants: { slug: string; move?: unknown; changes: { status: string } }[];
    };
    expect(plan.tenants.map((stack) => [stack.slug, stack.changes.status, stack.move])).toEqual([
      ["control-plane", "unchanged", undefined],
      ["acme", "changed", ACME_MOVE],
      ["globex", "changed", GLOBEX_MOVE],
      ["initech", "changed", INITECH_MOVE],
    ]);
    // Beside the slug and stack, before the resources: the first thing a script reads of the tenant.
    expect(Object.keys(plan.tenants[3]!)).toEqual(["slug", "stack", "move", "resources", "changes"]);
  });

  it("text: the stack line says it moves, the next line names from and to; the summary counts the moves", async () => {
    const result = await runCli(["plan", "--base", "HEAD"], cwd);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const out = result.stdout;
    expect(out).toMatch(
      /^~ initech \(stack initech\): moves, \d+ to add, \d+ to change, \d+ to remove\n {2}move initech: schema tenant_initech in tenants@primary → database tenant_initech@primary\n/m,
    );
    expect(out).toMatch(
      /^~ acme \(stack acme\): moves, \d+ to add, \d+ to change, \d+ to remove\n {2}move acme: database tenant_acme@primary → schema tenant_acme in tenants@primary\n/m,
    );
    expect(out).toMatch(
      /^~ globex \(stack globex\): moves, \d+ to add, \d+ to change, \d+ to remove\n {2}move globex: schema tenant_globex in tenants@primary → schema tenant_globex in tenants@secondary\n/m,
    );
    expect(out).toMatch(
      /\nPlan against HEAD: stacks 0 added, 3 changed, 0 removed, 1 unchanged; 3 tenants move; resources \d+ to add, \d+ to change, \d+ to remove; rendered offline in \d+\.\d s\n$/,
    );
  });

  it("Markdown: the headline counts the tenants that move, their rows say so, their details name from and to", async () => {
    const result = await runCli(["plan", "initech", "--base", "HEAD", "--format", "markdown"], cwd);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const out = result.stdout;
    expect(out).toMatch(
      /^Plan against HEAD: stacks 0 added, 1 changed, 0 removed, 0 unchanged; 1 tenant moves; resources /m,
    );
    expect(out).toMatch(/^\| `initech` \| 🚚 moves \| \d+ to add, \d+ to change, \d+ to remove \|$/m);
    expect(out).toContain("<details><summary><code>initech</code>: moves, ");
    expect(out).toContain(
      "\nmove initech: schema tenant_initech in tenants@primary → database tenant_initech@primary\n",
    );
  });

  it("a change that leaves the data where it is names no move", async () => {
    const still = mkdtempSync(join(tmpdir(), "tenantctl-plan-still-"));
    dirs.push(still);
    cpSync(join(ROOT, "tenants"), join(still, "tenants"), { recursive: true });
    cpSync(join(ROOT, "Pulumi.yaml"), join(still, "Pulumi.yaml"));
    git(still, "init", "-q");
    git(still, "add", ".");
    git(still, "commit", "-q", "-m", "fleet");
    editFile(join(still, "tenants", "initech.yaml"), "plan: trial", "plan: basic");
    const result = await runCli(["plan", "--base", "HEAD", "--format", "json"], still);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      tenants: { slug: string; move?: unknown; changes: { status: string } }[];
    };
    expect(plan.tenants.find((stack) => stack.slug === "initech")).toMatchObject({ changes: { status: "changed" } });
    expect(plan.tenants.filter((stack) => stack.move !== undefined)).toEqual([]);
    const text = await runCli(["plan", "--base", "HEAD"], still);
    expect(text.stdout).not.toMatch(/\bmoves?\b/);
  });
});

describe("compareFleets: moves", () => {
  const secondary = { ...PRIMARY_SERVER, name: "secondary", host: "db2.internal.example.com" };

  it("lists the changed tenants whose data location changes, from and to", () => {
    const base = [buildTenant("initech"), buildTenant("globex"), buildTenant("hooli")];
    const current = [
      buildTenant("initech", { database: { isolation: "database" } }),
      buildTenant("globex", { database: { server: secondary } }),
      buildTenant("hooli", { name: "Hooli XYZ" }),
    ];
    const slugs = ["initech", "globex", "hooli"];
    const changes = compareFleets({ tenants: current, slugs }, { tenants: base, slugs });
    expect(changes.changed).toEqual(slugs);
    expect(changes.moves).toEqual([
      { slug: "initech", ...INITECH_MOVE },
      { slug: "globex", from: GLOBEX_MOVE.from, to: { ...GLOBEX_MOVE.from, server: "secondary" } },
    ]);
  });

  it("a new, removed or invalid tenant has no move: there is no location on one side", () => {
    expect(tenantMove(undefined, buildTenant("hooli"))).toBeUndefined();
    expect(tenantMove(buildTenant("hooli"), undefined)).toBeUndefined();
    const changes = compareFleets(
      { tenants: [], slugs: ["initech"] },
      { tenants: [buildTenant("initech")], slugs: ["initech"] },
    );
    expect(changes).toMatchObject({ changed: ["initech"], moves: [] });
  });
});
