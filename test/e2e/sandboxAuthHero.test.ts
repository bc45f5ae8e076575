/**
 * `tenantctl sandbox --keep --auth authhero`, for real: a throwaway PostgreSQL and a real AuthHero server, the example
 * fleet deployed into both by the real engine. Then, through env.sh as a user would: a template role and a tenant's
 * organization changed by hand in AuthHero are drift naming the properties, `up` restores them; a decommissioned tenant
 * keeps its organization (its metadata says so); a role deleted by hand comes back with `up`; `pulumi preview` by hand
 * (Pulumi's own dynamic-provider host) sees no change; `sandbox --stop` stops both servers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManagementClient } from "../support/authhero";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { inSandboxShell, keptSandbox, printedStopCommand, sourced } from "../support/sandbox";

const engine = pulumiEngine();

interface Report {
  tenants: {
    slug: string;
    outcome: string;
    resources: {
      name: string;
      type: string;
      op: string;
      properties?: { path: string; expected?: unknown; actual?: unknown }[];
    }[];
  }[];
}

describe("tenantctl sandbox --auth authhero", () => {
  const kept = keptSandbox();

  it("deploys the fleet's auth into a local AuthHero; hand changes are drift that up restores; decommissioned keeps its organization", async () => {
    const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-sandbox-authhero-"));
    const { code, stdout, stderr } = await runCli(["sandbox", "--keep", "--auth", "authhero"], project.dir);
    const stop = (kept.stop = printedStopCommand(stdout));
    expect(code, stdout + stderr).toBe(0);
    expect(stop).toMatch(/^kill \d+ /);
    expect(stderr).toMatch(/^sandbox: AuthHero on http:\/\/127\.0\.0\.1:\d+ \(started in [\d.]+ s\)$/m);

    // The control plane holds the resource server and the template roles; each tenant its organization (and own roles).
    expect(stdout).toMatch(/^control-plane +changed +19 to create/m);
    expect(stdout).toMatch(/create +pulumi-nodejs:dynamic:AuthHeroResourceServer control-plane-api\.example\.com/);
    expect(stdout).toMatch(/create +pulumi-nodejs:dynamic:AuthHeroRole control-plane-role-admin/);
    expect(stdout).toMatch(/create +pulumi-nodejs:dynamic:AuthHeroRole acme-role-auditor/);
    for (const slug of ["acme", "globex", "initech"])
      expect(stdout).toMatch(new RegExp(`create +pulumi-nodejs:dynamic:AuthHeroOrganization ${slug}-organization`));

    // env.sh (0600) exports the AuthHero client; its secret is printed nowhere and is in no state file in clear.
    const sandboxDir = join(project.dir, ".tenantctl", "sandbox");
    const env = sourced(join(sandboxDir, "env.sh"));
    expect(statSync(join(sandboxDir, "env.sh")).mode & 0o777).toBe(0o600);
    expect(env.TENANTCTL_AUTHHERO_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.TENANTCTL_AUTHHERO_CLIENT_ID).toBeTruthy();
    const secret = env.TENANTCTL_AUTHHERO_CLIENT_SECRET!;
    expect(secret.length).toBeGreaterThan(10);
    expect(stdout + stderr).not.toContain(secret);
    // grep exits 1 when no file holds the text.
    const grep = spawnSync("grep", ["-rlF", "--", secret, join(sandboxDir, "state")], { encoding: "utf8" });
    expect({ status: grep.status, files: grep.stdout }).toEqual({ status: 1, files: "" });

    // What AuthHero holds: the real entities, named as the template and tenant files say.
    const admin = new ManagementClient({
      url: env.TENANTCTL_AUTHHERO_URL!,
      clientId: env.TENANTCTL_AUTHHERO_CLIENT_ID!,
      clientSecret: secret,
    });
    const roles = await admin.roles();
    const adminRole = roles.find((role) => role.name === "admin")!;
    const auditor = roles.find((role) => role.name === "acme:auditor")!;
    expect(adminRole).toMatchObject({ description: "Tenant administrator" });
    expect((await admin.rolePermissions(adminRole.id)).map((p) => p.permission_name).sort()).toEqual([
      "manage:users",
      "read:data",
      "write:data",
    ]);
    const organizations = await admin.organizations();
    const acme = organizations.find((org) => org.name === "acme")!;
    expect(acme).toMatchObject({
      display_name: "Acme Corporation",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
    expect(acme.metadata.roles!.split(",")).toContain(auditor.id);
    expect(acme.metadata.roles!.split(",")).toContain(adminRole.id);

    const tenantctl = (args: string) => {
      try {
        return {
          code: 0,
          stdout: inShell(
            `${JSON.stringify(process.execPath)} ${JSON.stringify(join(engine.repoRoot, "bin", "tenantctl.js"))} ${args} --format json 2>/dev/null`,
          ),
        };
      } catch (error) {
        return { code: (error as { status: number }).status, stdout: String((error as { stdout: string }).stdout) };
      }
    };
    const inShell = (command: string) => inSandboxShell(project.dir, command);
    const outcomes = (report: Report) => Object.fromEntries(report.tenants.map((t) => [t.slug, t.outcome]));

    const clean = tenantctl("drift --all");
    expect(clean.code).toBe(0);
    expect(outcomes(JSON.parse(clean.stdout) as Report)).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });

    // By hand, in AuthHero: a template role's description, and the organization's display name (a PATCH without
    // metadata, as AuthHero's admin UI sends it, also wipes the metadata).
    await admin.json("PATCH", `/roles/${adminRole.id}`, { description: "changed by hand" });
    await admin.json("PATCH", `/organizations/${acme.id}`, { display_name: "Acme (edited)" });
    const drift = tenantctl("drift --all");
    expect(drift.code).toBe(3);
    const drifted = JSON.parse(drift.stdout) as Report;
    expect(outcomes(drifted)).toEqual({
      "control-plane": "drift",
      acme: "drift",
      globex: "unchanged",
      initech: "unchanged",
    });
    const changed = (slug: string) =>
      drifted.tenants.find((t) => t.slug === slug)!.resources.filter((r) => r.op === "update");
    expect(changed("control-plane")).toEqual([
      expect.objectContaining({
        name: "control-plane-role-admin",
        properties: [{ path: "description", expected: "Tenant administrator", actual: "changed by hand" }],
      }),
    ]);
    const organization = changed("acme");
    expect(organization.map((r) => r.name)).toEqual(["acme-organization"]);
    expect(organization[0]!.properties).toEqual(
      expect.arrayContaining([
        { path: "displayName", expected: "Acme Corporation", actual: "Acme (edited)" },
        expect.objectContaining({ path: "metadata.status", expected: "active" }),
      ]),
    );

    // `up` restores both (the template role through the control-plane stack, which owns it).
    const up = tenantctl("up --all");
    expect(up.code).toBe(0);
    expect(outcomes(JSON.parse(up.stdout) as Report)).toEqual({
      "control-plane": "changed",
      acme: "changed",
      globex: "unchanged",
      initech: "unchanged",
    });
    expect(await admin.json("GET", `/roles/${adminRole.id}`)).toMatchObject({ description: "Tenant administrator" });
    expect(await admin.json("GET", `/organizations/${acme.id}`)).toMatchObject({
      display_name: "Acme Corporation",
      metadata: { slug: "acme", plan: "enterprise", status: "active" },
    });
    expect(outcomes(JSON.parse(tenantctl("drift --all").stdout) as Report)).toEqual({
      "control-plane": "unchanged",
      acme: "unchanged",
      globex: "unchanged",
      initech: "unchanged",
    });

    // A tenant role deleted by hand is gone on refresh: drift shows it to be created, `up` makes it again (a new id, so
    // the organization's list of assignable roles follows).
    const auditorPermissions = (await admin.rolePermissions(auditor.id)).map((p) => p.permission_name).sort();
    expect(auditorPermissions.length).toBeGreaterThan(0);
    await admin.json("DELETE", `/roles/${auditor.id}`);
    const gone = tenantctl("drift acme");
    expect(gone.code).toBe(3);
    expect(
      (JSON.parse(gone.stdout) as Report).tenants[0]!.resources.filter((r) => r.op !== "same").map((r) => [
        r.name,
        r.op,
      ]),
    ).toEqual(expect.arrayContaining([["acme-role-auditor", "create"]]));
    expect(tenantctl("up acme").code).toBe(0);
    const recreated = (await admin.roles()).filter((role) => role.name === "acme:auditor");
    expect(recreated).toHaveLength(1);
    expect((await admin.rolePermissions(recreated[0]!.id)).map((p) => p.permission_name).sort()).toEqual(
      auditorPermissions,
    );
    expect(
      (await admin.json<{ metadata: { roles: string } }>("GET", `/organizations/${acme.id}`)).metadata.roles.split(","),
    ).toContain(recreated[0]!.id);
    // `pulumi` by hand, with Pulumi's own dynamic-provider host loading the same provider source: nothing to change.
    inShell("pulumi preview --refresh --expect-no-changes --non-interactive -s acme >/dev/null 2>&1");
    inShell("pulumi preview --refresh --expect-no-changes --non-interactive -s control-plane >/dev/null 2>&1");

    // A decommissioned tenant keeps its organization, for audit; its metadata says it is decommissioned.
    const globex = (await admin.organizations()).find((org) => org.name === "globex")!;
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml")}status: decommissioned\n`);
    const decommission = tenantctl("up globex");
    expect(decommission.code).toBe(0);
    const after = (await admin.organizations()).filter((org) => org.name === "globex");
    expect(after).toEqual([
      expect.objectContaining({
        id: globex.id,
        display_name: "Globex Labs",
        metadata: expect.objectContaining({ status: "decommissioned" }),
      }),
    ]);

    // `sandbox --stop` stops AuthHero with PostgreSQL.
    const stopped = await runCli(["sandbox", "--stop"], project.dir);
    expect(stopped).toMatchObject({
      code: 0,
      stdout: "stopped the sandbox's PostgreSQL and AuthHero and removed .tenantctl/sandbox/\n",
    });
    kept.stop = undefined;
    expect(existsSync(sandboxDir)).toBe(false);
    await expect(fetch(`${env.TENANTCTL_AUTHHERO_URL}/`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
  });
});
