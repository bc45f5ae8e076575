/**
 * Applies a tenant's migrations, on an admin connection to the tenant's database: as the tenant's role (`SET ROLE`,
 * so every object is the tenant's and nothing is reachable that the tenant could not reach), in the tenant's schema
 * (`search_path`), each migration in one transaction with its row in the tenant's `tenantctl_migrations` table (version,
 * name, sha256, applied_at, seconds), unless its first line is `-- tenantctl: no-transaction`. An advisory lock on the
 * tenant's schema makes two runs (a `migrate` and a stack's `up`) take turns, and the table says what is done, so a run
 * killed at any point applies nothing twice the next time.
 *
 * Our own code, not a library's (README, "Migrations"): node-pg-migrate keeps no checksums (an edited applied file goes
 * unseen), and @clickup/pg-mig keeps versions in a function per schema, runs `psql` as one DDL user rather than each
 * tenant's role, and owns the fleet loop that waves, stack locks and our reports need to own.
 *
 * A self-contained factory like ../settings/store.ts: the stack's migrations resource (provider.ts) ships its source
 * (../prebuilt.ts), and `tenantctl migrate` calls the same function with a pooled connection.
 */
import type { Client, PoolClient } from "pg";

/** What the runner needs of a migration file (src/core/migrations/migrationFiles.ts). */
export interface MigrationToApply {
  readonly version: number;
  readonly name: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly noTransaction: boolean;
  readonly sql: string;
}

/** Where a tenant's data is, and whose it is. */
export interface MigrationTarget {
  readonly slug: string;
  readonly database: string;
  readonly schema: string;
  readonly role: string;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly sha256: string;
}

export function migrationRunner() {
  const TABLE = "tenantctl_migrations";
  /** The advisory lock's first key: tenantctl's migrations; the second is the schema's hash. */
  const LOCK_CLASS = 0x7e7a;

  /** A migration that failed on a tenant: the file, the line in it, and the database's own words. */
  class MigrationFailed extends Error {
    override readonly name = "MigrationFailed";
    /** The version the tenant is at after the failure, when it was read. */
    at: number | undefined;
    constructor(
      message: string,
      readonly fileName: string | undefined,
      readonly line: number | undefined,
      readonly partial: boolean = false,
    ) {
      super(message);
    }
  }

  type Queryable = Client | PoolClient;

  function ident(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  /**
   * The statements of a SQL file, each with the line it starts on, split at the semicolons that end statements
   * (not those inside quotes, dollar quotes or comments): statements run one by one, so that a failure names its line
   * and a no-transaction file can hold CREATE INDEX CONCURRENTLY (a multi-statement query is a transaction of its own).
   */
  function splitStatements(sql: string): { text: string; line: number }[] {
    const statements: { text: string; line: number }[] = [];
    let start = -1;
    let line = 1;
    let startLine = 1;
    const push = (end: number) => {
      if (start >= 0) statements.push({ text: sql.slice(start, end), line: startLine });
      start = -1;
    };
    const begin = (i: number) => {
      if (start < 0) {
        start = i;
        startLine = line;
      }
    };
    for (let i = 0; i < sql.length; ) {
      const c = sql[i]!;
      const next = sql[i + 1];
      if (c === "\n") {
        line++;
        i++;
      } else if (/\s/.test(c)) i++;
      else if (c === "-" && next === "-") {
        while (i < sql.length && sql[i] !== "\n") i++;
      } else if (c === "/" && next === "*") {
        let depth = 0;
        do {
          if (sql[i] === "/" && sql[i + 1] === "*") {
            depth++;
            i += 2;
          } else if (sql[i] === "*" && sql[i + 1] === "/") {
            depth--;
            i += 2;
          } else {
            if (sql[i] === "\n") line++;
            i++;
          }
        } while (depth > 0 && i < sql.length);
      } else if (c === ";") {
        push(i);
        i++;
      } else if (c === "'" || c === '"') {
        begin(i);
        // E'…' strings take backslash escapes; elsewhere a quote is escaped by doubling it.
        const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? "") && !/[\w$]/.test(sql[i - 2] ?? "");
        i++;
        while (i < sql.length) {
          if (sql[i] === "\n") line++;
          if (escapes && sql[i] === "\\") i += 2;
          else if (sql[i] === c && sql[i + 1] === c) i += 2;
          else if (sql[i] === c) {
            i++;
            break;
          } else i++;
        }
      } else if (c === "$" && !/[\w$]/.test(sql[i - 1] ?? "")) {
        begin(i);
        const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
        if (!tag) {
          i++;
          continue;
        }
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? sql.length : close + tag[0].length;
        for (let j = i; j < end; j++) if (sql[j] === "\n") line++;
        i = end;
      } else {
        begin(i);
        i++;
      }
    }
    push(sql.length);
    return statements;
  }

  /** The line of a 1-based character position inside a statement that starts on `line`. */
  function lineOf(statement: { text: string; line: number }, position: number | undefined): number {
    if (!position || position < 1) return statement.line;
    return statement.line + (statement.text.slice(0, position - 1).match(/\n/g)?.length ?? 0);
  }

  function databaseWords(error: unknown): string {
    const e = error as { message?: string; detail?: string; hint?: string; code?: string };
    return [e.message ?? String(error), e.detail ? `DETAIL: ${e.detail}` : "", e.hint ? `HINT: ${e.hint}` : ""]
      .filter(Boolean)
      .join("; ");
  }

  /** The rows of the tenant's `tenantctl_migrations`, by version; none when the table does not exist yet. */
  async function appliedMigrations(client: Queryable, target: MigrationTarget): Promise<AppliedMigration[]> {
    const table = `${ident(target.schema)}.${TABLE}`;
    const exists = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [table]);
    if (!exists.rows[0]?.exists) return [];
    const rows = await client.query<AppliedMigration>(`SELECT version, name, sha256 FROM ${table} ORDER BY version`);
    return rows.rows.map((row) => ({ version: Number(row.version), name: row.name, sha256: row.sha256 }));
  }

  /**
   * How what a tenant applied compares with the files: files not applied yet (`missing`), applied versions with no
   * file (`unknown`), and applied files changed since (`edited`). What `drift` reports, and what `migrate` refuses.
   */
  function compareApplied(applied: readonly AppliedMigration[], files: readonly MigrationToApply[]) {
    const byVersion = new Map(files.map((file) => [file.version, file]));
    const done = new Set(applied.map((row) => row.version));
    return {
      missing: files.filter((file) => !done.has(file.version)).map((file) => file.fileName),
      unknown: applied.filter((row) => !byVersion.has(row.version)).map((row) => fileNameOf(row)),
      edited: applied
        .filter((row) => byVersion.has(row.version) && byVersion.get(row.version)!.sha256 !== row.sha256)
        .map((row) => byVersion.get(row.version)!.fileName),
    };
  }

  function fileNameOf(row: AppliedMigration): string {
    return `${String(row.version).padStart(4, "0")}_${row.name}.sql`;
  }

  /**
   * Brings the tenant to `to` (default: the latest file), on a connection to its database. Returns the version before
   * and after and what it applied. The connection is left as it was found (role, search_path, no lock held).
   */
  async function migrateTenant(
    client: Queryable,
    target: MigrationTarget,
    files: readonly MigrationToApply[],
    options: { readonly to?: number; readonly lockTimeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<{ from: number; to: number; applied: { fileName: string; seconds: number }[]; interrupted?: boolean }> {
    const to = options.to ?? files.reduce((latest, file) => Math.max(latest, file.version), 0);
    const lockTimeout = Math.max(1, Math.round(options.lockTimeoutMs ?? 300_000));
    await client.query(`SET lock_timeout = ${lockTimeout}`);
    try {
      await client.query("SELECT pg_advisory_lock($1, hashtext($2))", [LOCK_CLASS, target.schema]);
    } catch (error) {
      await client.query("RESET lock_timeout").catch(() => undefined);
      if ((error as { code?: string }).code === "55P03")
        throw new MigrationFailed(
          `another run has been migrating ${target.slug} for longer than the lock timeout (${lockTimeout / 1000} s): try again once it ended`,
          undefined,
          undefined,
        );
      throw error;
    }
    try {
      await client.query("RESET lock_timeout");
      try {
        await client.query(`SET ROLE ${ident(target.role)}`);
      } catch (error) {
        throw new MigrationFailed(
          `cannot act as role ${target.role}: ${databaseWords(error)} (the admin must be a superuser or a member of it)`,
          undefined,
          undefined,
        );
      }
      await client.query(`SET search_path TO ${ident(target.schema)}, public`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${ident(target.schema)}.${TABLE} (
           version integer PRIMARY KEY,
           name text NOT NULL,
           sha256 text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now(),
           seconds double precision NOT NULL
         )`,
      );
      const applied = await appliedMigrations(client, target);
      const from = applied.reduce((latest, row) => Math.max(latest, row.version), 0);
      let reached = from;
      try {
        const { unknown, edited } = compareApplied(applied, files);
        if (unknown.length > 0)
          throw new MigrationFailed(
            `${target.slug} has applied ${unknown.join(", ")}, which the migrations folder does not hold: restore the file (renamed or deleted?) before migrating it further`,
            unknown[0],
            undefined,
          );
        if (edited.length > 0)
          throw new MigrationFailed(
            `${edited.join(", ")} changed after ${target.slug} applied it (its sha256 differs from the one recorded): restore the file as it was and put the change in a new migration`,
            edited[0],
            undefined,
          );
        if (from > to)
          throw new MigrationFailed(
            `${target.slug} is at version ${from}, above --to ${to}: migrations only go forward`,
            undefined,
            undefined,
          );
        const done = new Set(applied.map((row) => row.version));
        const pending = files.filter((file) => file.version <= to && !done.has(file.version));
        const ran: { fileName: string; seconds: number }[] = [];
        for (const file of [...pending].sort((a, b) => a.version - b.version)) {
          // Ctrl-C: the migration in flight ends (committed or rolled back), the next one does not start.
          if (options.signal?.aborted) return { from, to: reached, applied: ran, interrupted: true };
          if (file.version < from)
            throw new MigrationFailed(
              `${file.fileName} is not applied on ${target.slug}, but a later version (${from}) is: renumber it after the last migration`,
              file.fileName,
              1,
            );
          ran.push(await applyOne(client, target, file));
          reached = file.version;
        }
        return { from, to: reached, applied: ran };
      } catch (error) {
        if (error instanceof MigrationFailed) error.at = reached;
        throw error;
      }
    } finally {
      await client.query("RESET ROLE").catch(() => undefined);
      await client.query("RESET search_path").catch(() => undefined);
      await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_CLASS, target.schema]).catch(() => {
        // A connection that broke holds no lock any more.
      });
    }
  }

  async function applyOne(
    client: Queryable,
    target: MigrationTarget,
    file: MigrationToApply,
  ): Promise<{ fileName: string; seconds: number }> {
    const started = Date.now();
    const statements = splitStatements(file.sql);
    const record = () =>
      client.query(
        `INSERT INTO ${ident(target.schema)}.${TABLE} (version, name, sha256, seconds) VALUES ($1, $2, $3, $4)`,
        [file.version, file.name, file.sha256, (Date.now() - started) / 1000],
      );
    if (!file.noTransaction) await client.query("BEGIN");
    let ranAny = false;
    try {
      for (const statement of statements) {
        try {
          await client.query(statement.text);
          ranAny = true;
        } catch (error) {
          const line = lineOf(statement, Number((error as { position?: string }).position) || undefined);
          const partial = file.noTransaction && ranAny;
          throw new MigrationFailed(
            `${file.fileName}:${line}: ${databaseWords(error)}${
              file.noTransaction
                ? partial
                  ? ` (a no-transaction migration: the statements before line ${statement.line} stay applied; make the file safe to run again, then rerun)`
                  : ""
                : ` (rolled back: ${target.slug} stays at the version before)`
            }`,
            file.fileName,
            line,
            partial,
          );
        }
      }
      await record();
      if (!file.noTransaction) await client.query("COMMIT");
    } catch (error) {
      if (!file.noTransaction) await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
    return { fileName: file.fileName, seconds: (Date.now() - started) / 1000 };
  }

  return { TABLE, MigrationFailed, splitStatements, appliedMigrations, compareApplied, migrateTenant, fileNameOf };
}

export type MigrationRunner = ReturnType<typeof migrationRunner>;
