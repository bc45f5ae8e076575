/**
 * An upgrade keeps every resource. A fleet deployed by the code of before the regrouping (issue 20: auth as one adapter,
 * orchestration in folders, …), built from its commit into a cache, with `sandbox --keep --auth authhero` (a real
 * PostgreSQL and a real AuthHero); then `up --all` with the code of now replaces, deletes and creates nothing (the run
 * report's operations), every AuthHero entity keeps its id, and `drift --all` is clean. A component renamed without an
 * alias shows here as a delete and a create of everything under it.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTHHERO_SERVER_DIR, ensureAuthHeroServer } from "../../src/sandbox/authhero";
import { ManagementClient } from "../support/authhero";
import { codeAtCommit } from "../support/codeAtCommit";
import { pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { sourced } from "../support/sandbox";
import { tenantctlProcess } from "../support/tenantctlProcess";

/** The last commit before the regrouping of issue 20: what deployed fleets were made with. */
const BEFORE_REGROUP = "0c6eb62acd02cd3774c6579ddcc7364d7302a1ef";

/** Engine operations that keep a resource as it is, or change it in place. Anything else loses or adds one. */
const KEEPING = new Set(["same", "read", "refresh", "update"]);
/** What the code of now has that the fleet of then did not: the registry (issue 22), created by the first `up`. */
const addedSince = (resource: { op: string; urn: string }) =>
  resource.op === "create" && /tenantctl:index:(ControlPlaneRegistry|TenantRegistration)/.test(resource.urn);

const engine = pulumiEngine();

interface RunReport {
  tenants: {
    slug: string;
    outcome: string;
    message?: string;
    changes: Record<string, number>;
    resources: { urn: string; op: string }[];
  }[];
}

describe(`upgrade from ${BEFORE_REGROUP.slice(0, 12)}`, () => {
  let before = "";
  let project: TempProject | undefined;
  let stop: string | undefined;

  beforeAll(async () => {
    before = codeAtCommit(engine.repoRoot, BEFORE_REGROUP, (line) => console.warn(`upgrade e2e: ${line}`));
    await shareAuthHeroServer(engine.repoRoot, before);
  });

  afterAll(() => {
    if (stop) execFileSync("sh", ["-c", stop], { cwd: project?.dir, stdio: "ignore" });
    project?.remove();
  });

  it("up --all with the code of now replaces, deletes and creates nothing, and drift is clean", async () => {
    // The project runs the old program (Pulumi.yaml's main) on the fleet files of that commit.
    project = tempProject(before, "tenantctl-upgrade-");
    const deployed = await run(before, ["sandbox", "--keep", "--auth", "authhero"], project.dir, process.env);
    stop = /^Stop it and remove its data:\n\n {2}(.+)$/m.exec(deployed.stdout)?.[1];
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    expect(stop).toMatch(/^kill \d+ /);
    // The old code made the auth entities under its own components.
    expect(deployed.stdout).toMatch(
      /create +pulumi-nodejs:dynamic:AuthHeroResourceServer control-plane-api\.example\.com/,
    );
    expect(deployed.stdout).toMatch(/create +pulumi-nodejs:dynamic:AuthHeroOrganization acme-organization/);

    const env = sourced(join(project.dir, ".tenantctl", "sandbox", "env.sh"));
    const admin = new ManagementClient({
      url: env.TENANTCTL_AUTHHERO_URL!,
      clientId: env.TENANTCTL_AUTHHERO_CLIENT_ID!,
      clientSecret: env.TENANTCTL_AUTHHERO_CLIENT_SECRET!,
    });
    const entitiesBefore = await entities(admin);
    for (const name of [
      "organization acme ",
      "organization globex ",
      "organization initech ",
      "role acme:auditor ",
      "role admin ",
      "resource-server https://api.example.com ",
    ]) {
      expect(
        entitiesBefore.filter((entity) => entity.startsWith(name)),
        name,
      ).toHaveLength(1);
    }

    const up = await tenantctlProcess(engine.repoRoot, ["up", "--all"], { cwd: project.dir, env });
    const upReport = up.report as unknown as RunReport;
    expect(up.code, up.stderr).toBe(0);
    expect(upReport.tenants.map((tenant) => tenant.slug).sort()).toEqual([
      "acme",
      "control-plane",
      "globex",
      "initech",
    ]);
    for (const tenant of upReport.tenants) {
      expect(tenant.outcome, `${tenant.slug}: ${tenant.message ?? ""}`).not.toBe("failed");
      // Each operation that is not keeping, with the URN it touched: the failure says which resource lost its alias.
      const lost = tenant.resources
        .filter((resource) => !KEEPING.has(resource.op) && !addedSince(resource))
        .map((resource) => `${resource.op} ${resource.urn}`);
      expect(lost, `${tenant.slug} changed its resources: ${JSON.stringify(tenant.changes)}`).toEqual([]);
      expect(
        Object.keys(tenant.changes).filter(
          (op) => !KEEPING.has(op) && !(op === "create" && tenant.resources.every((r) => r.op !== op || addedSince(r))),
        ),
        tenant.slug,
      ).toEqual([]);
      expect(tenant.changes["same"] ?? 0, tenant.slug).toBeGreaterThan(0);
    }
    // Not behind the report's back either: AuthHero holds the same entities, under the same ids.
    expect(await entities(admin)).toEqual(entitiesBefore);

    const drift = await tenantctlProcess(engine.repoRoot, ["drift", "--all"], { cwd: project.dir, env });
    expect(drift.code, drift.stderr).toBe(0);
    expect(Object.fromEntries(drift.report.tenants.map((tenant) => [tenant.slug, tenant.outcome]))).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });
  });
});

/** `tenantctl <args>` of the build in `codeDir`, in a process of its own; what it printed and its exit code. */
function run(
  codeDir: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(codeDir, "bin", "tenantctl.js"), ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every resource server, role and organization AuthHero holds, as `<kind> <name> <id>`, sorted. */
async function entities(admin: ManagementClient): Promise<string[]> {
  return [
    ...(await admin.resourceServers()).map((server) => `resource-server ${server.identifier} ${server.id}`),
    ...(await admin.roles()).map((role) => `role ${role.name} ${role.id}`),
    ...(await admin.organizations()).map((organization) => `organization ${organization.name} ${organization.id}`),
  ].sort();
}

/**
 * The old code's sandbox starts the AuthHero server of its own tree: when that tree pins the same server package, it
 * uses this checkout's installation (a link) instead of compiling better-sqlite3 again; otherwise it installs its own.
 */
async function shareAuthHeroServer(repoRoot: string, codeDir: string): Promise<void> {
  const link = join(codeDir, AUTHHERO_SERVER_DIR, "node_modules");
  rmSync(link, { recursive: true, force: true });
  const lock = (root: string) => readFileSync(join(root, AUTHHERO_SERVER_DIR, "package-lock.json"), "utf8");
  if (!existsSync(join(codeDir, AUTHHERO_SERVER_DIR, "package-lock.json")) || lock(codeDir) !== lock(repoRoot)) return;
  const installed = await ensureAuthHeroServer(repoRoot);
  symlinkSync(join(installed, "node_modules"), link, "dir");
}
