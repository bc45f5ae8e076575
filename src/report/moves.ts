/**
 * How every report names a tenant whose data moves (DESIGN.md, "Moves"): one line of text, `{from, to}` in JSON, and
 * a count in the headline. A move is never left to read as a database added and a schema removed.
 */
import { type DataLocation, type DataSize, describeDataSize, describeMove } from "../core/location";

/** A move as a report carries it on its tenant; `data` when the old location could be measured (`preview`). */
export interface TenantMove {
  readonly from: DataLocation;
  readonly to: DataLocation;
  readonly data?: DataSize;
}

/** `move initech: schema tenant_initech in tenants@primary → database tenant_initech@primary (3 tables, 48.0 KiB)`. */
export function moveLine(slug: string, move: TenantMove): string {
  return `${describeMove({ slug, from: move.from, to: move.to })}${move.data ? ` (${describeDataSize(move.data)})` : ""}`;
}

/** `1 tenant moves`, `2 tenants move`. */
export function movesCount(count: number): string {
  return count === 1 ? "1 tenant moves" : `${count} tenants move`;
}

/** `"move": {"from": {...}, "to": {...}}` and, when measured, `"data": {"tables", "bytes"}`. */
export function moveJson(move: TenantMove): Record<string, unknown> {
  return { from: move.from, to: move.to, ...(move.data ? { data: move.data } : {}) };
}
