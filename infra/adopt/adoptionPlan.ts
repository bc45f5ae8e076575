/**
 * Which of a tenant's PostgreSQL objects a stack takes over (Pulumi `import`) instead of creating, and which it must
 * refuse: pure, from what the catalogs hold (existingObjects.ts) and what the run consents to. Tested without a server.
 *
 * Three things let a stack import an object that exists under the name it would create:
 * - the object carries tenantctl's mark: the tenant's `tenant_settings` table sits in its database or schema, owned by
 *   its role. That is a tenant whose stack was destroyed (its data retained, as designed) and whose file came back:
 *   `tenantctl up` and `pulumi up -s <slug>` take it back without being asked;
 * - the run is `tenantctl adopt`: everything under tenantctl's names is imported, unless it differs from what the
 *   stack would make (another owner, the other isolation, a role without LOGIN or with powers a tenant role never has),
 *   which is refused, never overwritten;
 * - the object was a pending create of a run of ours that was killed (its stale lock told us): it is ours.
 * Anything else that exists is left alone: its create fails with "already exists", and that message names adopt.
 *
 * Importing an object already in the stack's state is no import at all (the engine compares the import id with the id
 * it holds), so a stack that manages its objects runs exactly as before.
 */
import type { Tenant } from "../../src/core/model";

/** What a run of the stack consents to import: tenantctl hands it to the program (src/orchestrate/run/adoptionConsent.ts). */
export interface AdoptionConsent {
  /** `tenantctl adopt`: import what exists under tenantctl's names when it matches. */
  readonly adopt: boolean;
  /** Logical names of the resources already in the stack's state (adopt only: they are drift, not adoption). */
  readonly managed: ReadonlySet<string>;
  /** Logical names of the pending creates a killed run of ours left in the stack's state. */
  readonly pending: ReadonlySet<string>;
}

export const NO_CONSENT: AdoptionConsent = { adopt: false, managed: new Set(), pending: new Set() };

export interface ExistingRole {
  readonly name: string;
  readonly canLogin: boolean;
  /** Powers a tenant's role never has (SUPERUSER, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS). */
  readonly powers: readonly string[];
}

export interface ExistingContainer {
  readonly name: string;
  readonly owner: string;
}

/** What the catalogs hold under the names the tenant's stack would use. */
export interface ExistingTenantObjects {
  readonly role?: ExistingRole;
  /** A database named like the tenant's own database (`tenant_<slug>`), whatever the isolation. */
  readonly ownDatabase?: ExistingContainer;
  /** A schema named like the tenant's schema (`tenant_<slug>`) in the server's shared database. */
  readonly sharedSchema?: ExistingContainer;
  /** Extensions installed in the tenant's own database (when it exists). */
  readonly extensions: readonly string[];
  /** Whether the settings table is in the database or schema the tenant's spec names. */
  readonly settingsTable: boolean;
}

/** Import ids, by what TenantDatabase declares; the ids are the @pulumi/postgresql provider's own. */
export interface DatabaseImports {
  readonly role?: string;
  readonly database?: string;
  readonly schema?: string;
  /** By extension name. */
  readonly extensions: Readonly<Record<string, string>>;
}

export interface AdoptionPlan {
  readonly imports: DatabaseImports;
  /** One sentence each: the object, how it differs, and what to do. The stack deploys nothing when there is one. */
  readonly refusals: readonly string[];
}

export const NOTHING_TO_ADOPT: AdoptionPlan = { imports: { extensions: {} }, refusals: [] };

/** The logical names TenantDatabase gives its resources (`<slug>-role`, ...), which consent lists refer to. */
export function databaseResourceNames(slug: string) {
  return {
    role: `${slug}-role`,
    database: `${slug}-database`,
    schema: `${slug}-schema`,
    extension: (extension: string) => `${slug}-extension-${extension}`,
  };
}

export function adoptionPlan(tenant: Tenant, existing: ExistingTenantObjects, consent: AdoptionConsent): AdoptionPlan {
  const { database } = tenant;
  const names = databaseResourceNames(tenant.slug);
  const ownDatabase = database.isolation === "database";
  const container = ownDatabase ? existing.ownDatabase : existing.sharedSchema;
  const containerWord = ownDatabase
    ? `database "${database.databaseName}"`
    : `schema "${database.databaseName}.${database.schemaName}"`;
  // The mark only counts in a container the tenant's role owns: a settings table is easy to copy.
  const marked = existing.settingsTable && container?.owner === database.roleName && existing.role !== undefined;
  const unmanaged = (name: string) => !consent.managed.has(name);
  const mayImport = (name: string) => marked || consent.pending.has(name) || (consent.adopt && unmanaged(name));
  // Only an explicit adopt is refused for a difference: a marked or pending object is the tenant's own, and the
  // stack puts it back as the files say, as it does with any drift.
  const checked = (name: string) => consent.adopt && unmanaged(name) && !marked && !consent.pending.has(name);
  const refusals: string[] = [];
  const imports: { role?: string; database?: string; schema?: string; extensions: Record<string, string> } = {
    extensions: {},
  };
  const stack = `stack ${tenant.slug}`;

  if (existing.role && mayImport(names.role)) {
    const role = existing.role;
    const wantsLogin = tenant.status === "active";
    if (checked(names.role) && role.powers.length > 0) {
      refusals.push(
        `role "${role.name}" has ${role.powers.join(", ")}, which a tenant's role never has: revoke it (ALTER ROLE "${role.name}" NO${role.powers[0]}) or rename the role, then adopt again.`,
      );
    } else if (checked(names.role) && wantsLogin && !role.canLogin) {
      refusals.push(
        `role "${role.name}" exists without LOGIN, so it may not be the tenant's role: if it is, \`ALTER ROLE "${role.name}" LOGIN\` and adopt again; if not, rename it (ALTER ROLE "${role.name}" RENAME TO ...).`,
      );
    } else {
      imports.role = role.name;
    }
  }

  if (ownDatabase) {
    if (existing.sharedSchema && checked(names.database)) {
      refusals.push(
        `schema "${database.server.sharedDatabase}.${existing.sharedSchema.name}" exists where the plan says isolation: database: set \`database.isolation: schema\` in tenants/${tenant.slug}.yaml if the tenant's data lives there, or move the data and drop the schema yourself; tenantctl moves no data.`,
      );
    }
    if (existing.ownDatabase && mayImport(names.database))
      adoptContainer(existing.ownDatabase, names.database, (id) => (imports.database = id));
  } else {
    if (existing.ownDatabase && checked(names.schema) && existing.ownDatabase.owner === database.roleName) {
      refusals.push(
        `database "${existing.ownDatabase.name}" exists where the plan says isolation: schema: set \`database.isolation: database\` in tenants/${tenant.slug}.yaml if the tenant's data lives there, or move the data yourself; tenantctl moves no data.`,
      );
    }
    if (existing.sharedSchema && mayImport(names.schema))
      adoptContainer(
        existing.sharedSchema,
        names.schema,
        () => (imports.schema = `${database.databaseName}.${database.schemaName}`),
      );
  }

  // Extensions of a tenant database are the tenant's; those of the shared database belong to every tenant in it and
  // are created IF NOT EXISTS, so only the former are taken over.
  if (ownDatabase && (imports.database || (existing.ownDatabase && consent.managed.has(names.database)))) {
    for (const extension of database.extensions) {
      if (existing.extensions.includes(extension) && mayImport(names.extension(extension)))
        imports.extensions[extension] = `${database.databaseName}.${extension}`;
    }
  }
  return { imports, refusals: refusals.map((refusal) => `${stack}: ${refusal}`) };

  function adoptContainer(found: ExistingContainer, name: string, take: (id: string) => void): void {
    if (checked(name) && found.owner !== database.roleName) {
      refusals.push(
        `${containerWord} is owned by "${found.owner}", not by the tenant's role "${database.roleName}": if it holds this tenant's data, \`ALTER ${ownDatabase ? `DATABASE "${found.name}"` : `SCHEMA "${found.name}"`} OWNER TO "${database.roleName}"\` and adopt again; tenantctl never changes an owner it did not set.`,
      );
      return;
    }
    take(found.name);
  }
}

/** The control-plane stack's logical name for a server's shared database. */
export function sharedDatabaseResourceName(server: string): string {
  return `shared-${server}`;
}

/** The control-plane stack's shared database: imported when tenants' schemas live in it, or on adopt. */
export function sharedDatabaseImport(
  exists: boolean,
  holdsTenantSchemas: boolean,
  database: string,
  logicalName: string,
  consent: AdoptionConsent,
): string | undefined {
  if (!exists) return undefined;
  return holdsTenantSchemas || consent.adopt || consent.pending.has(logicalName) ? database : undefined;
}
