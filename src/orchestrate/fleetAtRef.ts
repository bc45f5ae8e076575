/** The tenants directory as it was at a git ref, for `--changed --base <ref>` and `plan --base <ref>`. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { type Fleet, loadFleet } from "../core/load";
import { UsageError } from "../core/errors";

function git(args: string[], cwd: string): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.error) throw new UsageError(`--base needs git: ${result.error.message}`);
  if (result.status !== 0) throw new UsageError(`git ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Loads the fleet as it was at `ref`. A tenants directory that did not exist then is an empty fleet. */
export function loadFleetAt(ref: string, dir: string, cwd = process.cwd()): Fleet {
  const top = git(["rev-parse", "--show-toplevel"], cwd).trim();
  git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  const inRepo = relative(top, resolve(cwd, dir)).split("\\").join("/");
  const checkout = mkdtempSync(join(tmpdir(), "tenantctl-base-"));
  try {
    const listed = git(["ls-tree", "-r", "--name-only", ref, "--", inRepo], top).trim();
    const target = join(checkout, relative(top, cwd));
    // Relative to cwd even when given absolute, so it lands in the checkout rather than in the working tree.
    const local = relative(cwd, resolve(cwd, dir)) || ".";
    mkdirSync(join(target, local), { recursive: true });
    if (listed !== "") {
      const archive = spawnSync("git", ["archive", "--format=tar", ref, "--", inRepo], { cwd: top, maxBuffer: 1 << 30 });
      if (archive.status !== 0) throw new UsageError(`git archive ${ref}: ${archive.stderr.toString().trim()}`);
      const untar = spawnSync("tar", ["-x", "-C", checkout], { input: archive.stdout });
      if (untar.status !== 0) throw new UsageError(`cannot unpack ${ref}: ${untar.stderr.toString().trim()}`);
    }
    // Diagnostics of the base fleet read as if it were here, so file names match the current ones.
    return loadFleet({ dir: local, cwd: target });
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}
