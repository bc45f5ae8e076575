/**
 * `drift --all`'s first pass: the whole fleet compared with the real world in bulk (DESIGN.md, "Drift at fleet scale").
 * Per database server, the catalog queries of catalog.ts (with each database's applied migrations); the registry's
 * rows once (registryListing.ts); the auth provider's listings (authListing.ts); the PowerDNS zones of the tenants'
 * hostname records (dnsListing.ts); each stack's last state
 * (stackStates.ts); all compared with what the files say (expected.ts, compare.ts). A tenant stack with no
 * finding is clean: the report says `unchanged` without asking the engine. Every other one (a difference, a pending
 * change, something the scan cannot read) goes through the engine's refreshing preview, which gives the report's
 * properties. Also lists what no tenant file owns (unmanaged.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Fleet } from "../../core/load";
import type { MigrationFile } from "../../core/migrations/migrationFiles";
import type { DatabaseServer, Tenant } from "../../core/model";
import { type Features, featuresFrom } from "../../../infra/context/features";
import { resolveAuthHero } from "../../../infra/context/authheroConfig";
import type { ResolvedDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { tenantDatabaseLayout } from "../../../infra/components/TenantDatabase";
import { adminCredentials } from "../moves/dataSize";
import { projectName } from "../engine/projectFile";
import type { AuthListing } from "./authListing";
import type { ZoneListing } from "./dnsListing";
import type { Readable, ServerCatalog } from "./catalog";
import { pendingChanges, providerDifferences, realWorldDifferences } from "./compare";
import type { RegistryListing } from "./registryListing";
import { type ExpectedResource, expectedResources, type ScanDeployment, TYPES } from "./expected";
import { readStackStates, type StackState } from "./stackStates";
import { type Ownership, type UnmanagedObject, unmanagedOnServer, unmanagedOrganizations } from "./unmanaged";

export interface ScanOptions {
  readonly projectDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--unmanaged all`: every non-system object, not only those under tenantctl's names. */
  readonly unmanaged?: "names" | "all";
  /** Databases read at once, per server. @default 8 */
  readonly connections?: number;
}

export interface ScanResult {
  /** Stacks the scan found as the files say, by slug. */
  readonly clean: readonly string[];
  /** Stacks the engine must look at, with why. */
  readonly flagged: ReadonlyMap<string, readonly string[]>;
  readonly unmanaged: readonly UnmanagedObject[];
  /** What could not be listed for the unmanaged objects (a server, the auth provider). */
  readonly notListed: readonly string[];
  readonly seconds: number;
}

/** Scans the tenant stacks `slugs` (valid tenants of `fleet`; the caller leaves out what it skips or refuses). */
export async function scanFleet(fleet: Fleet, slugs: readonly string[], options: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const controlPlane = fleet.controlPlane!;
  const tenants = slugs.map((slug) => fleet.tenants.find((t) => t.slug === slug)!);
  const { env, projectDir } = options;
  const project = projectName(projectDir);
  const expected = new Map<string, { resources: ExpectedResource[]; unreadable: string[] }>();
  for (const tenant of tenants) {
    expected.set(
      tenant.slug,
      expectedResources(tenant, deploymentOf(tenant.slug, controlPlane.auth.provider, options), controlPlane),
    );
  }

  // Every server any tenant (of the whole fleet, for ownership) or the template names.
  const servers = new Map<string, DatabaseServer>(controlPlane.databaseServers.map((s) => [s.name, s]));
  const credentials = adminCredentials(projectDir, { ...process.env, ...env } as NodeJS.ProcessEnv);
  const admins = new Map<string, ResolvedDatabaseServer>();
  await Promise.all(
    [...servers.values()].map(async (server) => {
      const first = tenants.find((t) => t.database.server.name === server.name);
      const admin = await credentials(first?.slug ?? "control-plane", server);
      if (admin) admins.set(server.name, admin);
    }),
  );
  const wantsMigrations = [...expected.values()].some((e) => e.resources.some((r) => r.type === TYPES.migrations));
  const migrationFiles = wantsMigrations ? (controlPlane.migrations ?? []) : undefined;
  const registryRowsOf = [...expected.entries()]
    .filter(([, e]) => e.resources.some((r) => r.type === TYPES.registryRows))
    .map(([slug]) => slug);
  // The PowerDNS zones the tenants' hostname records are in (the template's `dns.powerdns` server).
  const zones = new Set<string>();
  for (const tenant of tenants)
    for (const r of expected.get(tenant.slug)!.resources)
      if (r.type === TYPES.powerdnsRecord) zones.add(String(r.inputs["zone"]));
  const dns = new Map<string, Readable<ZoneListing>>();
  const wantsAuth = [...expected.values()].some((e) =>
    e.resources.some((r) => r.type === TYPES.authheroOrganization || r.type === TYPES.authheroRole),
  );

  // The readings are independent: the stacks' states (this process's CPU), the servers' catalogs (mostly the
  // servers' own work, starting a backend per tenant database), the registry and the auth provider, all at once.
  const catalogs = new Map<string, Readable<ServerCatalog> & { admin?: string }>();
  const [states, registry, auth] = await Promise.all([
    readStackStates(slugs, {
      project,
      env,
      exportStack: async (slug) => {
        const { exportStackOf } = await import("./exportStack");
        return exportStackOf(projectDir, slug, env);
      },
    }),
    registryRowsOf.length > 0 ? listRegistry(controlPlane.registry, registryRowsOf, servers, admins) : undefined,
    wantsAuth || controlPlane.auth.provider === "authhero" || env["TENANTCTL_AUTH_PROVIDER"] === "authhero"
      ? listAuth(env)
      : undefined,
    ...[...servers.values()].map(async (server) => {
      const on = tenants.filter((t) => t.database.server.name === server.name);
      catalogs.set(server.name, await readServer(server, on, options, admins.get(server.name), migrationFiles));
    }),
    ...[...zones].map(async (zone) => {
      const { listPowerDnsZone } = await import("./dnsListing");
      dns.set(zone, await listPowerDnsZone(zone, controlPlane.dns.powerdns, { ...process.env, ...env }));
    }),
  ]);

  const flagged = new Map<string, string[]>();
  const clean: string[] = [];
  for (const tenant of tenants) {
    const state = states.get(tenant.slug)!;
    const { resources, unreadable } = expected.get(tenant.slug)!;
    const findings: string[] = unreadable.map((what) => `not read by the scan: ${what}`);
    if (state.kind === "missing") findings.push("no state: the stack was never deployed");
    else {
      findings.push(...pendingChanges(resources, state).map((f) => `pending: ${f}`));
      const serverName = tenant.database.server.name;
      findings.push(...providerDifferences(state, serverName, admins.get(serverName)).map((f) => `pending: ${f}`));
      const catalog = catalogs.get(tenant.database.server.name) ?? {
        ok: false as const,
        reason: `server ${tenant.database.server.name} is not in the template`,
      };
      const admin = admins.get(serverName);
      findings.push(
        ...realWorldDifferences(resources, state, {
          catalog,
          ...(auth ? { auth } : {}),
          ...(registry ? { registry } : {}),
          ...(zones.size > 0 ? { dns } : {}),
          ...(admin ? { address: { host: admin.host, port: admin.port } } : {}),
        }),
      );
    }
    if (findings.length === 0) clean.push(tenant.slug);
    else flagged.set(tenant.slug, findings);
  }

  const owners = ownership(fleet, states);
  const unmanaged: UnmanagedObject[] = [];
  const notListed: string[] = [];
  for (const [name, catalog] of catalogs) {
    if (!catalog.ok) notListed.push(`server ${name}: ${catalog.reason}`);
    else
      unmanaged.push(
        ...unmanagedOnServer(name, catalog.admin ?? "", catalog.value, owners, options.unmanaged === "all"),
      );
  }
  if (auth?.ok) {
    const heldIds = new Set<string>();
    for (const state of states.values())
      if (state.kind === "deployed")
        for (const r of state.resources) if (r.type === TYPES.authheroOrganization && r.id) heldIds.add(r.id);
    unmanaged.push(
      ...unmanagedOrganizations(
        auth.value,
        owners,
        { ids: heldIds, scanned: new Set(slugs) },
        "authhero",
        options.unmanaged === "all",
      ),
    );
  } else if (auth) notListed.push(`the auth provider: ${auth.reason}`);

  return { clean, flagged, unmanaged, notListed, seconds: (Date.now() - started) / 1000 };
}

/** The deployment settings the stack's program reads: the environment, else the stack's own config file. */
function deploymentOf(slug: string, templateProvider: string, options: ScanOptions): ScanDeployment {
  const config = stackConfigFile(options.projectDir, slug);
  const disabled = config["tenantctl:disable"];
  const features: Features = featuresFrom(
    options.env["TENANTCTL_DISABLE"],
    Array.isArray(disabled) ? disabled.map(String) : undefined,
  );
  const provider = options.env["TENANTCTL_AUTH_PROVIDER"] ?? config["tenantctl:authProvider"] ?? templateProvider;
  return {
    features,
    authProvider: provider === "authhero" ? "authhero" : "auth0",
    powerdnsInStackConfig: config["tenantctl:powerdns"] !== undefined,
    dnsProvider: options.env["TENANTCTL_DNS_PROVIDER"] ?? stringOr(config["tenantctl:dnsProvider"]),
  };
}

const stringOr = (value: unknown) => (typeof value === "string" ? value : undefined);

function stackConfigFile(projectDir: string, slug: string): Record<string, unknown> {
  for (const name of [`Pulumi.${slug}.yaml`, `Pulumi.${slug}.yml`]) {
    const file = join(projectDir, name);
    if (!existsSync(file)) continue;
    try {
      return ((parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ??
        {}) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return {};
}

async function readServer(
  server: DatabaseServer,
  tenants: readonly Tenant[],
  options: ScanOptions,
  admin: ResolvedDatabaseServer | undefined,
  migrationFiles: readonly MigrationFile[] | undefined,
): Promise<Readable<ServerCatalog> & { admin?: string }> {
  if (!admin) return { ok: false, reason: `no admin credentials for server ${server.name}` };
  const databases = new Map<
    string,
    { settingsSchemas: string[]; owners: string[]; migrations?: { tenants: Tenant[]; files: readonly MigrationFile[] } }
  >();
  const want = (database: string) => {
    const entry = databases.get(database) ?? {
      settingsSchemas: [],
      owners: [],
      ...(migrationFiles ? { migrations: { tenants: [], files: migrationFiles } } : {}),
    };
    databases.set(database, entry);
    return entry;
  };
  want(server.sharedDatabase);
  for (const tenant of tenants) {
    const layout = tenantDatabaseLayout(tenant);
    const entry = want(layout.database);
    entry.settingsSchemas.push(layout.schema);
    entry.owners.push(tenant.database.roleName);
    entry.migrations?.tenants.push(tenant);
  }
  try {
    const { readServerCatalog } = await import("./catalog");
    const catalog = await readServerCatalog(admin, {
      databases,
      ...(options.connections ? { connections: options.connections } : {}),
      everyDatabase: options.unmanaged === "all",
    });
    return { ok: true, value: catalog, admin: admin.username };
  } catch (error) {
    return {
      ok: false,
      reason: `${server.name} (${admin.host}:${admin.port}) could not be read: ${(error as Error).message}`,
    };
  }
}

/** The registry's rows of `slugs`, once, on the registry's server (the template's `registry`). */
async function listRegistry(
  spec: { readonly server: string; readonly database: string; readonly schema: string },
  slugs: readonly string[],
  servers: ReadonlyMap<string, DatabaseServer>,
  admins: ReadonlyMap<string, ResolvedDatabaseServer>,
): Promise<Readable<RegistryListing>> {
  const admin = admins.get(spec.server);
  if (!servers.has(spec.server) || !admin)
    return { ok: false, reason: `no admin credentials for the registry's server ${spec.server}` };
  try {
    const { readRegistry } = await import("./registryListing");
    return { ok: true, value: await readRegistry(admin, spec, slugs) };
  } catch (error) {
    return {
      ok: false,
      reason: `${spec.schema}.tenants in database ${spec.database} (server ${spec.server}): ${(error as Error).message}`,
    };
  }
}

async function listAuth(env: Readonly<Record<string, string | undefined>>): Promise<Readable<AuthListing>> {
  try {
    const connection = resolveAuthHero({
      config: undefined,
      env: {
        TENANTCTL_AUTHHERO_URL: env["TENANTCTL_AUTHHERO_URL"],
        TENANTCTL_AUTHHERO_CLIENT_ID: env["TENANTCTL_AUTHHERO_CLIENT_ID"],
        TENANTCTL_AUTHHERO_CLIENT_SECRET: env["TENANTCTL_AUTHHERO_CLIENT_SECRET"],
      },
    });
    const { listAuthHero } = await import("./authListing");
    return { ok: true, value: await listAuthHero(connection) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split("\n")[0] ?? String(error) };
  }
}

/** Which objects each tenant's stack holds, from its state; a stack whose state could not be read owns all it declares. */
function ownership(fleet: Fleet, states: ReadonlyMap<string, StackState>): Ownership {
  const held = new Map<string, Set<string>>();
  for (const tenant of fleet.tenants) {
    const state = states.get(tenant.slug);
    const names = new Set<string>();
    if (!state || state.kind === "unreadable") {
      names.add(`role:${tenant.database.roleName}`);
      names.add(`database:${tenant.database.databaseName}`);
      names.add(`schema:${tenant.database.databaseName}.${tenant.database.schemaName}`);
    } else if (state.kind === "deployed") {
      for (const r of state.resources) {
        const name = r.inputs["name"];
        if (typeof name !== "string") continue;
        if (r.type === TYPES.role) names.add(`role:${name}`);
        if (r.type === TYPES.database) names.add(`database:${name}`);
        if (r.type === TYPES.schema) names.add(`schema:${String(r.inputs["database"])}.${name}`);
      }
    }
    held.set(tenant.slug, names);
  }
  const template = fleet.controlPlane!;
  const registry = (template as { registry?: { database?: string } }).registry;
  return {
    tenants: fleet.tenants,
    held: (slug) => held.get(slug) ?? new Set(),
    shared: {
      databases: new Set([...template.databaseServers.map((s) => s.sharedDatabase), registry?.database ?? "tenantctl"]),
      roles: new Set(["tenantctl_registry_reader", "tenantctl_runtime"]),
    },
  };
}
