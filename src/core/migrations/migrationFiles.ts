/**
 * The migrations folder (template `migrations: { dir }`, default `migrations/`): ordered SQL files `0001_<name>.sql`,
 * versions 1, 2, 3… with none missing and none twice, so that "which version is a tenant on" has one answer. Like the
 * loader, reading never throws for a user's mistake: each one comes back as a diagnostic that points at the file.
 */
import { createHash } from "node:crypto";
import type { Diagnostic } from "../diagnostics";

/** The first line that makes a migration run outside a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE). */
export const NO_TRANSACTION_MARK = "-- tenantctl: no-transaction";

/** Where migrations are when the template does not say (`migrations/` beside `tenants/`). */
export const DEFAULT_MIGRATIONS_DIR = "migrations";

const FILE_NAME = /^(\d{4,})_([a-z0-9][a-z0-9_]*)\.sql$/;

export interface MigrationFile {
  /** 1, 2, 3… from the file name's number. */
  readonly version: number;
  /** The part of the file name after the number, without `.sql`: `users`. */
  readonly name: string;
  /** `0001_users.sql`: what the tenant's `tenantctl_migrations` table records, with its checksum. */
  readonly fileName: string;
  /** Relative to the working directory, for messages. */
  readonly file: string;
  /** Hex SHA-256 of the file's bytes: an applied migration whose file changed since is drift. */
  readonly sha256: string;
  /** Its first line is `-- tenantctl: no-transaction`. */
  readonly noTransaction: boolean;
  readonly sql: string;
}

/** The files of a migrations folder, wherever they are read from: the disk, or a git commit (`plan --base`). */
export interface MigrationSource {
  /** Every file name in the folder, or undefined when there is no folder. */
  readonly names: readonly string[] | undefined;
  read(name: string): Uint8Array;
}

export interface MigrationSet {
  readonly files: readonly MigrationFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads and checks the folder. `display` turns a file name into the path messages show; `required` says the template
 * named the folder, so its absence is a mistake (the default folder may simply not exist: no migrations).
 */
export function readMigrations(
  source: MigrationSource,
  display: (name: string) => string,
  options: { readonly required: boolean; readonly templateFile: string },
): MigrationSet {
  const diagnostics: Diagnostic[] = [];
  const problem = (file: string, message: string, fix: string) =>
    diagnostics.push({ file, line: 1, column: 1, path: "", severity: "error", rule: "migrationFiles", message, fix });
  if (source.names === undefined) {
    if (options.required)
      diagnostics.push({
        file: options.templateFile,
        line: 1,
        column: 1,
        path: "migrations.dir",
        severity: "error",
        rule: "migrationFiles",
        message: `the migrations folder ${display("")} does not exist`,
        fix: "create it, or point `migrations.dir` at the folder that holds the `0001_<name>.sql` files",
      });
    return { files: [], diagnostics };
  }
  const byVersion = new Map<number, MigrationFile[]>();
  for (const fileName of [...source.names].sort()) {
    if (!fileName.endsWith(".sql")) continue;
    const file = display(fileName);
    const match = FILE_NAME.exec(fileName);
    if (!match) {
      problem(
        file,
        `${fileName} is not named like a migration`,
        "name it `<number>_<name>.sql` with a zero-padded number and a lowercase name, e.g. `0004_add_invoices.sql`",
      );
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = source.read(fileName);
    } catch (error) {
      problem(file, `cannot read ${fileName}: ${(error as Error).message}`, "make the file readable");
      continue;
    }
    const sql = new TextDecoder().decode(bytes);
    if (sql.trim() === "") {
      problem(file, `${fileName} is empty`, "write the migration's SQL in it, or remove the file");
      continue;
    }
    const migration: MigrationFile = {
      version: Number(match[1]),
      name: match[2]!,
      fileName,
      file,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      noTransaction: sql.split(/\r?\n/, 1)[0]!.trim() === NO_TRANSACTION_MARK,
      sql,
    };
    byVersion.set(migration.version, [...(byVersion.get(migration.version) ?? []), migration]);
  }
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  const files: MigrationFile[] = [];
  for (const [index, version] of versions.entries()) {
    const same = byVersion.get(version)!;
    if (same.length > 1) {
      for (const migration of same)
        problem(
          migration.file,
          `version ${version} is used by ${same.map((m) => m.fileName).join(" and ")}`,
          `give each migration its own number: renumber the newer one after the last (${String(versions[versions.length - 1]! + 1).padStart(4, "0")})`,
        );
      continue;
    }
    const expected = (versions[index - 1] ?? 0) + 1;
    if (version !== expected)
      problem(
        same[0]!.file,
        version === 0
          ? `${same[0]!.fileName}: versions start at 1`
          : `${same[0]!.fileName}: version ${expected} is missing before it (versions run 1, 2, 3… with none left out)`,
        version === 0
          ? "number the first migration 0001"
          : `restore the migration numbered ${String(expected).padStart(4, "0")}, or renumber this one ${String(expected).padStart(4, "0")}`,
      );
    files.push(same[0]!);
  }
  return { files: diagnostics.length === 0 ? files : [], diagnostics };
}

/** The latest version of a set of migrations (0: none). */
export function latestVersion(files: readonly MigrationFile[]): number {
  return files.reduce((latest, file) => Math.max(latest, file.version), 0);
}
