/**
 * Which `pg_dump` and `pg_restore` to use for a server: Debian's client binaries of the server's major version
 * (`/usr/lib/postgresql/<major>/bin`), else the nearest newer one (pg_dump reads older servers, never newer ones).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SetupError } from "../core/errors";

/** Where the Debian/Ubuntu `postgresql-<ver>` packages put their binaries: `/usr/lib/postgresql/<ver>/bin`. */
export const DEBIAN_POSTGRES_ROOT = "/usr/lib/postgresql";

/** Compares dotted version strings numerically (`"16" > "9.6"`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface ClientTools {
  readonly pgDump: string;
  readonly pgRestore: string;
  /** The major version of the tools. */
  readonly major: number;
}

export function clientToolsFor(serverMajor: number, root: string = DEBIAN_POSTGRES_ROOT): ClientTools {
  const installed = existsSync(root)
    ? readdirSync(root)
        .filter(
          (version) =>
            existsSync(join(root, version, "bin", "pg_dump")) && existsSync(join(root, version, "bin", "pg_restore")),
        )
        .map((version) => ({ version, major: Number.parseInt(version, 10) }))
        .filter(({ major }) => major >= serverMajor)
        .sort((a, b) => compareVersions(a.version, b.version))
    : [];
  const chosen = installed[0];
  if (!chosen) {
    throw new SetupError(
      `no pg_dump for PostgreSQL ${serverMajor} under ${root}/<version>/bin (pg_dump cannot read a server newer than itself): ` +
        `install Debian's client binaries, \`apt-get install postgresql-client-${serverMajor}\` (from apt.postgresql.org when your release lacks it).`,
    );
  }
  const bin = join(root, chosen.version, "bin");
  return { pgDump: join(bin, "pg_dump"), pgRestore: join(bin, "pg_restore"), major: chosen.major };
}
