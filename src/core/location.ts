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

export function dataLocationOf(tenant: Tenant): DataLocation {
  const { server, databaseName, schemaName } = tenant.database;
  return { server: server.name, database: databaseName, schema: schemaName };
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
