/**
 * The adoption step of a stack run: look at what the database server already holds (existingObjects.ts), decide what
 * to import (adoptionPlan.ts). program.ts calls it before the stack declares anything; the offline plan never does.
 */
import type { ControlPlane, Tenant } from "../../src/core/model";
import { type DatabaseServerSettings, resolveDatabaseServer } from "../context/databaseServerConfig";
import {
  type AdoptionConsent,
  type AdoptionPlan,
  adoptionPlan,
  sharedDatabaseImport,
  sharedDatabaseResourceName,
} from "./adoptionPlan";
import { findExistingObjects, findSharedDatabase } from "./existingObjects";

export async function tenantAdoption(
  tenant: Tenant,
  servers: DatabaseServerSettings,
  consent: AdoptionConsent,
): Promise<AdoptionPlan> {
  const server = resolveDatabaseServer(tenant.database.server, servers);
  const existing = await findExistingObjects(tenant, server, { otherIsolation: consent.adopt });
  return adoptionPlan(tenant, existing, consent);
}

/** Import ids of the control-plane stack's shared databases, by server name (`shared-<server>`). */
export async function sharedDatabaseImports(
  controlPlane: ControlPlane,
  servers: DatabaseServerSettings,
  consent: AdoptionConsent,
): Promise<Record<string, string>> {
  const imports: Record<string, string> = {};
  for (const server of controlPlane.databaseServers) {
    const { exists, holdsTenantSchemas } = await findSharedDatabase(server, resolveDatabaseServer(server, servers));
    const id = sharedDatabaseImport(
      exists,
      holdsTenantSchemas,
      server.sharedDatabase,
      sharedDatabaseResourceName(server.name),
      consent,
    );
    if (id) imports[server.name] = id;
  }
  return imports;
}
