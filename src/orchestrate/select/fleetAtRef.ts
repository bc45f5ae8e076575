/**
 * The tenants directory as it was at a git ref, for `--changed --base <ref>` and `plan --base <ref>`: read from git's
 * object database into memory (`git ls-tree`, then `git cat-file --batch`), never checked out to disk.
 */
import { spawnSync } from "node:child_process";
import { basename, relative, resolve } from "node:path";
import { compareFleets, type FleetChanges, sameControlPlane } from "../../core/compare/fleetChanges";
import { UsageError } from "../../core/errors";
import { type Fleet, loadFleetFrom, withMigrations } from "../../core/load";
import type { MigrationSource } from "../../core/migrations/migrationFiles";
import { CONTROL_PLANE_FILE } from "../../core/read/fingerprint";

function git(args: string[], cwd: string, input?: string): Buffer {
  const result = spawnSync("git", args, { cwd, input, maxBuffer: 1 << 30 });
  if (result.error) throw new UsageError(`--base needs git: ${result.error.message}`);
  if (result.status !== 0) throw new UsageError(`git ${args.join(" ")}: ${result.stderr.toString().trim()}`);
  return result.stdout;
}

/** The YAML files directly in `dir` at `ref`, by name, with their blob ids. */
interface TreeAtRef {
  readonly ref: string;
  readonly top: string;
  readonly blobs: ReadonlyMap<string, string>;
}

function treeAt(ref: string, dir: string, cwd: string): TreeAtRef {
  const top = git(["rev-parse", "--show-toplevel"], cwd).toString().trim();
  git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  const inRepo = relative(top, resolve(cwd, dir)).split("\\").join("/");
  // The directory's own entries (the loader reads no subdirectory): `<mode> blob <id>\t<path>`, NUL-terminated.
  const listing = git(["ls-tree", "-z", ref, "--", inRepo === "" ? "." : `${inRepo}/`], top).toString();
  const blobs = new Map<string, string>();
  for (const entry of listing.split("\0")) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/.exec(entry);
    const name = match?.[2]?.split("/").pop();
    if (match && name && /\.ya?ml$/.test(name)) blobs.set(name, match[1]!);
  }
  return { ref, top, blobs };
}

/** The contents of `ids`, in one `git cat-file --batch`. */
function readBlobs(top: string, ids: readonly string[]): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  if (ids.length === 0) return contents;
  const output = git(["cat-file", "--batch"], top, `${ids.join("\n")}\n`);
  let offset = 0;
  for (const id of ids) {
    const headerEnd = output.indexOf(0x0a, offset);
    const [, , size] = output.subarray(offset, headerEnd).toString().split(" ");
    const start = headerEnd + 1;
    contents.set(id, output.subarray(start, start + Number(size)));
    offset = start + Number(size) + 1;
  }
  return contents;
}

/** The fleet as it was at `ref`, or only the files `names` of it. A tenants directory that did not exist then is an empty fleet. */
function fleetAt(tree: TreeAtRef, dir: string, cwd: string, names: readonly string[] = [...tree.blobs.keys()]): Fleet {
  const sorted = [...names].sort();
  const contents = readBlobs(
    tree.top,
    sorted.map((name) => tree.blobs.get(name)!),
  );
  // Diagnostics of the base fleet read as if it were here, so file names match the current ones.
  const fleet = loadFleetFrom(
    { names: sorted, read: (name) => contents.get(tree.blobs.get(name)!)! },
    { dir: resolve(cwd, dir), cwd },
  );
  return withMigrations(fleet, { dir: resolve(cwd, dir), cwd }, (folder) => migrationsAt(tree, folder));
}

/** The migrations folder at the ref (`plan --base` says which migrations are new); none when it did not exist. */
function migrationsAt(tree: TreeAtRef, folder: string): MigrationSource {
  const inRepo = relative(tree.top, folder).split("\\").join("/");
  const listing = git(["ls-tree", "-z", tree.ref, "--", `${inRepo}/`], tree.top).toString();
  const blobs = new Map<string, string>();
  for (const entry of listing.split("\0")) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/.exec(entry);
    const name = match?.[2]?.split("/").pop();
    if (match && name) blobs.set(name, match[1]!);
  }
  if (blobs.size === 0) return { names: undefined, read: () => new Uint8Array() };
  const contents = readBlobs(tree.top, [...blobs.values()]);
  return { names: [...blobs.keys()], read: (name) => contents.get(blobs.get(name)!)! };
}

/** Loads the fleet as it was at `ref`. */
export function loadFleetAt(ref: string, dir: string, cwd = process.cwd()): Fleet {
  return fleetAt(treeAt(ref, dir, cwd), dir, cwd);
}

export interface ChangesSince {
  readonly changes: FleetChanges;
  readonly templateChanged: boolean;
}

/**
 * Which tenants' effective spec changed since `ref`. A tenant's effective spec is a function of its own file and the
 * template: when the template is byte for byte the same, a tenant whose file is too is unchanged without being parsed
 * at `ref`, so one added tenant costs one file, not the fleet.
 */
export function changesSince(ref: string, dir: string, current: Fleet, cwd = process.cwd()): ChangesSince {
  const tree = treeAt(ref, dir, cwd);
  // The loader kept each file's blob id as it read it: nothing is read again.
  const sameBytes = (name: string) =>
    tree.blobs.get(name) !== undefined && tree.blobs.get(name) === current.blobIds.get(name);
  const fileAtRef = new Map(
    [...tree.blobs.keys()].filter((name) => !name.startsWith("_")).map((name) => [name.replace(/\.ya?ml$/, ""), name]),
  );
  const baseSlugs = [...fileAtRef.keys()];
  if (!sameBytes(CONTROL_PLANE_FILE)) {
    const base = fleetAt(tree, dir, cwd);
    return {
      changes: compareFleets(current, base),
      templateChanged: !sameControlPlane(current.controlPlane, base.controlPlane),
    };
  }
  const sameFiles = new Set(
    current.slugs.filter(
      (slug) => fileAtRef.get(slug) === basename(current.fileOf.get(slug) ?? "") && sameBytes(fileAtRef.get(slug)!),
    ),
  );
  const differing = baseSlugs.filter((slug) => !sameFiles.has(slug)).map((slug) => fileAtRef.get(slug)!);
  const base = fleetAt(tree, dir, cwd, [CONTROL_PLANE_FILE, ...differing]);
  return {
    changes: compareFleets(current, { tenants: base.tenants, slugs: baseSlugs }, sameFiles),
    templateChanged: false,
  };
}
