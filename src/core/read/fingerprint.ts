/**
 * A digest of the files a fleet is read from, for the verdict a run hands its stack programs (../verdict.ts): equal
 * fingerprints, equal files. Independent of the order files are read in.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The template every tenant inherits from; other files starting with `_` are not read. */
export const CONTROL_PLANE_FILE = "_control-plane.yaml";

/** The YAML files of a tenants directory, sorted. */
export function yamlFileNames(dir: string): string[] {
  return readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
}

/** Whether the loader reads a file of the directory: the template and every tenant file. */
export function isFleetFile(name: string): boolean {
  return name === CONTROL_PLANE_FILE || !name.startsWith("_");
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

  digest(): string {
    const hash = createHash("sha256");
    for (const name of [...this.files.keys()].sort()) hash.update(`${name}\0${this.files.get(name)}\n`);
    return hash.digest("hex");
  }
}

/** The fingerprint of the files in `dir` as they are now: read, not parsed. */
export function fleetFingerprint(dir: string): string {
  const fingerprint = new FleetFingerprint();
  for (const name of yamlFileNames(dir).filter(isFleetFile)) fingerprint.add(name, readFileSync(join(dir, name)));
  return fingerprint.digest();
}
