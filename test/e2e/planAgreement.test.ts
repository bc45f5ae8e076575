/**
 * The pull request's comment is the offline `plan --base`; reviewers approve what it says. This test holds it to what
 * the engine will do (#27): random edits of the tenant files and the template, drawn from every kind the schema allows,
 * each applied to a deployed sandbox fleet (real engine, PostgreSQL and AuthHero); for each edit, the set of resources
 * and properties `plan --base HEAD` says change equals the set the engine's `preview` of every stack says change, and a
 * move or an edit `up` will not apply reads the same in both. A disagreement prints the edit that caused it.
 *
 * What is compared: every resource this world deploys (PostgreSQL, settings, AuthHero). DNS and TLS (Cloudflare here)
 * are unreachable, so the sandbox turns them off while the offline plan renders them: their resources are left out,
 * and their agreement is the mocks' business (test/infra). A fleet on a second database server is left out too.
 *
 * `TENANTCTL_AGREEMENT_EDITS` sets the number of edit sets (default 12); `TENANTCTL_AGREEMENT_SEED` draws another run
 * (default 5: the test command draws the same edits every time, so it fails only for a change of behaviour).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { keptSandbox, printedStopCommand } from "../support/sandbox";

const engine = pulumiEngine();
const EDITS = Number(process.env.TENANTCTL_AGREEMENT_EDITS ?? 12);
const SEED = Number(process.env.TENANTCTL_AGREEMENT_SEED ?? 5);
const TENANTS = ["acme", "globex", "initech"] as const;
const TEMPLATE = "_control-plane.yaml";
/** Resource types this world does not deploy (see the header). */
const NOT_DEPLOYED = /^(cloudflare|aws|auth0):/;

/** One edit of one file: a YAML path set (or deleted, with `undefined`) to a value. */
interface Edit {
  readonly kind: string;
  readonly file: string;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

const tenant = fc.constantFrom(...TENANTS);
const color = fc.constantFrom("#00ff00", "#123456", "#abcdef");
const KINDS: Record<string, fc.Arbitrary<Edit>> = {
  "managed setting": fc.record({
    kind: fc.constant("managed setting"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["settings", "locale"]),
    value: fc.constantFrom("fr-FR", "de-DE", "ja-JP"),
  }),
  "managed key overridden": fc.record({
    kind: fc.constant("managed key overridden"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constantFrom(["settings", "features", "sso"], ["settings", "features", "auditLog"]),
    value: fc.boolean(),
  }),
  "key the template lacks": fc.record({
    kind: fc.constant("key the template lacks"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["settings", "features", "beta"]),
    value: fc.boolean(),
  }),
  "seed-only setting": fc.record({
    kind: fc.constant("seed-only setting"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["settings", "branding", "primaryColor"]),
    value: color,
  }),
  "template managed default": fc.record({
    kind: fc.constant("template managed default"),
    file: fc.constant(TEMPLATE),
    path: fc.constant(["defaults", "settings", "security", "sessionTimeoutMinutes"]),
    value: fc.constantFrom(15, 45, 90),
  }),
  "template seed-only default": fc.record({
    kind: fc.constant("template seed-only default"),
    file: fc.constant(TEMPLATE),
    path: fc.constant(["defaults", "settings", "branding", "primaryColor"]),
    value: color,
  }),
  "locked key": fc.record({
    kind: fc.constant("locked key"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["settings", "security", "mfa"]),
    value: fc.constant("optional"),
  }),
  "tenant limits": fc.record({
    kind: fc.constant("tenant limits"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["limits", "dbConnections"]),
    value: fc.constantFrom(3, 7, 20),
  }),
  "plan limits": fc.record({
    kind: fc.constant("plan limits"),
    file: fc.constant(TEMPLATE),
    path: fc.constantFrom(["plans", "basic", "limits", "dbConnections"], ["plans", "trial", "limits", "users"]),
    value: fc.constantFrom(4, 8, 12),
  }),
  "plan change": fc.record({
    kind: fc.constant("plan change"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["plan"]),
    value: fc.constantFrom("trial", "basic", "enterprise"),
  }),
  isolation: fc.record({
    kind: fc.constant("isolation"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["database", "isolation"]),
    value: fc.constantFrom("schema", "database"),
  }),
  extensions: fc.record({
    kind: fc.constant("extensions"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["database", "extensions"]),
    value: fc.subarray(["pgcrypto", "pg_trgm", "citext", "hstore"]),
  }),
  status: fc.record({
    kind: fc.constant("status"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["status"]),
    value: fc.constantFrom("suspended", "decommissioned"),
  }),
  domains: fc.record({
    kind: fc.constant("domains"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["domains", "custom"]),
    value: fc.constantFrom([{ hostname: "shop.example.org" }], []),
  }),
  "tenant role": fc.record({
    kind: fc.constant("tenant role"),
    file: tenant.map((slug) => `${slug}.yaml`),
    path: fc.constant(["auth", "roles"]),
    value: fc.constantFrom(
      [{ name: "support", description: "Answers tickets", permissions: ["read:data"] }],
      [{ name: "auditor", description: "Reads everything", permissions: ["read:data", "read:audit"] }],
    ),
  }),
  "template role": fc.record({
    kind: fc.constant("template role"),
    file: fc.constant(TEMPLATE),
    path: fc.constantFrom(["auth", "roles", 1, "description"], ["auth", "roles", 1, "permissions"]),
    value: fc.constantFrom("Everyday user", ["read:data"]),
  }),
  "resource server": fc.record({
    kind: fc.constant("resource server"),
    file: fc.constant(TEMPLATE),
    path: fc.constant(["auth", "resourceServers", 0, "scopes"]),
    value: fc.constant(["read:data", "write:data", "manage:users", "read:audit", "write:audit"]),
  }),
};
/** One or two edits at a time, of any kinds. */
const chosen = process.env.TENANTCTL_AGREEMENT_KINDS?.split(",");
const editSets = fc.array(
  fc.oneof(...Object.entries(KINDS).flatMap(([kind, edit]) => (!chosen || chosen.includes(kind) ? [edit] : []))),
  { minLength: 1, maxLength: 2 },
);

function describeEdit(edit: Edit): string {
  return `${edit.kind}: ${edit.file} ${edit.path.join(".")} = ${JSON.stringify(edit.value)}`;
}

function applyEdit(tenantsDir: string, edit: Edit): void {
  const file = join(tenantsDir, edit.file);
  const document = parseDocument(readFileSync(file, "utf8"));
  document.setIn([...edit.path], document.createNode(edit.value));
  writeFileSync(file, String(document));
}

interface PlanJson {
  tenants: {
    slug: string;
    error?: string;
    move?: unknown;
    notApplied?: { path: string }[];
    changes?: {
      added: { type: string; urn: string }[];
      removed: { type: string; urn: string }[];
      changed: { type: string; urn: string; inputs: { path: string }[] }[];
    };
  }[];
}

interface RunJson {
  tenants: {
    slug: string;
    outcome: string;
    message?: string;
    move?: { from: unknown; to: unknown };
    notApplied?: { path: string }[];
    resources: { type: string; urn: string; op: string; properties?: { path: string }[] }[];
  }[];
}

/** `acme create urn`, `acme change urn path`, `acme move`, `acme not-applied path`: what a stack will do, as lines. */
function planLines(plan: PlanJson): string[] {
  const lines: string[] = [];
  for (const stack of plan.tenants) {
    if (stack.move) lines.push(`${stack.slug} move`);
    for (const edit of stack.notApplied ?? []) lines.push(`${stack.slug} not-applied ${edit.path}`);
    const changes = stack.changes;
    if (!changes) continue;
    for (const r of changes.added) if (!NOT_DEPLOYED.test(r.type)) lines.push(`${stack.slug} create ${r.urn}`);
    for (const r of changes.removed) if (!NOT_DEPLOYED.test(r.type)) lines.push(`${stack.slug} delete ${r.urn}`);
    for (const r of changes.changed)
      if (!NOT_DEPLOYED.test(r.type))
        for (const input of r.inputs) lines.push(`${stack.slug} change ${r.urn} ${input.path}`);
  }
  return [...new Set(lines)].sort();
}

function engineLines(run: RunJson): string[] {
  const lines: string[] = [];
  for (const stack of run.tenants) {
    if (stack.move) lines.push(`${stack.slug} move`);
    for (const edit of stack.notApplied ?? []) lines.push(`${stack.slug} not-applied ${edit.path}`);
    for (const r of stack.resources) {
      if (NOT_DEPLOYED.test(r.type)) continue;
      if (r.op === "create") lines.push(`${stack.slug} create ${r.urn}`);
      else if (r.op === "delete") lines.push(`${stack.slug} delete ${r.urn}`);
      else for (const property of r.properties ?? []) lines.push(`${stack.slug} change ${r.urn} ${property.path}`);
    }
  }
  return [...new Set(lines)].sort();
}

describe("plan --base agrees with the engine's preview, edit after random edit", () => {
  const kept = keptSandbox();

  it(`${EDITS} random edits (seed ${SEED}): the offline plan's changes equal the engine preview's`, async () => {
    const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-agreement-"));
    // Both paths deploy auth into AuthHero: the template says so (the sandbox's override says the same).
    const template = join(project.tenantsDir, TEMPLATE);
    writeFileSync(template, readFileSync(template, "utf8").replace("provider: auth0 ", "provider: authhero"));
    const sandbox = await runCli(["sandbox", "--keep", "--auth", "authhero"], project.dir);
    kept.stop = printedStopCommand(sandbox.stdout);
    expect(sandbox.code, sandbox.stdout + sandbox.stderr).toBe(0);
    // As a user would, after `. .tenantctl/sandbox/env.sh`.
    const tenantctl = (...args: string[]) => {
      const cli = [process.execPath, join(engine.repoRoot, "bin", "tenantctl.js"), ...args].map((a) =>
        JSON.stringify(a),
      );
      const run = spawnSync("sh", ["-c", `. .tenantctl/sandbox/env.sh && ${cli.join(" ")}`], {
        cwd: project.dir,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    const git = (...args: string[]) => execFileSync("git", args, { cwd: project.dir, stdio: "pipe" }).toString();
    git("init", "-q");
    git("add", "tenants");
    git("-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "-qm", "deployed");

    const trials = fc.sample(editSets, { numRuns: EDITS, seed: SEED });
    const kinds = new Set<string>();
    const disagreements: string[] = [];
    let refusedByBoth = 0;
    for (const edits of trials) {
      for (const edit of edits) applyEdit(project.tenantsDir, edit);
      const what = edits.map(describeEdit).join("; ");
      const plan = tenantctl("plan", "--base", "HEAD", "--format", "json");
      let preview = tenantctl("preview", "--all", "--parallel", "4", "--format", "json");
      // An engine that failed (a timeout on a loaded machine) answered nothing about the edit: asked once more.
      if (plan.code === 0 && preview.code === 1) preview = tenantctl("preview", "--all", "--format", "json");
      git("checkout", "--", "tenants");
      for (const edit of edits) kinds.add(edit.kind);
      if (plan.code === 1 || preview.code === 1) {
        // A file the schema or the rules refuse: both refuse it, before anything runs.
        const ran = plan.code === 1 && preview.code === 1 ? (JSON.parse(preview.stdout) as RunJson).tenants : undefined;
        if (ran?.every((stack) => stack.outcome === "failed" || stack.outcome === "unchanged")) refusedByBoth++;
        else disagreements.push(`${what}\n  plan exit ${plan.code}, preview exit ${preview.code}\n${preview.stdout}`);
        continue;
      }
      expect(plan.code, `${what}\n${plan.stderr}`).toBe(0);
      expect(preview.code, `${what}\n${preview.stderr}`).toBe(0);
      const planned = planLines(JSON.parse(plan.stdout) as PlanJson);
      const report = JSON.parse(preview.stdout) as RunJson;
      const previewed = engineLines(report);
      if (planned.join("\n") !== previewed.join("\n")) {
        const differing = [...planned, ...previewed].filter((l) => !planned.includes(l) || !previewed.includes(l));
        // What the engine said of each resource in question, so the cause can be told from the output alone.
        const steps = report.tenants
          .flatMap((stack) => stack.resources)
          .filter((r) => differing.some((line) => line.includes(r.urn)))
          .map((r) => `${r.op} ${r.urn} ${JSON.stringify(r.properties ?? [])}`);
        disagreements.push(
          [
            what,
            `  only in plan:    ${planned.filter((l) => !previewed.includes(l)).join("\n                   ")}`,
            `  only in preview: ${previewed.filter((l) => !planned.includes(l)).join("\n                   ")}`,
            `  engine steps:    ${steps.join("\n                   ")}`,
          ].join("\n"),
        );
      }
    }
    console.log(
      `plan/engine agreement: ${trials.length} edit sets (seed ${SEED}), ${kinds.size} of ${Object.keys(KINDS).length} kinds, ` +
        `${trials.length - disagreements.length} agreed (${refusedByBoth} refused by both), ${disagreements.length} disagreed`,
    );
    expect(disagreements).toEqual([]);
  });
});
