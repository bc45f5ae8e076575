import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../../src/orchestrate/engine/findOnPath";
import { engineEnv, findOrBuildEngine, hasPostgresPlugin } from "../../../src/sandbox/pulumiEngine";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir holding executables named `names` (shell scripts printing their name) and other `files`. */
function binDir(names: readonly string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantctl-engine-"));
  dirs.push(dir);
  for (const name of names) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho ${name}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("findOrBuildEngine", () => {
  it("uses a pulumi on PATH that can load the postgresql plugin, without building anything", async () => {
    const bin = binDir(["pulumi", "pulumi-resource-postgresql"]);
    const home = binDir([]);
    await expect(
      findOrBuildEngine({ repoRoot: "/nonexistent", env: { PATH: bin, PULUMI_HOME: home } }),
    ).resolves.toEqual({ available: true, binDir: bin, source: "path" });
  });

  it("is unavailable, saying why and what to install, with neither pulumi nor go", async () => {
    const result = await findOrBuildEngine({
      repoRoot: "/nonexistent",
      env: { PATH: binDir([]), PULUMI_HOME: binDir([]) },
    });
    expect(result).toEqual({
      available: false,
      reason: expect.stringMatching(/^neither `pulumi` nor `go` is on PATH: install the Pulumi CLI .* or Go >= 1\.25/),
    });
  });

  it("names the missing plugin when pulumi is there without it and go is not", async () => {
    const result = await findOrBuildEngine({
      repoRoot: "/nonexistent",
      env: { PATH: binDir(["pulumi"]), PULUMI_HOME: binDir([]) },
    });
    expect(result.available).toBe(false);
    expect(!result.available && result.reason).toMatch(
      /no postgresql provider plugin .*pulumi plugin install resource postgresql/,
    );
  });

  it("builds with tools/ensure-pulumi.sh when go is there, and takes the dir it prints", async () => {
    const built = binDir(["pulumi"]);
    const repo = binDir([], { "tools/ensure-pulumi.sh": `echo building >&2\necho ${built}\n` });
    const log: string[] = [];
    const result = await findOrBuildEngine({
      repoRoot: repo,
      env: { PATH: binDir(["go"]), PULUMI_HOME: binDir([]) },
      log: (line) => log.push(line),
    });
    expect(result).toEqual({ available: true, binDir: built, source: "built" });
    expect(log).toEqual(["building"]);
  });

  it("fails, never skips, when go is there and the build fails", async () => {
    const repo = binDir([], { "tools/ensure-pulumi.sh": "echo 'ensure-pulumi: error: go build failed' >&2\nexit 1\n" });
    await expect(
      findOrBuildEngine({ repoRoot: repo, env: { PATH: binDir(["go"]), PULUMI_HOME: binDir([]) } }),
    ).rejects.toThrow(
      /tools\/ensure-pulumi\.sh failed \(exit code 1\): the Pulumi engine could not be built\nensure-pulumi: error: go build failed/,
    );
  });
});

describe("hasPostgresPlugin", () => {
  it("finds the plugin next to pulumi, on PATH, or installed under $PULUMI_HOME/plugins", () => {
    const empty = binDir([]);
    expect(hasPostgresPlugin(empty, { PATH: "", PULUMI_HOME: empty })).toBe(false);
    expect(hasPostgresPlugin(binDir(["pulumi-resource-postgresql"]), { PATH: "", PULUMI_HOME: empty })).toBe(true);
    expect(hasPostgresPlugin(empty, { PATH: binDir(["pulumi-resource-postgresql"]), PULUMI_HOME: empty })).toBe(true);
    const home = binDir([], { "plugins/resource-postgresql-v3.18.1/pulumi-resource-postgresql": "" });
    expect(hasPostgresPlugin(empty, { PATH: "", PULUMI_HOME: home })).toBe(true);
  });
});

describe("engineEnv", () => {
  it("puts the engine first on PATH once, and turns off plugin downloads and the update check", () => {
    expect(engineEnv("/opt/pulumi/bin", { PATH: "/usr/bin" })).toEqual({
      PATH: "/opt/pulumi/bin:/usr/bin",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    });
    expect(engineEnv("/opt/pulumi/bin", { PATH: "/opt/pulumi/bin:/usr/bin" }).PATH).toBe("/opt/pulumi/bin:/usr/bin");
  });

  it("findOnPath skips directories without an executable of that name", () => {
    const without = binDir([]);
    const withIt = binDir(["go"]);
    expect(findOnPath("go", { PATH: `${without}::${withIt}` })).toBe(withIt);
    expect(findOnPath("go", { PATH: without })).toBeUndefined();
  });

  it("findOnPath skips a directory of that name and a file that cannot run", () => {
    const dirNamedGo = binDir([]);
    mkdirSync(join(dirNamedGo, "go"));
    const notExecutable = binDir([]);
    writeFileSync(join(notExecutable, "go"), "not a program");
    const withIt = binDir(["go"]);
    expect(findOnPath("go", { PATH: `${dirNamedGo}:${notExecutable}:${withIt}` })).toBe(withIt);
    expect(findOnPath("go", { PATH: `${dirNamedGo}:${notExecutable}` })).toBeUndefined();
  });
});
