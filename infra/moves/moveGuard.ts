/**
 * What the catalogs (tenantDataPlaces.ts) mean for a stack run, pure: whether the tenant's data must move before the
 * stack may switch to where the files put it, and the one line the program run by hand (`pulumi up -s <slug>`) refuses
 * with, since only tenantctl copies and verifies data. Never deploying then is what keeps the data from being stranded:
 * a stack that switched without the copy would point the tenant at an empty database, its data left behind.
 */
import { type DataLocation, dataLocationOf, describeLocation, type Move, sameLocation } from "../../src/core/location";
import type { Tenant } from "../../src/core/model";
import { type DatabaseServerSettings, resolveDatabaseServer } from "../context/databaseServerConfig";
import { findTenantData, type TenantDataPlaces } from "./tenantDataPlaces";

/**
 * The move `up` must make: the data is marked somewhere other than `target` and not at `target`. Undefined when it is
 * already there, when there is none yet (a new tenant), or when a journal says a move is under way (finished or rolled
 * back first, see moveJournal.ts).
 */
export function pendingMove(slug: string, target: DataLocation, places: TenantDataPlaces): Move | undefined {
  if (places.role?.journal) return undefined;
  if (places.marked.some((location) => sameLocation(location, target))) return undefined;
  const from = places.marked[0];
  return from ? { slug, from, to: target } : undefined;
}

/** Why the program run by hand must not deploy the tenant now, in one line naming the command; undefined: it may. */
export function moveRefusal(slug: string, target: DataLocation, places: TenantDataPlaces): string | undefined {
  const journal = places.role?.journal;
  const command = `\`tenantctl up ${slug}\``;
  if (journal) {
    return `a move of tenant ${slug}'s data (${describeLocation(journal.from)} → ${describeLocation(journal.to)}) was interrupted: run ${command}, which finishes or rolls it back; nothing was deployed`;
  }
  const move = pendingMove(slug, target, places);
  if (move) {
    return `tenant ${slug}'s data is in ${describeLocation(move.from)} and its file puts it in ${describeLocation(move.to)}: run ${command}, which copies and verifies it before the stack switches; nothing was deployed`;
  }
  return undefined;
}

/** moveRefusal for the tenant's server as the catalogs have it now. */
export async function moveRefusalFor(tenant: Tenant, servers: DatabaseServerSettings): Promise<string | undefined> {
  const places = await findTenantData(tenant, resolveDatabaseServer(tenant.database.server, servers));
  return moveRefusal(tenant.slug, dataLocationOf(tenant), places);
}
