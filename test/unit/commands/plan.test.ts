/**
 * `tenantctl plan` end to end, in-process: the example fleet rendered offline by the real stack programs, its JSON
 * shape (docs/output.md), the text tree, `--base` against a throwaway git repository, and the exit codes.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffStack, type PlannedResource, SecretValue } from "../../../src/core/compare/plannedStack";
import { loadFleet } from "../../../src/core/load";
import { planStacks } from "../../../src/orchestrate/plan/planStacks";
import { renderPlanJson, renderPlanText } from "../../../src/report/renderPlan";
import { runCli } from "../../support/runCli";

const ROOT = join(__dirname, "..", "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A working directory holding a copy of the example fleet and the project file. */
function exampleFleet(): string {
  const cwd = mkdtempSync(join(tmpdir(), "tenantctl-plan-"));
  dirs.push(cwd);
  cpSync(join(ROOT, "tenants"), join(cwd, "tenants"), { recursive: true });
  cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
  return cwd;
}

interface JsonResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  component: boolean;
  read?: boolean;
  provider?: string;
  inputs: Record<string, unknown>;
}
interface JsonChanges {
  status: string;
  added: JsonResource[];
  changed: { type: string; name: string; urn: string; inputs: { path: string; old?: unknown; new?: unknown }[] }[];
  removed: JsonResource[];
  note?: string;
}
interface JsonStack {
  slug: string;
  stack: string;
  resources: JsonResource[];
  error?: string;
  skipped?: string;
  changes?: JsonChanges;
}

function stackOf(output: string, slug: string): JsonStack {
  const stack = (JSON.parse(output) as { tenants: JsonStack[] }).tenants.find((candidate) => candidate.slug === slug);
  if (!stack) throw new Error(`no stack ${slug} in the plan`);
  return stack;
}

function one(resources: readonly JsonResource[], type: string, name: string): JsonResource {
  const found = resources.filter((resource) => resource.type === type && resource.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0]!;
}

const urn = (stack: string, qualifiedType: string, name: string) =>
  `urn:pulumi:${stack}::tenantctl::${qualifiedType}::${name}`;
const DATABASE = "postgresql:index/database:Database";
const SCHEMA = "postgresql:index/schema:Schema";
const ROLE = "postgresql:index/role:Role";
const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";
const SETTINGS_TABLE = "pulumi-nodejs:dynamic:TenantSettingsTable";

describe("tenantctl plan (example fleet)", () => {
  let json: string;
  let text: string;
  beforeAll(async () => {
    const cwd = exampleFleet();
    const jsonRun = await runCli(["plan", "--format", "json"], cwd);
    expect(jsonRun).toMatchObject({ code: 0, stderr: "" });
    json = jsonRun.stdout;
    const textRun = await runCli(["plan"], cwd);
    expect(textRun).toMatchObject({ code: 0, stderr: "" });
    text = textRun.stdout;
  }, 60_000);

  it("renders the control plane and every tenant, in the JSON shape of docs/output.md", () => {
    const plan = JSON.parse(json) as { tenants: JsonStack[] };
    expect(Object.keys(plan)).toEqual(["tenants"]);
    expect(plan.tenants.map((stack) => [stack.slug, stack.stack])).toEqual([
      ["control-plane", "control-plane"],
      ["acme", "acme"],
      ["globex", "globex"],
      ["initech", "initech"],
    ]);
    for (const stack of plan.tenants) {
      expect(Object.keys(stack)).toEqual(["slug", "stack", "resources"]);
      const urns = new Set(stack.resources.map((resource) => resource.urn));
      for (const resource of stack.resources) {
        expect(Object.keys(resource).slice(0, 4)).toEqual(["type", "name", "urn", "parent"]);
        expect(resource.urn.startsWith(`urn:pulumi:${stack.stack}::tenantctl::`)).toBe(true);
        expect(resource.urn.endsWith(`::${resource.name}`)).toBe(true);
        // Parents are URNs of resources in the same stack, and come before their children.
        if (resource.parent !== null) expect(urns.has(resource.parent)).toBe(true);
      }
    }
  });

  it("gives acme a database owned by its own role, with the enterprise connection limit", () => {
    const acme = stackOf(json, "acme");
    const component = urn("acme", "tenantctl:index:TenantDatabase", "acme");
    const role = one(acme.resources, ROLE, "acme-role");
    expect(role).toMatchObject({ parent: component, provider: "db-primary" });
    expect(role.inputs).toEqual({ name: "tenant_acme", login: true, password: "[secret]", connectionLimit: 100 });
    const database = one(acme.resources, DATABASE, "acme-database");
    expect(database).toMatchObject({
      urn: urn("acme", `tenantctl:index:TenantDatabase$${DATABASE}`, "acme-database"),
      parent: component,
    });
    expect(database.inputs).toEqual({ name: "tenant_acme", owner: "tenant_acme" });
    expect(acme.resources.filter((resource) => resource.type === SCHEMA)).toEqual([]);
    expect(
      acme.resources
        .filter((resource) => resource.type === "postgresql:index/extension:Extension")
        .map((resource) => resource.inputs),
    ).toEqual([
      { database: "tenant_acme", name: "pg_trgm" },
      { database: "tenant_acme", name: "pgcrypto" },
    ]);
  });

  it("gives acme a custom hostname for each of its two domains, and its own hostname record", () => {
    const acme = stackOf(json, "acme");
    const hostnames = acme.resources.filter((resource) => resource.type === CUSTOM_HOSTNAME);
    expect(hostnames.map((resource) => [resource.name, resource.inputs.hostname, resource.parent])).toEqual([
      ["acme-app.acme-corp.com", "app.acme-corp.com", urn("acme", "tenantctl:index:TenantDomains", "acme")],
      ["acme-portal.acme-corp.com", "portal.acme-corp.com", urn("acme", "tenantctl:index:TenantDomains", "acme")],
    ]);
    expect(hostnames[0]!.inputs.zoneId).toBe("<id of zone example.com>");
    expect(one(acme.resources, "cloudflare:index/dnsRecord:DnsRecord", "acme-hostname").inputs).toMatchObject({
      type: "CNAME",
      name: "acme.app.example.com",
      content: "edge.example.com",
    });
  });

  it("puts initech and globex in a schema of the shared database `tenants`, with their plans' limits", () => {
    for (const [slug, limit] of [
      ["initech", 5],
      ["globex", 10],
    ] as const) {
      const stack = stackOf(json, slug);
      expect(stack.resources.filter((resource) => resource.type === DATABASE)).toEqual([]);
      const schema = one(stack.resources, SCHEMA, `${slug}-schema`);
      expect(schema.parent).toBe(urn(slug, "tenantctl:index:TenantDatabase", slug));
      expect(schema.inputs).toEqual({ name: `tenant_${slug}`, database: "tenants", owner: `tenant_${slug}` });
      expect(one(stack.resources, ROLE, `${slug}-role`).inputs).toEqual({
        name: `tenant_${slug}`,
        login: true,
        password: "[secret]",
        connectionLimit: limit,
        searchPaths: [`tenant_${slug}`, "public"],
      });
    }
    expect(
      stackOf(json, "globex")
        .resources.filter((resource) => resource.type === CUSTOM_HOSTNAME)
        .map((resource) => resource.inputs.hostname),
    ).toEqual(["tenants.globex.io"]);
    expect(stackOf(json, "initech").resources.filter((resource) => resource.type === CUSTOM_HOSTNAME)).toEqual([]);
  });

  it("includes the components, the auth side read from the control plane, and readable dynamic resources", () => {
    const acme = stackOf(json, "acme");
    expect(
      acme.resources.filter((resource) => resource.component).map((resource) => [resource.type, resource.name]),
    ).toEqual([
      ["tenantctl:index:TenantAuth", "acme"],
      ["tenantctl:index:TenantDatabase", "acme"],
      ["tenantctl:index:TenantDomains", "acme"],
      ["tenantctl:index:TenantRegistration", "acme"],
      ["tenantctl:index:TenantSettings", "acme-settings"],
    ]);
    expect(one(acme.resources, "pulumi:pulumi:StackReference", "acme-control-plane")).toMatchObject({
      read: true,
      inputs: { name: "organization/tenantctl/control-plane" },
    });
    expect(one(acme.resources, "auth0:index/organization:Organization", "acme-organization").inputs).toEqual({
      name: "acme",
      displayName: "Acme Corporation",
      metadata: {
        slug: "acme",
        plan: "enterprise",
        status: "active",
        roles: "<role admin>,<role member>,<id of acme-role-auditor>",
      },
    });
    expect(one(acme.resources, "pulumi-nodejs:dynamic:GeneratedPassword", "acme-password")).toMatchObject({
      parent: urn("acme", "tenantctl:index:TenantDatabase", "acme"),
      inputs: {},
    });
    const table = one(acme.resources, SETTINGS_TABLE, "acme-settings-table");
    expect(table.parent).toBe(urn("acme", "tenantctl:index:TenantSettings", "acme-settings"));
    expect(table.inputs).toEqual({
      connection: "[secret]",
      database: "tenant_acme",
      schema: "public",
      role: "tenant_acme",
      seedOnlyKeys: ["branding"],
      settings: {
        "branding.primaryColor": '"#d73a49"',
        "features.auditLog": "true",
        "features.sso": "true",
        locale: '"en-GB"',
        "security.mfa": '"required"',
        "security.sessionTimeoutMinutes": "30",
      },
    });
  });

  it("shows secrets only as [secret], and never the placeholders behind them or a provider's code", () => {
    const provider = one(stackOf(json, "acme").resources, "pulumi:providers:postgresql", "db-primary");
    expect(provider.inputs).toMatchObject({
      host: "db.internal.example.com",
      port: "5432",
      password: "[secret]",
      username: "<tenantctl:databaseServers.primary.username>",
    });
    for (const hidden of ["<offline placeholder>", "<generated password>", "__provider", "postgresql://"]) {
      expect(json).not.toContain(hidden);
      expect(text).not.toContain(hidden);
    }
  });

  it("renders the shared control-plane stack", () => {
    const controlPlane = stackOf(json, "control-plane");
    expect(one(controlPlane.resources, DATABASE, "shared-primary")).toMatchObject({
      parent: null,
      provider: "db-primary",
      inputs: { name: "tenants" },
    });
    expect(
      controlPlane.resources
        .filter((resource) => resource.type === "auth0:index/role:Role")
        .map((resource) => resource.inputs.name),
    ).toEqual(["admin", "member"]);
  });

  it("prints a tree per stack: components, their resources indented below, inputs one per line", () => {
    const acme = text.slice(text.indexOf("acme (stack acme): 25 resources\n"));
    expect(acme).toContain(
      [
        "  tenantctl:index:TenantDatabase acme",
        "    postgresql:index/database:Database acme-database",
        "        name: tenant_acme",
        "        owner: tenant_acme",
      ].join("\n"),
    );
    expect(acme).toContain(
      [
        "    postgresql:index/role:Role acme-role",
        "        connectionLimit: 100",
        "        login: true",
        "        name: tenant_acme",
        "        password: [secret]",
      ].join("\n"),
    );
    expect(acme).toContain('        settings.locale: "en-GB"\n');
    expect(acme).toContain("    pulumi:pulumi:StackReference acme-control-plane (read)\n");
    expect(text).toMatch(/\nPlan: 4 stacks, 87 resources; rendered offline in \d+\.\d s\n$/);
  });
});

describe("tenantctl plan --base", () => {
  function git(cwd: string, ...args: string[]): void {
    const result = spawnSync(
      "git",
      ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
      { cwd, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  }

  /** The example fleet committed, then edited in the working tree. */
  function repository(edit: (tenants: string) => void): string {
    const cwd = exampleFleet();
    git(cwd, "init", "-q");
    git(cwd, "add", ".");
    git(cwd, "commit", "-q", "-m", "fleet");
    edit(join(cwd, "tenants"));
    return cwd;
  }

  function editFile(file: string, from: string | RegExp, to: string): void {
    const before = readFileSync(file, "utf8");
    const after = before.replace(from, to);
    expect(after, `${file} edited`).not.toBe(before);
    writeFileSync(file, after);
  }

  let cwd: string;
  beforeAll(() => {
    cwd = repository((tenants) => {
      editFile(join(tenants, "initech.yaml"), "plan: trial", "plan: basic");
      editFile(join(tenants, "globex.yaml"), "settings:\n", "settings:\n  locale: de-DE\n");
      writeFileSync(join(tenants, "hooli.yaml"), "slug: hooli\nname: Hooli\n");
      rmSync(join(tenants, "acme.yaml"));
    });
  });

  it("lists per tenant the resources added, changed (which inputs, old and new) and removed", async () => {
    const result = await runCli(["plan", "--base", "HEAD", "--format", "json"], cwd);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const plan = JSON.parse(result.stdout) as { base: string; tenants: JsonStack[] };
    expect(plan.base).toBe("HEAD");
    expect(plan.tenants.map((stack) => [stack.slug, stack.changes?.status])).toEqual([
      ["control-plane", "unchanged"],
      ["globex", "changed"],
      ["hooli", "added"],
      ["initech", "changed"],
      ["acme", "removed"],
    ]);

    const initech = stackOf(result.stdout, "initech").changes!;
    expect(initech).toMatchObject({ added: [], removed: [] });
    expect(initech.changed).toEqual([
      {
        type: "auth0:index/organization:Organization",
        name: "initech-organization",
        urn: urn("initech", "tenantctl:index:TenantAuth$auth0:index/organization:Organization", "initech-organization"),
        inputs: [{ path: "metadata.plan", old: "trial", new: "basic" }],
      },
      {
        type: ROLE,
        name: "initech-role",
        urn: urn("initech", `tenantctl:index:TenantDatabase$${ROLE}`, "initech-role"),
        inputs: [{ path: "connectionLimit", old: 5, new: 10 }],
      },
      {
        type: "pulumi-nodejs:dynamic:RegistryRows",
        name: "initech-rows",
        urn: urn("initech", "tenantctl:index:TenantRegistration$pulumi-nodejs:dynamic:RegistryRows", "initech-rows"),
        inputs: [
          { path: "row.limits.dbConnections", old: 5, new: 10 },
          { path: "row.limits.users", old: 5, new: 100 },
          { path: "row.plan", old: "trial", new: "basic" },
        ],
      },
    ]);

    const globex = stackOf(result.stdout, "globex").changes!;
    expect(globex).toMatchObject({ added: [], removed: [] });
    expect(globex.changed).toEqual([
      {
        type: SETTINGS_TABLE,
        name: "globex-settings-table",
        urn: urn("globex", `tenantctl:index:TenantSettings$${SETTINGS_TABLE}`, "globex-settings-table"),
        inputs: [{ path: "settings.locale", old: '"en-US"', new: '"de-DE"' }],
      },
    ]);

    const hooli = stackOf(result.stdout, "hooli");
    expect(hooli.changes).toMatchObject({ changed: [], removed: [] });
    expect(hooli.changes!.added.map((resource) => resource.urn)).toEqual(
      hooli.resources.map((resource) => resource.urn),
    );
    expect(hooli.resources).toHaveLength(20);
    expect(one(hooli.resources, SCHEMA, "hooli-schema").inputs).toEqual({
      name: "tenant_hooli",
      database: "tenants",
      owner: "tenant_hooli",
    });

    const acme = stackOf(result.stdout, "acme");
    expect(acme.resources).toEqual([]);
    expect(acme.changes).toMatchObject({ added: [], changed: [] });
    expect(acme.changes!.removed).toHaveLength(25);
    expect(acme.changes!.removed.map((resource) => resource.name)).toContain("acme-database");

    expect(stackOf(result.stdout, "control-plane").changes).toEqual({
      status: "unchanged",
      added: [],
      changed: [],
      removed: [],
    });
  });

  it("prints a diff a reviewer can read, with unchanged stacks on one line", async () => {
    const result = await runCli(["plan", "--base", "HEAD"], cwd);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const out = result.stdout;
    // Each change under its unchanged parent (unmarked), the marker in a gutter on the left.
    expect(out).toContain(
      [
        "~ initech (stack initech): 0 to add, 3 to change, 0 to remove",
        "    tenantctl:index:TenantAuth initech",
        "  ~   auth0:index/organization:Organization initech-organization",
        "          metadata.plan: trial → basic",
        "    tenantctl:index:TenantDatabase initech",
        "  ~   postgresql:index/role:Role initech-role",
        "          connectionLimit: 5 → 10",
        "    tenantctl:index:TenantRegistration initech",
        "  ~   pulumi-nodejs:dynamic:RegistryRows initech-rows",
        "          row.limits.dbConnections: 5 → 10",
        "          row.limits.users: 5 → 100",
        "          row.plan: trial → basic",
        "",
      ].join("\n"),
    );
    expect(out).toContain(
      [
        "~ globex (stack globex): 0 to add, 1 to change, 0 to remove",
        "    tenantctl:index:TenantSettings globex-settings",
        "  ~   pulumi-nodejs:dynamic:TenantSettingsTable globex-settings-table",
        '          settings.locale: "en-US" → "de-DE"',
        "",
      ].join("\n"),
    );
    expect(out).toContain("+ hooli (stack hooli): new since HEAD, 20 to add, 0 to change, 0 to remove\n");
    expect(out).toContain("  + tenantctl:index:TenantDatabase hooli\n");
    expect(out).toContain(
      "  +   postgresql:index/schema:Schema hooli-schema\n          database: tenants\n          name: tenant_hooli\n          owner: tenant_hooli\n",
    );
    expect(out).toContain(
      "- acme (stack acme): tenant file removed since HEAD; `up` leaves its stack as it is\n  `tenantctl destroy acme` would remove its 25 resources (databases and schemas are retained)\n",
    );
    expect(out).toContain("\nunchanged: control-plane\n");
    expect(out).toMatch(
      /\nPlan against HEAD: stacks 1 added, 2 changed, 1 removed, 1 unchanged; resources 20 to add, 4 to change, 0 to remove; rendered offline in \d+\.\d s\n$/,
    );
  });

  it("says a secret changed without showing it", async () => {
    const moved = repository((tenants) => editFile(join(tenants, "_control-plane.yaml"), "port: 5432", "port: 6432"));
    const result = await runCli(["plan", "globex", "--base", "HEAD", "--format", "json"], moved);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const changed = stackOf(result.stdout, "globex").changes!.changed;
    expect(changed.map((resource) => [resource.name, resource.inputs])).toEqual([
      ["db-primary", [{ path: "port", old: "5432", new: "6432" }]],
      // The registry's row says where apps reach the tenant's data: the new port.
      [
        "globex-rows",
        [
          { path: "connection", old: "[secret]", new: "[secret]" },
          { path: "row.port", old: 5432, new: 6432 },
        ],
      ],
      ["globex-settings-table", [{ path: "connection", old: "[secret]", new: "[secret]" }]],
    ]);
    const text = await runCli(["plan", "globex", "--base", "HEAD"], moved);
    expect(text.stdout).toContain(
      "  ~   pulumi-nodejs:dynamic:TenantSettingsTable globex-settings-table\n          connection: [secret] (changed)\n",
    );
    expect(text.stdout).not.toContain("postgresql://");
  });

  describe("an edit `up` will not apply to an existing tenant", () => {
    let seeded: string;
    beforeAll(() => {
      seeded = repository((tenants) => {
        // Seed-only (the template's `seedOnly: [settings.branding]`): acme existed at the base, hooli did not.
        editFile(join(tenants, "acme.yaml"), 'primaryColor: "#d73a49"', 'primaryColor: "#00ff00"');
        writeFileSync(
          join(tenants, "hooli.yaml"),
          'slug: hooli\nname: Hooli\nsettings:\n  branding: { primaryColor: "#00ff00" }\n',
        );
        // Managed: still a change.
        editFile(join(tenants, "globex.yaml"), "settings:\n", "settings:\n  locale: de-DE\n");
      });
    });

    it("counts a seed-only edit of an existing tenant as not applied, of a new tenant as a create (text)", async () => {
      const result = await runCli(["plan", "--base", "HEAD"], seeded);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain(
        [
          "= acme (stack acme): 0 to add, 0 to change, 0 to remove; 1 edit not applied to the existing tenant",
          "    tenantctl:index:TenantSettings acme-settings",
          "      pulumi-nodejs:dynamic:TenantSettingsTable acme-settings-table",
          '          = settings.branding.primaryColor: "#d73a49" → "#00ff00" (seed-only: written when a tenant is created; existing tenants keep their own value)',
          `  to change it for acme too: update the row in acme's own tenant_settings table (README: "Seed-only settings")`,
          "",
          "~ globex (stack globex): 0 to add, 1 to change, 0 to remove",
          "    tenantctl:index:TenantSettings globex-settings",
          "  ~   pulumi-nodejs:dynamic:TenantSettingsTable globex-settings-table",
          '          settings.locale: "en-US" → "de-DE"',
          "",
        ].join("\n"),
      );
      expect(result.stdout).toContain("+ hooli (stack hooli): new since HEAD, 20 to add, 0 to change, 0 to remove\n");
      expect(result.stdout).toContain('          settings.branding.primaryColor: "#00ff00"\n');
      expect(result.stdout).toContain("\nunchanged: control-plane, initech\n");
      expect(result.stdout).toMatch(
        /\nPlan against HEAD: stacks 1 added, 1 changed, 0 removed, 3 unchanged; resources 20 to add, 1 to change, 0 to remove; 1 edit not applied to existing tenants; rendered offline in \d+\.\d s\n$/,
      );
    }, 30_000);

    it("lists it under `notApplied`, apart from `changes` (JSON)", async () => {
      const result = await runCli(["plan", "--base", "HEAD", "--format", "json"], seeded);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      const tenants = (JSON.parse(result.stdout) as { tenants: (JsonStack & { notApplied?: unknown })[] }).tenants;
      expect(tenants.map((stack) => [stack.slug, stack.changes?.status, stack.notApplied])).toEqual([
        ["control-plane", "unchanged", undefined],
        [
          "acme",
          "unchanged",
          [
            {
              path: "settings.branding.primaryColor",
              old: '"#d73a49"',
              new: '"#00ff00"',
              reason: "seed-only",
              urn: urn("acme", `tenantctl:index:TenantSettings$${SETTINGS_TABLE}`, "acme-settings-table"),
            },
          ],
        ],
        ["globex", "changed", undefined],
        ["hooli", "added", undefined],
        ["initech", "unchanged", undefined],
      ]);
      expect(stackOf(result.stdout, "acme").changes).toEqual({
        status: "unchanged",
        added: [],
        changed: [],
        removed: [],
      });
      const hooli = stackOf(result.stdout, "hooli");
      expect(one(hooli.resources, SETTINGS_TABLE, "hooli-settings-table").inputs).toMatchObject({
        seedOnlyKeys: ["branding"],
        settings: { "branding.primaryColor": '"#00ff00"' },
      });
    }, 30_000);

    it("shows the stack in the pull-request comment, marked not applied (Markdown)", async () => {
      const result = await runCli(["plan", "--base", "HEAD", "--format", "markdown"], seeded);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain(
        "| `acme` | not applied | 0 to add, 0 to change, 0 to remove; 1 edit not applied to the existing tenant |\n",
      );
      expect(result.stdout).toContain("2 stacks unchanged.");
      expect(result.stdout).toContain(
        '= settings.branding.primaryColor: "#d73a49" → "#00ff00" (seed-only: written when a tenant is created; existing tenants keep their own value)\n',
      );
    }, 30_000);
  });

  it("says a seed-only default edited in the template reaches no existing tenant", async () => {
    const template = repository((tenants) =>
      editFile(
        join(tenants, "_control-plane.yaml"),
        'branding: { primaryColor: "#1f6feb" }',
        'branding: { primaryColor: "#000000" }',
      ),
    );
    const result = await runCli(["plan", "--base", "HEAD", "--format", "json"], template);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const tenants = (
      JSON.parse(result.stdout) as {
        tenants: (JsonStack & { notApplied?: { path: string; old: string; new: string }[] })[];
      }
    ).tenants;
    // acme sets its own colour, so the template's default never reached it: nothing to say.
    expect(
      tenants.map((stack) => [
        stack.slug,
        stack.changes?.status,
        stack.notApplied?.map((change) => [change.path, change.old, change.new]),
      ]),
    ).toEqual([
      ["control-plane", "unchanged", undefined],
      ["acme", "unchanged", undefined],
      ["globex", "unchanged", [["settings.branding.primaryColor", '"#1f6feb"', '"#000000"']]],
      ["initech", "unchanged", [["settings.branding.primaryColor", '"#1f6feb"', '"#000000"']]],
    ]);
  }, 30_000);

  it("says which migrations are new and on how many tenants they run, leaving the stacks unchanged", async () => {
    const repo = exampleFleet();
    mkdirSync(join(repo, "migrations"));
    writeFileSync(join(repo, "migrations", "0001_users.sql"), "CREATE TABLE users (id int);\n");
    git(repo, "init", "-q");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "fleet");
    writeFileSync(join(repo, "migrations", "0002_orders.sql"), "CREATE TABLE orders (id int);\n");
    const json = await runCli(["plan", "--base", "HEAD", "--format", "json"], repo);
    expect(json).toMatchObject({ code: 0, stderr: "" });
    const plan = JSON.parse(json.stdout) as { migrations: unknown; tenants: JsonStack[] };
    expect(plan.migrations).toEqual({ added: ["0002_orders.sql"], edited: [], removed: [], tenants: 3 });
    expect(plan.tenants.every((stack) => stack.changes?.status === "unchanged")).toBe(true);
    const markdown = await runCli(["plan", "--base", "HEAD", "--format", "markdown"], repo);
    expect(markdown.stdout).toContain(
      "Migrations: 1 new migration (0002_orders.sql), to run on 3 tenants by `tenantctl migrate`",
    );
  }, 60_000);

  it("renders only the named stacks, and exits 2 for a ref git does not know", async () => {
    const result = await runCli(["plan", "initech", "acme", "--base", "HEAD", "--format", "json"], cwd);
    expect(result.code).toBe(0);
    expect(
      (JSON.parse(result.stdout) as { tenants: JsonStack[] }).tenants.map((stack) => [
        stack.slug,
        stack.changes?.status,
      ]),
    ).toEqual([
      ["initech", "changed"],
      ["acme", "removed"],
    ]);
    const unknown = await runCli(["plan", "--base", "no-such-ref"], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/^tenantctl: git rev-parse --verify --quiet no-such-ref\^\{commit\}/);
  });
});

describe("tenantctl plan exit codes", () => {
  it("exits 2 for an unknown tenant and suggests the closest", async () => {
    const result = await runCli(["plan", "acmee"], exampleFleet());
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "tenantctl: no tenant file for `acmee`: did you mean `acme`?\n",
    });
    expect((await runCli(["plan", "--format", "xml"], exampleFleet())).code).toBe(2);
  });

  it("exits 1 and renders nothing when the template is invalid", async () => {
    const cwd = exampleFleet();
    writeFileSync(
      join(cwd, "tenants", "_control-plane.yaml"),
      readFileSync(join(cwd, "tenants", "_control-plane.yaml"), "utf8").replace(
        "provider: cloudflare               # cloudflare | route53",
        "provider: cloudflar",
      ),
    );
    const result = await runCli(["plan"], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("tenants/_control-plane.yaml:9:");
    expect(result.stderr).toMatch(/the control-plane template is invalid: nothing was rendered\n$/);
  });

  it("exits 1 for an invalid tenant, skips it, and still renders the others", async () => {
    const cwd = exampleFleet();
    writeFileSync(join(cwd, "tenants", "globex.yaml"), "slug: globex\nname: Globex\nplan: basik\n");
    const result = await runCli(["plan", "--format", "json"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tenants/globex.yaml:3:7 error plan: plan `basik` does not exist in the template");
    expect(stackOf(result.stdout, "globex")).toEqual({
      slug: "globex",
      stack: "globex",
      resources: [],
      skipped: "invalid tenant file: fix it first (`tenantctl validate`)",
    });
    expect(stackOf(result.stdout, "acme").resources).toHaveLength(25);
  });

  it("renders an authhero fleet: the organization and the tenant's roles as AuthHero entities, the credentials secret", async () => {
    const cwd = exampleFleet();
    const template = join(cwd, "tenants", "_control-plane.yaml");
    const text = readFileSync(template, "utf8");
    writeFileSync(
      template,
      text.replace("provider: auth0                    # auth0 | authhero", "provider: authhero"),
    );
    const result = await runCli(["plan", "acme", "--format", "json"], cwd);
    expect(result.code, result.stderr).toBe(0);
    const resources = stackOf(result.stdout, "acme").resources as {
      type: string;
      name: string;
      inputs: Record<string, unknown>;
    }[];
    expect(resources.filter((r) => r.type.startsWith("auth0:"))).toEqual([]);
    const organization = resources.find((r) => r.type === "pulumi-nodejs:dynamic:AuthHeroOrganization");
    expect(organization?.inputs).toMatchObject({
      name: "acme",
      displayName: "Acme Corporation",
      tenant: "acme",
      connection: "[secret]",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
    expect(resources.find((r) => r.type === "pulumi-nodejs:dynamic:AuthHeroRole")?.inputs).toMatchObject({
      name: "acme:auditor",
      connection: "[secret]",
    });
  });

  it("exits 1 when a stack's program fails, with the program's message", async () => {
    const cwd = exampleFleet();
    const fleet = loadFleet({ dir: "tenants", cwd });
    const stacks = await planStacks(["initech", "globex"], {
      fleet: { ...fleet, controlPlane: fleet.controlPlane! },
      render: async (_template, target) =>
        "tenant" in target && target.tenant.slug === "initech"
          ? { slug: "initech", stack: "initech", resources: [], error: 'Tenant "initech": the program failed' }
          : { slug: "globex", stack: "globex", resources: [] },
    });
    expect(stacks.map((stack) => stack.error)).toEqual(['Tenant "initech": the program failed', undefined]);
    const report = renderPlanText({ stacks, seconds: 0 });
    expect(report).toContain('initech (stack initech): the program failed:\n  Tenant "initech": the program failed');
    expect(report).toContain("1 failed");
  });
});

describe("plan diff and renderers (pure)", () => {
  const resource = (name: string, inputs: PlannedResource["inputs"]): PlannedResource => ({
    type: "t:index:T",
    name,
    urn: `urn:pulumi:s::p::t:index:T::${name}`,
    component: false,
    read: false,
    inputs,
  });

  it("matches resources by URN and diffs inputs leaf by leaf; secrets compare by digest and print as [secret]", () => {
    const base = [
      resource("a", { password: new SecretValue("d1"), size: 1, tags: { env: "prod", team: "x" } }),
      resource("gone", {}),
    ];
    const now = [
      resource("a", { password: new SecretValue("d2"), size: 1, tags: { env: "dev" }, list: [1] }),
      resource("new", { x: "y" }),
    ];
    const changes = diffStack(base, now);
    expect(changes.status).toBe("changed");
    expect(changes.added.map((r) => r.name)).toEqual(["new"]);
    expect(changes.removed.map((r) => r.name)).toEqual(["gone"]);
    expect(changes.changed).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(changes.changed[0]!.inputs))).toEqual([
      { path: "password", old: "[secret]", new: "[secret]" },
      { path: "tags.env", old: "prod", new: "dev" },
      { path: "tags.team", old: "x" },
      { path: "list", new: [1] },
    ]);
    expect(
      diffStack(
        [resource("a", { password: new SecretValue("same") })],
        [resource("a", { password: new SecretValue("same") })],
      ).status,
    ).toBe("unchanged");

    const report = { base: "main", stacks: [{ slug: "s", stack: "s", resources: now, changes }], seconds: 0.25 };
    const text = renderPlanText(report);
    expect(text).toContain(
      "  ~ t:index:T a\n        password: [secret] (changed)\n        tags.env: prod → dev\n        tags.team: x → (unset)\n        list: (unset) → [1]\n",
    );
    expect(text).not.toContain("d1");
    expect(renderPlanJson(report)).not.toMatch(/d1|d2/);
  });

  describe("tenantctl plan --shard", () => {
    it("renders only its part of the tenant stacks, never the control plane; a bad value is a usage error", async () => {
      const cwd = exampleFleet();
      const parts: string[][] = [];
      for (const index of [1, 2]) {
        const result = await runCli(["plan", "--shard", `${index}/2`, "--format", "json"], cwd);
        expect(result.code).toBe(0);
        parts.push((JSON.parse(result.stdout) as { tenants: JsonStack[] }).tenants.map((stack) => stack.slug));
      }
      expect(parts.flat().sort()).toEqual(["acme", "globex", "initech"]);
      const bad = await runCli(["plan", "--shard", "3/2"], cwd);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("expected i/n with 1 ≤ i ≤ n");
    });
  });

  describe("tenantctl plan --output", () => {
    it("writes one run's report in each file's format, and nothing to stdout", async () => {
      const cwd = exampleFleet();
      const result = await runCli(["plan", "--output", "out/plan.json", "--output", "out/plan.md"], cwd);
      expect(result).toMatchObject({ code: 0, stdout: "" });
      const json = JSON.parse(readFileSync(join(cwd, "out", "plan.json"), "utf8")) as { tenants: JsonStack[] };
      expect(json.tenants.map((stack) => stack.slug)).toEqual(["control-plane", "acme", "globex", "initech"]);
      const markdown = readFileSync(join(cwd, "out", "plan.md"), "utf8");
      expect(markdown.startsWith("<!-- tenantctl:plan -->\n### tenantctl plan\n")).toBe(true);
      expect(markdown).toContain("<details><summary><code>acme</code>: 25 resources</summary>");
    });
  });
});
