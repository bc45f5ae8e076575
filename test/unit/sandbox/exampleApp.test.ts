import { describe, expect, it } from "vitest";
import { exampleAppCommands } from "../../../src/sandbox/exampleApp";
import { buildTenant } from "../../support/tenantFixtures";

describe("exampleAppCommands (what a kept sandbox prints about examples/app)", () => {
  const args = {
    tenants: [buildTenant("acme", { status: "suspended" }), buildTenant("globex", { name: "Globex Labs" })],
    audience: "https://api.example.com",
    withAuth: true,
    repoRoot: "/repo",
    projectDir: "/repo",
    envScript: ".tenantctl/sandbox/env.sh",
  };

  it("starts the app with env.sh and the audience, and curls the first active tenant by its hostname", () => {
    const text = exampleAppCommands(args);
    expect(text).toContain(
      [
        "  source .tenantctl/sandbox/env.sh",
        "  TENANTCTL_AUTH_AUDIENCE=https://api.example.com PORT=3000 node examples/app/start.js &",
        "  curl -H 'Host: globex.app.example.com' http://127.0.0.1:3000/",
      ].join("\n"),
    );
    expect(text).toContain('{"tenant":"globex","name":"Globex Labs","status":"active","plan":"basic",…}');
    expect(text).toContain("examples/app/README.md");
  });

  it("without AuthHero names no audience; from another directory the path to start.js follows", () => {
    const text = exampleAppCommands({ ...args, withAuth: false, projectDir: "/work/fleet" });
    expect(text).toContain("  PORT=3000 node ../../repo/examples/app/start.js &");
    expect(text).not.toContain("TENANTCTL_AUTH_AUDIENCE");
    expect(text).not.toContain("README");
  });

  it("prints nothing when no tenant is active", () => {
    expect(exampleAppCommands({ ...args, tenants: [buildTenant("acme", { status: "decommissioned" })] })).toBe("");
  });
});
