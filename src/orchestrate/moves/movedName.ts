/**
 * The names a move gives what it leaves behind, pure: the old copy becomes `<name>_moved_<yyyymmddhhmmss>` (UTC), the
 * database a schema is renamed in `<name>_staging_<...>`, both within PostgreSQL's 63 bytes (longer identifiers are
 * silently truncated by the server, which could make two of them one). And the statement that drops the old copy,
 * which the report prints for an administrator to run once satisfied: tenantctl never drops it.
 */
import type { DataLocation } from "../../core/location";

/** PostgreSQL's NAMEDATALEN - 1. */
export const MAX_IDENTIFIER_BYTES = 63;

export function moveStamp(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** `<name>_<word>_<yyyymmddhhmmss>`, the name cut (never the stamp) to fit 63 bytes. */
export function markedName(name: string, word: "moved" | "staging", at: Date): string {
  const suffix = `_${word}_${moveStamp(at)}`;
  let head = name;
  while (Buffer.byteLength(head + suffix, "utf8") > MAX_IDENTIFIER_BYTES) head = head.slice(0, -1);
  return head + suffix;
}

export function movedName(name: string, at: Date): string {
  return markedName(name, "moved", at);
}

/** The database or schema that holds the data at `location`: what is renamed when it is left. */
export function containerOf(location: DataLocation): { kind: "database" | "schema"; name: string; database: string } {
  return location.schema === "public"
    ? { kind: "database", name: location.database, database: location.database }
    : { kind: "schema", name: location.schema, database: location.database };
}

/** `DROP DATABASE "tenant_acme_moved_20261205093000";` or `DROP SCHEMA ... CASCADE;` to run in the shared database. */
export function dropStatement(left: DataLocation, renamedTo: string): string {
  const container = containerOf(left);
  const quoted = `"${renamedTo.replace(/"/g, '""')}"`;
  return container.kind === "database"
    ? `DROP DATABASE ${quoted};  -- on server ${left.server}`
    : `DROP SCHEMA ${quoted} CASCADE;  -- in database ${container.database} on server ${left.server}`;
}
