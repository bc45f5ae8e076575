/** `tenantctl sandbox --auth …` refusals that need no server: they come before anything is started. */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFleet } from "../../support/fleetFixture";
import { runCli } from "../../support/runCli";

describe("sandbox --auth", () => {
  it("refuses a provider the sandbox cannot run locally, as a usage error", async () => {
    const cwd = writeFleet({});
    const result = await runCli(["sandbox", "--auth", "auth0"], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--auth auth0: the sandbox can run authhero (Auth0 is a cloud service)");
  });

  it("refuses an Auth0 fleet holding what AuthHero would refuse, at the line, before starting anything", async () => {
    const cwd = writeFleet({
      "acme.yaml": `slug: acme\nname: acme\nauth:\n  roles:\n    - { name: ${"r".repeat(46)}, description: R, permissions: [read:data] }\n`,
    });
    writeFileSync(join(cwd, "Pulumi.yaml"), "name: tenantctl\nruntime: nodejs\n");
    const result = await runCli(["sandbox", "--auth", "authhero"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tenantctl sandbox: AuthHero would refuse these values of the fleet:");
    expect(result.stderr).toContain(
      `tenants/acme.yaml:5:15 error auth.roles[0].name: role name \`acme:${"r".repeat(46)}\` has 51 characters; AuthHero role names have at most 50`,
    );
    expect(result.stderr).not.toContain("starting");
    expect(existsSync(join(cwd, ".tenantctl"))).toBe(false);
  });
});

describe("sandbox --tls", () => {
  it("does not go with --stop (which stops whatever the kept sandbox started), as a usage error", async () => {
    const result = await runCli(["sandbox", "--stop", "--tls"], writeFleet({}));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--stop and --tls do not go together");
  });
});
