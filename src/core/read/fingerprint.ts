/**
 * The files a fleet is read from, each with the id git gives its bytes: what changed since a commit is known by
 * comparing ids with the commit's tree (src/orchestrate/select/fleetAtRef.ts), without reading the files again.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";

/** The template every tenant inherits from; other files starting with `_` are not read. */
export const CONTROL_PLANE_FILE = "_control-plane.yaml";

/** The YAML files of a tenants directory, sorted. */
export function yamlFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

/** The id git gives a file's bytes (`git hash-object`): equal ids, equal files, comparable with a commit's tree. */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export class FleetFingerprint {
  private readonly files = new Map<string, string>();

  add(name: string, bytes: Uint8Array): void {
    this.files.set(name, gitBlobId(bytes));
  }

  /** Each file read, by name, with its git blob id. */
  blobIds(): ReadonlyMap<string, string> {
    return new Map(this.files);
  }
}
