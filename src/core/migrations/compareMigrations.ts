/** Two sets of migration files compared, for `--changed --base` and `plan --base`: which are new, which were edited. Pure. */
import type { MigrationFile } from "./migrationFiles";

export interface MigrationChanges {
  /** Files that were not there at the base: what the next `migrate` applies. */
  readonly added: readonly MigrationFile[];
  /** Files that were there with other bytes: tenants that applied them will show drift, and `migrate` refuses them. */
  readonly edited: readonly MigrationFile[];
  /** Versions that were there at the base and are gone. */
  readonly removed: readonly string[];
}

export function compareMigrations(base: readonly MigrationFile[], now: readonly MigrationFile[]): MigrationChanges {
  const before = new Map(base.map((file) => [file.version, file]));
  const after = new Set(now.map((file) => file.version));
  return {
    added: now.filter((file) => !before.has(file.version)),
    edited: now.filter((file) => before.has(file.version) && before.get(file.version)!.sha256 !== file.sha256),
    removed: base.filter((file) => !after.has(file.version)).map((file) => file.fileName),
  };
}

export function sameMigrations(base: readonly MigrationFile[], now: readonly MigrationFile[]): boolean {
  const changes = compareMigrations(base, now);
  return changes.added.length === 0 && changes.edited.length === 0 && changes.removed.length === 0;
}
