/**
 * Where a tenant's data lives, and what it means for that place to change. Pure: the offline plan compares two
 * resolved fleets with it, a run compares a stack's last deployment with the files, and the move itself
 * (src/orchestrate/moves) copies from one location to the other.
 */
import type { Tenant } from "./model";

/** The database and schema that hold a tenant's tables, on one of the template's database servers. */
export interface DataLocation {
  /** The key under `database.servers` in the template. */
  readonly server: string;
  readonly database: string;
  readonly schema: string;
}

/** A tenant whose data location changes: its data must be copied, verified and switched, never stranded. */
export interface Move {
  readonly slug: string;
  readonly from: DataLocation;
  readonly to: DataLocation;
}

export function dataLocationOf(tenant: Pick<Tenant, "database">): DataLocation {
  const { server, databaseName, schemaName } = tenant.database;
  return { server: server.name, database: databaseName, schema: schemaName };
}

/**
 * A location as a stack output holds it (infra/stacks.ts, `dataLocation`), or undefined when the value is not one (a
 * stack deployed before the output existed, a control-plane stack).
 */
export function parseDataLocation(value: unknown): DataLocation | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { server, database, schema } = value as Record<string, unknown>;
  if (typeof server !== "string" || typeof database !== "string" || typeof schema !== "string") return undefined;
  return { server, database, schema };
}

export function sameLocation(a: DataLocation, b: DataLocation): boolean {
  return a.server === b.server && a.database === b.database && a.schema === b.schema;
}

/** The move a tenant makes from `before` to `after`, or undefined when its data stays where it is. */
export function moveBetween(slug: string, before: DataLocation, after: DataLocation): Move | undefined {
  return sameLocation(before, after) ? undefined : { slug, from: before, to: after };
}

/**
 * `schema tenant_initech in tenants@primary` or `database tenant_initech@primary`: how reports name a location
 * (DESIGN.md, "Moves"). A tenant with its own database keeps its data in that database's `public` schema.
 */
export function describeLocation(location: DataLocation): string {
  return location.schema === "public"
    ? `database ${location.database}@${location.server}`
    : `schema ${location.schema} in ${location.database}@${location.server}`;
}

export function describeMove(move: Move): string {
  return `move ${move.slug}: ${describeLocation(move.from)} → ${describeLocation(move.to)}`;
}

/** What a tenant's data at its old location holds, measured by the server (`preview`, where credentials exist). */
export interface DataSize {
  readonly tables: number;
  /** Tables with their indexes and TOAST (`pg_total_relation_size`). */
  readonly bytes: number;
}

/** `12 tables, 1.5 MiB`. */
export function describeDataSize(size: DataSize): string {
  return `${size.tables} table${size.tables === 1 ? "" : "s"}, ${humanBytes(size.bytes)}`;
}

/** Binary units, one decimal above bytes: `0 B`, `8.0 KiB`, `1.5 MiB`. */
export function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
