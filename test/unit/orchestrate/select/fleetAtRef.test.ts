/**
 * The fleet at a git ref, read from git's objects, and what changed since: against a throwaway repository.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../../src/core/load";
import { changesSince, loadFleetAt } from "../../../../src/orchestrate/select/fleetAtRef";
import { writeFleet } from "../../../support/fleetFixture";

const tenant = (slug: string, extra = "") => `slug: ${slug}\nname: ${slug}\n${extra}`;

function repository(): string {
  const cwd = writeFleet({
    "acme.yaml": tenant("acme", "plan: enterprise\n"),
    "globex.yaml": tenant("globex"),
    "initech.yaml": tenant("initech"),
  });
  for (const args of [
    ["init", "-q"],
    ["add", "-A"],
    ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base"],
  ]) {
    expect(spawnSync("git", args, { cwd }).status).toBe(0);
  }
  return cwd;
}

const edit = (cwd: string, name: string, change: (text: string) => string) =>
  writeFileSync(join(cwd, "tenants", name), change(readFileSync(join(cwd, "tenants", name), "utf8")));

describe("the fleet at a ref", () => {
  it("reads the files as they were, with the file names they have here", () => {
    const cwd = repository();
    edit(cwd, "acme.yaml", (text) => text.replace("plan: enterprise", "plan: basik"));
    const base = loadFleetAt("HEAD", "tenants", cwd);
    expect(base.errors).toEqual([]);
    expect(base.tenants.map((t) => [t.slug, t.plan, t.file])).toEqual([
      ["acme", "enterprise", "tenants/acme.yaml"],
      ["globex", "basic", "tenants/globex.yaml"],
      ["initech", "basic", "tenants/initech.yaml"],
    ]);
    expect(loadFleet({ dir: "tenants", cwd }).errors.map((d) => d.rule)).toEqual(["planExists"]);
  });

  it("is an empty fleet where the directory did not exist", () => {
    const cwd = repository();
    expect(loadFleetAt("HEAD", "elsewhere", cwd).slugs).toEqual([]);
  });
});

describe("changesSince", () => {
  it("finds added, changed and removed tenants without resolving the files that are the same", () => {
    const cwd = repository();
    edit(cwd, "globex.yaml", (text) => `${text}plan: enterprise\n`);
    edit(cwd, "initech.yaml", (text) => `# only a comment\n${text}`);
    writeFileSync(join(cwd, "tenants", "hooli.yaml"), tenant("hooli"));
    rmSync(join(cwd, "tenants", "acme.yaml"));
    const { changes, templateChanged } = changesSince("HEAD", "tenants", loadFleet({ dir: "tenants", cwd }), cwd);
    expect(templateChanged).toBe(false);
    // initech's file differs in bytes but resolves the same: unchanged. globex's upgrade gives it its own database: a move.
    expect(changes).toEqual({
      added: ["hooli"],
      changed: ["globex"],
      removed: ["acme"],
      unchanged: ["initech"],
      moves: [
        {
          slug: "globex",
          from: { server: "primary", database: "tenants", schema: "tenant_globex" },
          to: { server: "primary", database: "tenant_globex", schema: "public" },
        },
      ],
    });
  });

  it("compares every tenant when the template changed, and says whether the control-plane stack changed", () => {
    const cwd = repository();
    // A plan's limit changes its tenants, not what the control-plane stack deploys.
    edit(cwd, "_control-plane.yaml", (text) =>
      text.replace(
        "basic: { limits: { users: 100, dbConnections: 10 }",
        "basic: { limits: { users: 100, dbConnections: 12 }",
      ),
    );
    const changed = changesSince("HEAD", "tenants", loadFleet({ dir: "tenants", cwd }), cwd);
    expect(changed).toEqual({
      changes: { added: [], changed: ["globex", "initech"], removed: [], unchanged: ["acme"], moves: [] },
      templateChanged: false,
    });
    edit(cwd, "_control-plane.yaml", (text) => text.replace("name: API,", "name: The API,"));
    expect(changesSince("HEAD", "tenants", loadFleet({ dir: "tenants", cwd }), cwd).templateChanged).toBe(true);

    const reformatted = repository();
    edit(reformatted, "_control-plane.yaml", (text) => `# a comment\n${text}`);
    expect(changesSince("HEAD", "tenants", loadFleet({ dir: "tenants", cwd: reformatted }), reformatted)).toEqual({
      changes: { added: [], changed: [], removed: [], unchanged: ["acme", "globex", "initech"], moves: [] },
      templateChanged: false,
    });
  });

  it("names a bad ref as a usage error", () => {
    const cwd = repository();
    expect(() => changesSince("no-such-ref", "tenants", loadFleet({ dir: "tenants", cwd }), cwd)).toThrow(
      /git rev-parse/,
    );
  });
});
