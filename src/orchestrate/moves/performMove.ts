/**
 * A move of a tenant's data, step by step, each step recorded in the journal on the tenant's role (infra/moves/
 * moveJournal.ts) in the same transaction as what it does, so that a run killed at any point leaves a state the next run
 * finishes or rolls back:
 *
 * 1. writes stop: the role loses LOGIN (its state before is journalled) and its sessions are ended;
 * 2. the copy (copyTenantData.ts) into the new database or schema, owned by the role;
 * 3. the verification (fingerprint.ts): per table rows and content hash, per sequence its value, every object; any
 *    difference aborts, and the partial copy is dropped (the old location was only read);
 * 4. the switch: the old database or schema is renamed `<name>_moved_<stamp>`, given to the admin, and the role's
 *    rights on it are revoked, in one transaction with the journal's `switched`;
 * then the stack runs (it takes the new location back through the import of a retained tenant's marked data), and
 * 5. the login comes back as it was, with the role's own comment (finishMove).
 */
import type { Client } from "pg";
import { type DataLocation, describeLocation, type Move } from "../../core/location";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { journalComment, type MoveJournal, parseJournal } from "../../../infra/moves/moveJournal";
import type { ClientTools } from "../../postgres/clientTools";
import { ident, inTransaction, literal, withAdmin } from "./adminSql";
import { copyTenantData, dropStaging } from "./copyTenantData";
import { fingerprintDifferences, fingerprintSchema, type SchemaFingerprint, totalRows } from "./fingerprint";
import { containerOf, dropStatement, markedName, movedName } from "./movedName";

export interface MoveSetting {
  readonly role: string;
  /** Extensions the tenant file asks for (created in a new database). */
  readonly extensions: readonly string[];
  /** The admin connection of a server of the template, by name. */
  readonly server: (name: string) => ResolvedDatabaseServer;
  readonly tools: (server: ResolvedDatabaseServer) => Promise<ClientTools>;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly note?: (line: string) => void;
  /**
   * Test-only (TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL): SQL run as the admin in the old location's database after the
   * copy and before the verification, to change data behind the copy or to hold the move there.
   */
  readonly beforeVerifySql?: string;
}

/** A move that switched: the data is at `journal.to`; the login is still off until finishMove. */
export interface SwitchedMove {
  readonly journal: MoveJournal;
  readonly rows: number;
  readonly tables: number;
  readonly bytes: number;
  /** When the writes stopped (ms since the epoch). */
  readonly stoppedAt: number;
  /** The statement an administrator runs to drop the old copy once satisfied. */
  readonly drop: string;
}

/** A move that did not switch: the tenant is on its old location, its login back as it was, the partial copy gone. */
export class MoveAborted extends Error {
  override readonly name = "MoveAborted";
}

export async function performMove(
  move: Move,
  role: { login: boolean; comment: string | null },
  setting: MoveSetting,
): Promise<SwitchedMove> {
  const now = setting.now ?? (() => new Date());
  const fromServer = setting.server(move.from.server);
  const toServer = setting.server(move.to.server);
  const from = containerOf(move.from);
  const target = containerOf(move.to);
  const startedAt = now();
  if (await containerExists(toServer, move.to)) {
    throw new MoveAborted(
      `${target.kind} ${target.name} already exists on server ${move.to.server} and is not the tenant's data (no settings table of its role in it): rename or drop it, then run up again; nothing was changed`,
    );
  }
  const journal: MoveJournal = {
    phase: "copying",
    from: move.from,
    to: move.to,
    login: role.login,
    comment: role.comment,
    movedName: movedName(from.name, startedAt),
    ...(from.kind === "database" && target.kind === "schema"
      ? { staging: markedName(target.name, "staging", startedAt) }
      : {}),
    startedAt: startedAt.toISOString(),
  };
  setting.note?.(`stopping writes (role ${setting.role} NOLOGIN, its sessions ended)`);
  const stoppedAt = Date.now();
  await stopWrites(fromServer, setting.role, journal, from.kind === "database" ? from.name : undefined);
  if (toServer.name !== fromServer.name) await stopWrites(toServer, setting.role, journal, undefined);
  try {
    const tools = await setting.tools(fromServer);
    setting.note?.(`copying ${describeLocation(move.from)} → ${describeLocation(move.to)}`);
    // The old location is fingerprinted as soon as pg_dump has read it, while pg_restore still builds indexes: a change
    // made behind the copy before that shows as a difference, and the verification costs less of the write pause.
    let originalPrint: Promise<SchemaFingerprint> | undefined;
    const fingerprintOriginal = () => {
      originalPrint ??= (async () => {
        if (setting.beforeVerifySql) {
          setting.note?.("running the test hook before verification (TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL)");
          await withAdmin(fromServer, move.from.database, (client) => client.query(setting.beforeVerifySql!));
        }
        return withAdmin(fromServer, move.from.database, (client) => fingerprintSchema(client, move.from.schema));
      })();
      // Awaited below; a copy that fails first must not leave it rejecting unheard.
      originalPrint.catch(() => undefined);
      return originalPrint;
    };
    await copyTenantData({
      from: move.from,
      to: move.to,
      fromServer,
      toServer,
      role: setting.role,
      extensions: setting.extensions,
      staging: journal.staging ?? "",
      tools,
      onSourceRead: fingerprintOriginal,
      ...(setting.signal ? { signal: setting.signal } : {}),
    });
    throwIfAborted(setting.signal);
    setting.note?.("verifying the copy: rows, content hashes, sequences, objects");
    const [original, copy] = await Promise.all([
      fingerprintOriginal(),
      withAdmin(toServer, move.to.database, (client) => fingerprintSchema(client, move.to.schema)),
    ]);
    const differences = fingerprintDifferences(original, copy);
    if (differences.length > 0) {
      throw new Error(
        `the copy differs from the original: ${differences.slice(0, 5).join("; ")}${differences.length > 5 ? `; and ${differences.length - 5} more` : ""}`,
      );
    }
    throwIfAborted(setting.signal);
    const switched: MoveJournal = { ...journal, phase: "switched" };
    await switchTo(fromServer, setting.role, switched);
    // The old server's journal decides (journalOfRecord); the new server's is brought in line for the program's eyes.
    if (toServer.name !== fromServer.name) await writeJournal(toServer, setting.role, switched);
    setting.note?.(`switched: the old copy is ${from.kind} ${journal.movedName}, out of the tenant's reach`);
    return {
      journal: switched,
      rows: totalRows(original),
      tables: Object.keys(original.tables).length,
      bytes: original.bytes,
      stoppedAt,
      drop: dropStatement(move.from, journal.movedName),
    };
  } catch (error) {
    const reason = (error as Error).message;
    try {
      await rollBack(journal, setting);
    } catch (rollbackError) {
      throw new MoveAborted(
        `${reason}; and rolling back failed too (${(rollbackError as Error).message}): the journal on role ${setting.role} is kept, the next \`tenantctl up\` of the tenant rolls it back`,
      );
    }
    throw new MoveAborted(
      `${reason}; the move was rolled back: the tenant stays on ${describeLocation(move.from)}, intact, its login as it was, the partial copy dropped`,
    );
  }
}

/**
 * Undoes a move that did not switch: the partial copy (and a staging database) dropped, then the role's login and
 * comment restored as the journal says, which also clears the journal. Only a `copying` journal is rolled back: once
 * switched, the new location is the tenant's data.
 */
export async function rollBack(journal: MoveJournal, setting: MoveSetting): Promise<void> {
  if (journal.phase !== "copying") throw new Error(`a switched move is finished, never rolled back`);
  const toServer = setting.server(journal.to.server);
  const target = containerOf(journal.to);
  if (journal.staging) await dropStaging(toServer, journal.staging);
  // The move refused to start when the target existed, so what is there now is the partial copy.
  if (target.kind === "database")
    await withAdmin(toServer, "postgres", (client) =>
      client.query(`DROP DATABASE IF EXISTS ${ident(target.name)} WITH (FORCE)`),
    );
  else
    await withAdmin(toServer, journal.to.database, (client) =>
      client.query(`DROP SCHEMA IF EXISTS ${ident(target.name)} CASCADE`),
    );
  await finishMove(journal, setting);
}

/** The login back exactly as it was before the move, and the role's own comment: the journal is gone. */
export async function finishMove(journal: MoveJournal, setting: MoveSetting): Promise<void> {
  const restore = async (server: ResolvedDatabaseServer, login: boolean) =>
    withAdmin(server, "postgres", (client) =>
      inTransaction(client, async () => {
        await client.query(`ALTER ROLE ${ident(setting.role)} ${login ? "LOGIN" : "NOLOGIN"}`);
        await client.query(
          `COMMENT ON ROLE ${ident(setting.role)} IS ${journal.comment === null ? "NULL" : literal(journal.comment)}`,
        );
      }),
    );
  const fromServer = setting.server(journal.from.server);
  const toServer = setting.server(journal.to.server);
  // After a server move the old server's role reaches nothing of the tenant's: it stays without login there.
  if (toServer.name !== fromServer.name) await restore(toServer, journal.login);
  await restore(fromServer, toServer.name === fromServer.name || journal.phase === "copying" ? journal.login : false);
}

async function containerExists(server: ResolvedDatabaseServer, location: DataLocation): Promise<boolean> {
  const container = containerOf(location);
  if (container.kind === "database") {
    return withAdmin(
      server,
      "postgres",
      async (client) =>
        (await client.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", [container.name])).rowCount ===
        1,
    );
  }
  return withAdmin(
    server,
    location.database,
    async (client) =>
      (await client.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [container.name])).rowCount === 1,
  );
}

/**
 * LOGIN off and the journal, in one transaction; then the role's sessions (and, for a database of its own, every
 * session in it: a rename needs it empty) are ended, and awaited. On a server without the role yet (a server move) the
 * role is created without login: the copy's owner.
 */
async function stopWrites(
  server: ResolvedDatabaseServer,
  role: string,
  journal: MoveJournal,
  database: string | undefined,
): Promise<void> {
  await withAdmin(server, "postgres", async (client) => {
    await inTransaction(client, async () => {
      const exists =
        (await client.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [role])).rowCount === 1;
      await client.query(exists ? `ALTER ROLE ${ident(role)} NOLOGIN` : `CREATE ROLE ${ident(role)} NOLOGIN`);
      await client.query(`COMMENT ON ROLE ${ident(role)} IS ${literal(journalComment(journal))}`);
    });
    await endSessions(client, role, database);
  });
}

async function endSessions(client: Client, role: string, database: string | undefined): Promise<void> {
  const sessions = `FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid() AND (usename = $1 OR datname = $2)`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const left = await client.query(`SELECT pg_catalog.pg_terminate_backend(pid) ${sessions}`, [
      role,
      database ?? null,
    ]);
    if (left.rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sessions of role ${role} did not end within 10 s`);
}

/** The old location renamed, given to the admin, out of the role's reach, and the journal `switched`: one transaction. */
async function switchTo(server: ResolvedDatabaseServer, role: string, journal: MoveJournal): Promise<void> {
  const old = containerOf(journal.from);
  const moved = ident(journal.movedName);
  await withAdmin(server, old.kind === "database" ? "postgres" : old.database, async (client) => {
    if (old.kind === "database") await endSessions(client, role, old.name);
    await inTransaction(client, async () => {
      if (old.kind === "database") {
        await client.query(`ALTER DATABASE ${ident(old.name)} RENAME TO ${moved}`);
        await client.query(`ALTER DATABASE ${moved} OWNER TO CURRENT_USER`);
        await client.query(`REVOKE ALL ON DATABASE ${moved} FROM PUBLIC, ${ident(role)}`);
      } else {
        await client.query(`ALTER SCHEMA ${ident(old.name)} RENAME TO ${moved}`);
        await client.query(`ALTER SCHEMA ${moved} OWNER TO CURRENT_USER`);
        await client.query(`REVOKE ALL ON SCHEMA ${moved} FROM PUBLIC, ${ident(role)}`);
      }
      await client.query(`COMMENT ON ROLE ${ident(role)} IS ${literal(journalComment(journal))}`);
    });
  });
}

async function writeJournal(server: ResolvedDatabaseServer, role: string, journal: MoveJournal): Promise<void> {
  await withAdmin(server, "postgres", (client) =>
    client.query(`COMMENT ON ROLE ${ident(role)} IS ${literal(journalComment(journal))}`),
  );
}

/**
 * The journal that decides, given one found on any server: the one on the old location's server, where the switch is
 * recorded with the rename. Undefined: that server holds none any more (the move was finished there).
 */
export async function journalOfRecord(found: MoveJournal, setting: MoveSetting): Promise<MoveJournal | undefined> {
  const server = setting.server(found.from.server);
  const comment = await withAdmin(
    server,
    "postgres",
    async (client) =>
      (
        await client.query<{ comment: string | null }>(
          "SELECT pg_catalog.shobj_description(oid, 'pg_authid') AS comment FROM pg_catalog.pg_roles WHERE rolname = $1",
          [setting.role],
        )
      ).rows[0]?.comment,
  );
  return parseJournal(comment);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error("interrupted (Ctrl-C or SIGTERM)");
}
