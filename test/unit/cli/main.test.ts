import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFleet } from "../../support/fleetFixture";
import { runCli } from "../../support/runCli";

const good = {
  "acme.yaml": "slug: acme\nname: Acme\nplan: enterprise\n",
  "globex.yaml": "slug: globex\nname: Globex\n",
};
const bad = { ...good, "globex.yaml": "slug: globex\nname: Globex\nplan: basik\n" };

describe("tenantctl validate", () => {
  it("exits 0 on a valid fleet and says so", async () => {
    const result = await runCli(["validate"], writeFleet(good));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe("✓ 2 tenants valid\n");
  });

  it("exits 1 with file:line:col, path, message, fix and a code frame", async () => {
    const result = await runCli(["validate"], writeFleet(bad));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "tenants/globex.yaml:3:7 error plan: plan `basik` does not exist in the template\n  fix: did you mean `basic`?\n",
    );
    expect(result.stdout).toContain("  > 3 | plan: basik\n      |       ^");
    expect(result.stdout).toMatch(/✗ 1 error in 2 tenants\n$/);
  });

  it("prints the JSON shape of docs/output.md", async () => {
    const result = await runCli(["validate", "--format", "json"], writeFleet(bad));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      tenants: ["acme", "globex"],
      diagnostics: [
        {
          file: "tenants/globex.yaml",
          line: 3,
          column: 7,
          path: "plan",
          severity: "error",
          message: "plan `basik` does not exist in the template",
          fix: "did you mean `basic`?",
          rule: "planExists",
        },
      ],
    });
  });

  it("prints GitHub workflow annotations", async () => {
    const result = await runCli(["validate", "--format", "github"], writeFleet(bad));
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe(
      "::error file=tenants/globex.yaml,line=3,col=7,title=tenantctl planExists::plan: plan `basik` does not exist in the template. Fix: did you mean `basic`?",
    );
  });

  it("honours --dir", async () => {
    const cwd = writeFleet(good);
    expect((await runCli(["validate", "--dir", "tenants"], cwd)).code).toBe(0);
    const missing = await runCli(["validate", "--dir", "nowhere"], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tenantctl: cannot read the tenants directory nowhere/);
  });

  it("exits 2 on usage errors", async () => {
    const cwd = writeFleet(good);
    expect((await runCli(["validate", "--format", "xml"], cwd)).code).toBe(2);
    expect((await runCli(["frobnicate"], cwd)).code).toBe(2);
  });
});

describe("tenantctl explain", () => {
  it("shows each resolved value with the layer and position that set it", async () => {
    const result = await runCli(["explain", "acme"], writeFleet(good));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^limits\.users\s+1000\s+plans\.enterprise {2}tenants\/_control-plane\.yaml:18:/m);
    expect(result.stdout).toMatch(/^plan\s+"enterprise"\s+tenant {2}tenants\/acme\.yaml:3:7$/m);
    expect(result.stdout).toMatch(/^database\.roleName\s+"tenant_acme"\s+derived$/m);
  });

  it("narrows to a key prefix, as JSON", async () => {
    const result = await runCli(["explain", "globex", "settings.security", "--format", "json"], writeFleet(good));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).values).toEqual([
      {
        key: "settings.security.mfa",
        value: "required",
        layer: "defaults",
        source: { file: "tenants/_control-plane.yaml", line: 25, column: 22 },
      },
      {
        key: "settings.security.sessionTimeoutMinutes",
        value: 60,
        layer: "defaults",
        source: { file: "tenants/_control-plane.yaml", line: 25, column: 55 },
      },
    ]);
  });

  it("exits 2 (usage) with a suggestion for an unknown tenant or key", async () => {
    const cwd = writeFleet(good);
    const tenant = await runCli(["explain", "acmee"], cwd);
    expect(tenant).toEqual({
      code: 2,
      stdout: "",
      stderr: "tenantctl: no tenant file for `acmee`: did you mean `acme`?\n",
    });
    const key = await runCli(["explain", "acme", "setings"], cwd);
    expect(key).toEqual({
      code: 2,
      stdout: "",
      stderr: "tenantctl: no resolved key `setings` for acme: did you mean `settings`?\n",
    });
  });

  it("shows the tenant's own errors when it cannot be resolved", async () => {
    const result = await runCli(["explain", "globex"], writeFleet(bad));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tenants/globex.yaml:3:7 error plan:");
  });
});

describe("one exit code for one mistake", () => {
  it("an unknown tenant slug is a usage mistake (exit 2) for every command that reads the tenant's file, in the same words", async () => {
    const cwd = writeFleet(good);
    writeFileSync(join(cwd, "Pulumi.yaml"), "name: tenantctl\nruntime: nodejs\n");
    for (const args of [
      ["explain", "acmee"],
      ["plan", "acmee"],
      ["preview", "acmee"],
      ["up", "acmee"],
      ["adopt", "acmee"],
      ["adopt", "acmee", "--dry-run"],
      ["archive", "acmee"],
    ]) {
      const result = await runCli(args, cwd);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(result.stderr, args.join(" ")).toMatch(/^tenantctl: no tenant file for `acmee`: did you mean `acme`\?/);
    }
  });
});
