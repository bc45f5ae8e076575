/**
 * The journal of a tenant's data move, kept where a SIGKILL cannot lose it: the COMMENT of the tenant's role, on the
 * server that holds the data. A comment is written in the same transaction as what it records (the login taken away,
 * the old copy renamed), so the journal and the world never disagree, and it is read with the role itself, by every
 * run that looks at the tenant (tenantctl's move step and the program, which refuses to deploy over a move under way).
 * Pure: the comment's text in and out.
 *
 * Phases:
 * - `copying`: the login is off and the copy may have begun; the old location is still the tenant's data. A run that
 *   finds this rolls back: the partial copy named here is dropped, the login is restored as recorded, the comment too.
 * - `switched`: the copy was verified and the old location renamed to `movedName` in one transaction; the new one is
 *   the tenant's data. A run that finds this finishes: login restored, the comment too.
 */
import type { DataLocation } from "../../src/core/location";

export const JOURNAL_PREFIX = "tenantctl-move:";

export type MovePhase = "copying" | "switched";

export interface MoveJournal {
  readonly phase: MovePhase;
  readonly from: DataLocation;
  readonly to: DataLocation;
  /** Whether the role could log in before the move: restored exactly. */
  readonly login: boolean;
  /** The role's comment before the move (null: none): restored exactly. */
  readonly comment: string | null;
  /** What the old database or schema is renamed to (`<name>_moved_<yyyymmddhhmmss>`). */
  readonly movedName: string;
  /** A database made only to rename a schema in (database → schema), dropped once the copy is done. */
  readonly staging?: string;
  /** ISO time the writes stopped. */
  readonly startedAt: string;
}

export function journalComment(journal: MoveJournal): string {
  return `${JOURNAL_PREFIX}${JSON.stringify(journal)}`;
}

/** The journal a role's comment holds, or undefined when it holds none (any other comment is the user's). */
export function parseJournal(comment: string | null | undefined): MoveJournal | undefined {
  if (!comment?.startsWith(JOURNAL_PREFIX)) return undefined;
  try {
    const value = JSON.parse(comment.slice(JOURNAL_PREFIX.length)) as Partial<MoveJournal>;
    const isLocation = (location: unknown): location is DataLocation =>
      typeof location === "object" &&
      location !== null &&
      ["server", "database", "schema"].every((key) => typeof (location as Record<string, unknown>)[key] === "string");
    if (
      (value.phase !== "copying" && value.phase !== "switched") ||
      !isLocation(value.from) ||
      !isLocation(value.to) ||
      typeof value.login !== "boolean" ||
      typeof value.movedName !== "string"
    ) {
      return undefined;
    }
    return {
      phase: value.phase,
      from: value.from,
      to: value.to,
      login: value.login,
      comment: typeof value.comment === "string" ? value.comment : null,
      movedName: value.movedName,
      ...(typeof value.staging === "string" ? { staging: value.staging } : {}),
      startedAt: typeof value.startedAt === "string" ? value.startedAt : "",
    };
  } catch {
    return undefined;
  }
}
