import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compareVersions } from "../../../src/postgres/clientTools";
import { findPostgresBinDir } from "../../../src/sandbox/postgres";

describe("findPostgresBinDir", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function fakeInstall(versions: string[], withInitdb = versions): string {
    root = mkdtempSync(join(tmpdir(), "tenantctl-pgbin-"));
    for (const version of versions) {
      mkdirSync(join(root, version, "bin"), { recursive: true });
      if (withInitdb.includes(version)) writeFileSync(join(root, version, "bin", "initdb"), "");
    }
    return root;
  }

  it("picks the newest version numerically, ignoring versions without server binaries", () => {
    const dir = fakeInstall(["9.6", "15", "16"], ["9.6", "15"]);
    expect(findPostgresBinDir(dir)).toBe(join(dir, "15", "bin"));
  });

  it("says what to install when there is nothing", () => {
    expect(() => findPostgresBinDir(fakeInstall([]))).toThrow(/apt-get install -y postgresql/);
  });
});

describe("compareVersions", () => {
  it("compares dotted versions as numbers", () => {
    expect(["9.6", "16", "15", "10"].sort(compareVersions)).toEqual(["9.6", "10", "15", "16"]);
  });
});
