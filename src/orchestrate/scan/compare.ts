/**
 * One tenant stack, compared three ways: what its files say (expected.ts) with its last state (a stack whose state is
 * not what the files say has pending changes: the engine would report them, so the scan does not call it clean), and
 * with what the database server and the auth provider hold (catalog.ts, authListing.ts). Each difference is one
 * finding; a stack with none is clean. Where the scan cannot tell (a value it cannot read), that is a finding too:
 * the scan may send a clean stack to the engine, never call a drifted one clean.
 *
 * The real world is compared with the files' values and, for the attributes the program leaves unset, with the
 * provider's defaults (a role's SUPERUSER, CREATEDB, …; a database's connection limit): what the engine's diff holds
 * the refreshed state to. Over-strict is safe (the engine then decides); never looser.
 */
import { isDeepStrictEqual } from "node:util";
import { SECRET_TEXT } from "../../core/compare/plannedStack";
import { providerValues } from "../../../infra/dynamic/providerValues";
import type { AuthListing } from "./authListing";
import type { CatalogRole, DatabaseContents, Privilege, Readable, ServerCatalog } from "./catalog";
import { type ExpectedResource, NOT_FROM_FILES, sortedPermissions, TYPES } from "./expected";
import { rrsetKey, type ZoneListing } from "./dnsListing";
import type { RegistryListing } from "./registryListing";
import type { DeployedResource, StackState } from "./stackStates";

/** The JSON text the registry's provider compares rows by (infra/dynamic/providerValues.ts). */
const { canonicalJson: providerJson } = providerValues();

/** Resources every stack has that are not the tenant's objects: the stack itself, components, providers, references. */
function bookkeeping(type: string): boolean {
  return (
    type === "pulumi:pulumi:Stack" ||
    type === "pulumi:pulumi:StackReference" ||
    type.startsWith("pulumi:providers:") ||
    type.startsWith("tenantctl:index:")
  );
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** What the files say and what the state says agree on every input the files decide. */
export function pendingChanges(expected: readonly ExpectedResource[], state: StackState): string[] {
  if (state.kind !== "deployed") return state.kind === "unreadable" ? [state.reason] : [];
  const findings: string[] = [];
  if (state.pending > 0) findings.push(`the stack has ${state.pending} pending operation(s) from an earlier run`);
  const deployed = new Map(state.resources.filter((r) => !bookkeeping(r.type)).map((r) => [`${r.type}::${r.name}`, r]));
  for (const resource of expected) {
    const key = `${resource.type}::${resource.name}`;
    const found = deployed.get(key);
    deployed.delete(key);
    if (!found) {
      findings.push(`${resource.name}: not in the stack's state (the next up creates it)`);
      continue;
    }
    for (const [input, value] of Object.entries(resource.inputs)) {
      const had = found.inputs[input];
      if (value === NOT_FROM_FILES) continue;
      if (!sameInput(value, had))
        findings.push(`${resource.name}: ${input} in the state is ${shown(had)}, the files say ${shown(value)}`);
    }
  }
  for (const left of deployed.values())
    findings.push(`${left.name}: in the stack's state, not in the files (${left.type}: the scan does not read it)`);
  return findings;
}

/** Deep equality where NOT_FROM_FILES (at any depth) matches anything. */
function sameInput(expected: unknown, actual: unknown): boolean {
  if (expected === NOT_FROM_FILES) return true;
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => sameInput(e, actual[i]))
    );
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual) || SECRET_SIG in actual) return false;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    return [...keys].every((key) => sameInput(e[key], a[key]));
  }
  return isDeepStrictEqual(expected, actual);
}

function shown(value: unknown): string {
  if (value !== null && typeof value === "object" && SECRET_SIG in value) return SECRET_TEXT;
  return value === undefined ? "absent" : JSON.stringify(value);
}

/**
 * The database server's provider as the stack was deployed with it, against the admin settings this run resolves (as
 * the program would): another host, port, user, TLS mode or superuser flag is a change the engine shows. The password
 * is a secret in the state: not compared (README, "Drift at fleet scale").
 */
export function providerDifferences(
  state: StackState,
  serverName: string,
  admin: { host: string; port: number; username: string; sslmode: string; superuser: boolean } | undefined,
): string[] {
  if (state.kind !== "deployed" || !admin) return [];
  const provider = state.resources.find(
    (r) => r.type === "pulumi:providers:postgresql" && r.name === `db-${serverName}`,
  );
  if (!provider) return [`the stack has no provider for server ${serverName}`];
  const wanted: Record<string, string> = {
    host: admin.host,
    port: String(admin.port),
    username: admin.username,
    sslmode: admin.sslmode,
    superuser: String(admin.superuser),
    database: "postgres",
  };
  return Object.entries(wanted)
    .filter(([key, value]) => String(provider.inputs[key]) !== value)
    .map(
      ([key, value]) =>
        `provider db-${serverName}: ${key} is ${shown(provider.inputs[key])} in the state, ${JSON.stringify(value)} now`,
    );
}

/** What a finding says about one property: the report's `properties` come from the engine, this says why it was asked. */
export interface RealWorld {
  readonly catalog: Readable<ServerCatalog>;
  readonly auth?: Readable<AuthListing>;
  /** The registry's rows (registryListing.ts); absent: not read. */
  readonly registry?: Readable<RegistryListing>;
  /** Where this deployment reaches the tenant's server (the admin settings this run resolves): the row's host and port. */
  readonly address?: { readonly host: string; readonly port: number };
  /** The PowerDNS zones the fleet writes into, by absolute zone name (dnsListing.ts); absent: not read. */
  readonly dns?: ReadonlyMap<string, Readable<ZoneListing>>;
}

/** Differences between the files and the real world, for the resources the scan knows. */
export function realWorldDifferences(
  expected: readonly ExpectedResource[],
  state: StackState,
  world: RealWorld,
): string[] {
  if (!world.catalog.ok) return [`the database server could not be read: ${world.catalog.reason}`];
  const catalog = world.catalog.value;
  const deployed = new Map(
    (state.kind === "deployed" ? state.resources : []).map((r) => [`${r.type}::${r.name}`, r] as const),
  );
  const findings: string[] = [];
  for (const resource of expected) {
    const i = (key: string): string => String(resource.inputs[key]);
    const list = (key: string): string[] => [...((resource.inputs[key] as string[] | undefined) ?? [])];
    const contents = (database: string): DatabaseContents | string => {
      const read = catalog.contents.get(database);
      if (!read) return `database ${database} was not read`;
      return read.ok ? read.value : read.reason;
    };
    const note = (text: string) => findings.push(`${resource.name}: ${text}`);
    switch (resource.type) {
      case TYPES.password:
        break;
      case TYPES.role: {
        const role = catalog.roles.get(i("name"));
        if (!role) note(`role ${i("name")} does not exist`);
        else for (const text of roleDifferences(role, resource.inputs)) note(text);
        break;
      }
      case TYPES.database: {
        const database = catalog.databases.get(i("name"));
        if (!database) note(`database ${i("name")} does not exist`);
        else {
          if (database.owner !== i("owner")) note(`owner is ${database.owner}, the files say ${i("owner")}`);
          if (!database.allowConnections) note("connections are not allowed");
          if (database.connectionLimit !== -1) note(`connection limit is ${database.connectionLimit}`);
          if (database.isTemplate) note("it is a template");
        }
        break;
      }
      case TYPES.schema: {
        const inside = contents(i("database"));
        if (typeof inside === "string") note(inside);
        else {
          const schema = inside.schemas.get(i("name"));
          if (!schema) note(`schema ${i("name")} does not exist`);
          else if (schema.owner !== i("owner")) note(`owner is ${schema.owner}, the files say ${i("owner")}`);
        }
        break;
      }
      case TYPES.grant: {
        let privileges: readonly Privilege[] | undefined;
        if (i("objectType") === "database") privileges = catalog.databases.get(i("database"))?.privileges;
        else {
          const inside = contents(i("database"));
          if (typeof inside === "string") {
            note(inside);
            break;
          }
          privileges = inside.schemas.get(i("schema"))?.privileges;
        }
        if (!privileges) note(`its ${i("objectType")} does not exist`);
        else {
          const held = privileges.filter((p) => p.grantee === i("role"));
          const names = [...new Set(held.map((p) => p.privilege))].sort();
          const want = [...list("privileges")].sort();
          if (!isDeepStrictEqual(names, want))
            note(`${i("role")} holds [${names.join(", ")}], the files say [${want.join(", ")}]`);
          if (held.some((p) => p.grantable)) note(`${i("role")} may grant them on`);
        }
        break;
      }
      case TYPES.defaultPrivileges: {
        const inside = contents(i("database"));
        if (typeof inside === "string") {
          note(inside);
          break;
        }
        const objtype = i("objectType") === "function" ? "f" : "T";
        const acl = inside.defaultPrivileges.get(`${i("owner")}/${objtype}`);
        if (!acl) note(`default privileges of ${i("owner")} were not read`);
        else {
          const held = [...new Set(acl.filter((p) => p.grantee === i("role")).map((p) => p.privilege))].sort();
          const want = [...list("privileges")].sort();
          if (!isDeepStrictEqual(held, want))
            note(
              `${i("role")} gets [${held.join(", ")}] on new ${i("objectType")}s, the files say [${want.join(", ")}]`,
            );
        }
        break;
      }
      case TYPES.extension: {
        const inside = contents(i("database"));
        if (typeof inside === "string") note(inside);
        else {
          const extension = inside.extensions.get(i("name"));
          const before = deployed.get(`${resource.type}::${resource.name}`)?.outputs;
          if (!extension) note(`extension ${i("name")} is not installed`);
          else if (before && (before["schema"] !== extension.schema || before["version"] !== extension.version))
            note(
              `extension ${i("name")} is ${extension.version} in ${extension.schema}, the state says ${shown(before["version"])} in ${shown(before["schema"])}`,
            );
        }
        break;
      }
      case TYPES.settings: {
        const inside = contents(i("database"));
        if (typeof inside === "string") {
          note(inside);
          break;
        }
        for (const text of settingsDifferences(inside.settings.get(i("schema")), resource.inputs)) note(text);
        break;
      }
      case TYPES.grantRole: {
        const member = catalog.roles.get(i("role"));
        if (!member) note(`role ${i("role")} does not exist`);
        else if (!member.memberOf.includes(i("grantRole"))) note(`${i("role")} is not a member of ${i("grantRole")}`);
        else if (member.memberWithAdmin.includes(i("grantRole")))
          note(`${i("role")} may grant ${i("grantRole")} on (admin option)`);
        break;
      }
      case TYPES.migrations: {
        const inside = contents(i("database"));
        if (typeof inside === "string") note(inside);
        else if (!inside.migrationDrift) note("the applied migrations were not read");
        else {
          const drift = inside.migrationDrift.get(i("slug"));
          if (drift)
            for (const [what, files] of Object.entries(drift) as [string, string[]][])
              if (files.length > 0) note(`migrations ${what}: ${files.join(", ")}`);
        }
        break;
      }
      case TYPES.registryRows: {
        const organization = deployed.get(`${TYPES.authheroOrganization}::${i("slug")}-organization`);
        for (const text of registryDifferences(resource, world, organization?.id)) note(text);
        break;
      }
      case TYPES.authheroRole:
      case TYPES.authheroOrganization: {
        const state = deployed.get(`${resource.type}::${resource.name}`);
        for (const text of authDifferences(resource, state, world.auth)) note(text);
        break;
      }
      case TYPES.powerdnsRecord: {
        // As the record provider's refresh: gone (every record disabled counts) or another TTL or contents.
        const zone = world.dns?.get(i("zone"));
        if (!zone) note(`zone ${i("zone")} was not read`);
        else if (!zone.ok) note(`zone ${i("zone")} could not be read: ${zone.reason}`);
        else {
          const held = zone.value.get(rrsetKey(i("name"), i("type")));
          const records = [...list("records")].sort();
          if (!held) note(`${i("type")} ${i("name")} is not in zone ${i("zone")}`);
          else {
            if (held.ttl !== resource.inputs["ttl"]) note(`${i("type")} ${i("name")}: ttl is ${held.ttl}`);
            if (!isDeepStrictEqual([...held.records], records))
              note(`${i("type")} ${i("name")}: records are ${JSON.stringify(held.records)}`);
          }
        }
        break;
      }
      default:
        note(`${resource.type} is not read by the scan`);
    }
  }
  return findings;
}

/**
 * The tenant's registry rows against the files, as the RegistryRows provider's refresh and diff see them: the row's
 * columns (without `migration_version`) and its domains by hostname, compared as the provider's canonical JSON.
 */
function registryDifferences(
  resource: ExpectedResource,
  world: RealWorld,
  organizationId: string | undefined,
): string[] {
  if (!world.registry) return ["the registry was not read"];
  if (!world.registry.ok) return [`the registry could not be read: ${world.registry.reason}`];
  if (!world.address) return ["where this deployment reaches the server is not known"];
  const slug = String(resource.inputs["slug"]);
  const files = resource.inputs["row"] as Record<string, unknown>;
  const out: string[] = [];
  const wanted: Record<string, unknown> = { ...files, host: world.address.host, port: world.address.port };
  if (files["organization_id"] === NOT_FROM_FILES) {
    if (organizationId) wanted["organization_id"] = organizationId;
    else out.push("the organization's id is not in the stack's state");
  }
  const row = world.registry.value.tenants.get(slug);
  if (!row) out.push(`no row for ${slug} in the registry's tenants table`);
  else
    for (const [column, value] of Object.entries(wanted)) {
      if (value === NOT_FROM_FILES) continue;
      if (providerJson(row[column]) !== providerJson(value))
        out.push(`row.${column} is ${providerJson(row[column])}, the files say ${providerJson(value)}`);
    }
  const domains = resource.inputs["domains"];
  if (domains === NOT_FROM_FILES) out.push("the custom domains' TLS status is not read by the scan");
  else {
    const held = world.registry.value.domains.get(slug) ?? {};
    const expected = domains as Record<string, unknown>;
    for (const hostname of new Set([...Object.keys(expected), ...Object.keys(held)])) {
      if (!(hostname in held)) out.push(`domain ${hostname} is not in the registry`);
      else if (!(hostname in expected)) out.push(`domain ${hostname} is in the registry, not in the files`);
      else if (providerJson(held[hostname]) !== providerJson(expected[hostname]))
        out.push(
          `domain ${hostname} is ${providerJson(held[hostname])}, the files say ${providerJson(expected[hostname])}`,
        );
    }
  }
  return out;
}

/** The provider's defaults for what the program leaves unset; `false`/`0`/`""` attributes must stay so. */
function roleDifferences(role: CatalogRole, inputs: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (!isDeepStrictEqual(actual, wanted))
      out.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect("login", role.login, inputs["login"]);
  expect("connectionLimit", role.connectionLimit, inputs["connectionLimit"]);
  expect("superuser", role.superuser, false);
  expect("createDatabase", role.createDatabase, false);
  expect("createRole", role.createRole, false);
  expect("inherit", role.inherit, true);
  expect("replication", role.replication, false);
  expect("bypassRowLevelSecurity", role.bypassRowLevelSecurity, false);
  expect("validUntil", role.validUntil, null);
  expect("roles (memberships)", role.memberOf, []);
  const searchPath = role.settings["search_path"];
  const wantedPath = inputs["searchPaths"] as string[] | undefined;
  const actualPath = searchPath === undefined ? undefined : searchPath.split(",").map((part) => unquote(part.trim()));
  expect("searchPaths", actualPath ?? null, wantedPath ?? null);
  for (const timeout of ["statement_timeout", "idle_in_transaction_session_timeout"]) {
    const value = role.settings[timeout];
    if (value !== undefined && value !== "0") out.push(`${timeout} is ${value}, expected unset`);
  }
  return out;
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') && identifier.endsWith('"')
    ? identifier.slice(1, -1).replace(/""/g, '"')
    : identifier;
}

/** Managed keys must hold the files' value (canonical JSON); seed-only keys belong to the tenant; other rows are its own. */
function settingsDifferences(
  rows: ReadonlyMap<string, { readonly value: unknown; readonly seedOnly: boolean }> | undefined,
  inputs: Readonly<Record<string, unknown>>,
): string[] {
  if (!rows) return ["the tenant_settings table does not exist"];
  const settings = inputs["settings"] as Record<string, string>;
  const seedOnlyKeys = inputs["seedOnlyKeys"] as string[];
  const out: string[] = [];
  for (const [key, text] of Object.entries(settings)) {
    if (seedOnlyKeys.some((prefix) => key === prefix || key.startsWith(`${prefix}.`))) continue;
    const row = rows.get(key);
    if (!row) out.push(`settings.${key} is missing`);
    else if (canonicalJson(row.value) !== text)
      out.push(`settings.${key} is ${canonicalJson(row.value)}, the files say ${text}`);
  }
  return out;
}

function canonicalJson(value: unknown): string {
  const sort = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(sort);
    if (inner !== null && typeof inner === "object")
      return Object.fromEntries(
        Object.keys(inner)
          .sort()
          .map((key) => [key, sort((inner as Record<string, unknown>)[key])]),
      );
    return inner;
  };
  return JSON.stringify(sort(value ?? null));
}

/** AuthHero entities by the id in the stack's state, compared with the files (and, for ids, with the state). */
function authDifferences(
  resource: ExpectedResource,
  state: DeployedResource | undefined,
  auth: Readable<AuthListing> | undefined,
): string[] {
  if (!auth) return ["the auth provider was not listed"];
  if (!auth.ok) return [`the auth provider could not be listed: ${auth.reason}`];
  if (!state?.id) return ["no id in the stack's state"];
  const i = resource.inputs as Record<string, unknown>;
  if (resource.type === TYPES.authheroRole) {
    const role = auth.value.roles.get(state.id);
    if (!role) return [`role ${String(i["name"])} (${state.id}) does not exist`];
    const out: string[] = [];
    if (role.name !== i["name"]) out.push(`name is ${role.name}`);
    if ((role.description ?? "") !== (i["description"] ?? ""))
      out.push(`description is ${JSON.stringify(role.description)}`);
    if (!role.permissions) out.push("its permissions were not listed");
    else if (!isDeepStrictEqual(sortedPermissions(role.permissions), i["permissions"]))
      out.push(`permissions are ${JSON.stringify(sortedPermissions(role.permissions))}`);
    return out;
  }
  const organization = auth.value.organizations.get(state.id);
  if (!organization) return [`organization ${String(i["name"])} (${state.id}) does not exist`];
  const out: string[] = [];
  if (organization.name !== i["name"]) out.push(`name is ${organization.name}`);
  if ((organization.displayName ?? "") !== i["displayName"])
    out.push(`display name is ${JSON.stringify(organization.displayName)}`);
  // The role ids in the metadata are known from the state only: the files decide the rest of it.
  const wanted = {
    ...(i["metadata"] as Record<string, unknown>),
    roles: (state.inputs["metadata"] as Record<string, unknown> | undefined)?.["roles"],
  };
  if (canonicalJson(organization.metadata) !== canonicalJson(wanted))
    out.push(`metadata is ${canonicalJson(organization.metadata)}, expected ${canonicalJson(wanted)}`);
  return out;
}
