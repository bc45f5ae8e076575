/**
 * The scan's comparison (src/orchestrate/scan/compare.ts) and its list of unmanaged objects (unmanaged.ts), on catalogs
 * built by hand: what is a difference (and so goes to the engine), what is not, and which remedy each object gets.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFleet } from "../../../../src/core/load";
import type { ControlPlane, Tenant } from "../../../../src/core/model";
import type { CatalogRole, DatabaseContents, ServerCatalog } from "../../../../src/orchestrate/scan/catalog";
import { providerDifferences, realWorldDifferences } from "../../../../src/orchestrate/scan/compare";
import { expectedResources } from "../../../../src/orchestrate/scan/expected";
import type { RegistryListing } from "../../../../src/orchestrate/scan/registryListing";
import type { StackState } from "../../../../src/orchestrate/scan/stackStates";
import { unmanagedOnServer } from "../../../../src/orchestrate/scan/unmanaged";
import { runOutcome } from "../../../../src/report/runReport";

let tenants: Map<string, Tenant>;
let template: ControlPlane;
beforeAll(() => {
  const fleet = loadFleet({ dir: "tenants", cwd: join(__dirname, "..", "..", "..", "..") });
  tenants = new Map(fleet.tenants.map((t) => [t.slug, t]));
  template = fleet.controlPlane!;
});

const DB_ONLY = { features: { dns: false, tls: false, auth: false, registry: false }, authProvider: "auth0" } as const;
const NO_STATE: StackState = { kind: "deployed", resources: [], pending: 0 };

const role = (overrides: Partial<CatalogRole> = {}): CatalogRole => ({
  login: true,
  connectionLimit: 10,
  superuser: false,
  createDatabase: false,
  createRole: false,
  inherit: true,
  replication: false,
  bypassRowLevelSecurity: false,
  validUntil: null,
  settings: { search_path: "tenant_globex, public" },
  memberOf: [],
  memberWithAdmin: [],
  ...overrides,
});

const owner = (name: string) => ({ grantee: name, privilege: "CREATE", grantable: false });

/** globex, a schema tenant in `tenants`, exactly as its files say. */
function globexWorld(): {
  catalog: ServerCatalog;
  contents: DatabaseContents & { settings: Map<string, Map<string, { value: unknown; seedOnly: boolean }>> };
} {
  const settings = new Map<string, { value: unknown; seedOnly: boolean }>([
    ["locale", { value: "en-US", seedOnly: false }],
    ["features.sso", { value: false, seedOnly: false }],
    ["features.auditLog", { value: true, seedOnly: false }],
    ["security.mfa", { value: "required", seedOnly: false }],
    ["security.sessionTimeoutMinutes", { value: 60, seedOnly: false }],
    ["branding.primaryColor", { value: "#1f6feb", seedOnly: true }],
  ]);
  const contents = {
    schemas: new Map([["tenant_globex", { owner: "tenant_globex", privileges: [owner("tenant_globex")] }]]),
    defaultPrivileges: new Map([
      ["tenant_globex/f", [{ grantee: "tenant_globex", privilege: "EXECUTE", grantable: false }]],
      ["tenant_globex/T", [{ grantee: "tenant_globex", privilege: "USAGE", grantable: false }]],
    ]),
    extensions: new Map([["pgcrypto", { schema: "public", version: "1.3" }]]),
    settings: new Map([["tenant_globex", settings]]),
    migrationDrift: new Map(),
  };
  const catalog: ServerCatalog = {
    roles: new Map([["tenant_globex", role()]]),
    databases: new Map([
      [
        "tenants",
        {
          owner: "admin",
          allowConnections: true,
          connectionLimit: -1,
          isTemplate: false,
          privileges: [{ grantee: "tenant_globex", privilege: "CONNECT", grantable: false }],
        },
      ],
    ]),
    contents: new Map([["tenants", { ok: true, value: contents }]]),
  };
  return { catalog, contents };
}

type Rows = Map<string, { value: unknown; seedOnly: boolean }>;
const rowsOf = (contents: DatabaseContents) => contents.settings.get("tenant_globex") as Rows;

const differences = (catalog: ServerCatalog) =>
  realWorldDifferences(expectedResources(tenants.get("globex")!, DB_ONLY, template).resources, NO_STATE, {
    catalog: { ok: true, value: catalog },
  });

describe("the scan's comparison with the real world", () => {
  it("finds nothing where the world is as the files say, whatever the tenant's own rows and seed-only values", () => {
    const { catalog, contents } = globexWorld();
    rowsOf(contents).set("branding.primaryColor", { value: "#000000", seedOnly: true });
    rowsOf(contents).set("custom.mine", { value: 1, seedOnly: false });
    expect(differences(catalog)).toEqual([]);
  });

  it("holds the attributes the program leaves unset to the provider's defaults", () => {
    const { catalog } = globexWorld();
    (catalog.roles as Map<string, CatalogRole>).set(
      "tenant_globex",
      role({
        createDatabase: true,
        memberOf: ["pg_read_all_data"],
        settings: { search_path: '"tenant_globex", public', statement_timeout: "5s" },
      }),
    );
    expect(differences(catalog)).toEqual([
      "globex-role: createDatabase is true, expected false",
      'globex-role: roles (memberships) is ["pg_read_all_data"], expected []',
      "globex-role: statement_timeout is 5s, expected unset",
    ]);
  });

  it("reads privileges as PostgreSQL applies them: a grant more, a grant option, the built-in defaults", () => {
    const { catalog, contents } = globexWorld();
    (
      contents.schemas as Map<
        string,
        { owner: string; privileges: { grantee: string; privilege: string; grantable: boolean }[] }
      >
    ).set("tenant_globex", {
      owner: "tenant_globex",
      privileges: [owner("tenant_globex"), { grantee: "public", privilege: "USAGE", grantable: false }],
    });
    (catalog.databases.get("tenants")!.privileges as { grantee: string; privilege: string; grantable: boolean }[])[0] =
      {
        grantee: "tenant_globex",
        privilege: "CONNECT",
        grantable: true,
      };
    // No row of its own: the built-in default lets PUBLIC execute the role's new functions.
    (contents.defaultPrivileges as Map<string, unknown>).set("tenant_globex/f", [
      { grantee: "public", privilege: "EXECUTE", grantable: false },
    ]);
    expect(differences(catalog)).toEqual([
      "globex-revoke-public-schema: public holds [USAGE], the files say []",
      "globex-connect-shared-database: tenant_globex may grant them on",
      "globex-default-privileges-function: public gets [EXECUTE] on new functions, the files say []",
    ]);
  });

  it("compares settings values as JSON, not as text, and says which managed row is gone", () => {
    const { catalog, contents } = globexWorld();
    const rows = rowsOf(contents);
    rows.delete("features.sso");
    rows.set("locale", { value: "fr-FR", seedOnly: false });
    expect(differences(catalog)).toEqual([
      'globex-settings-table: settings.locale is "fr-FR", the files say "en-US"',
      "globex-settings-table: settings.features.sso is missing",
    ]);
  });

  it("cannot compare what it could not read: the tenant goes to the engine", () => {
    const { catalog } = globexWorld();
    const unread: ServerCatalog = {
      ...catalog,
      contents: new Map([["tenants", { ok: false, reason: "database tenants could not be read: boom" }]]),
    };
    expect(differences(unread).length).toBeGreaterThan(0);
    expect(
      realWorldDifferences(expectedResources(tenants.get("globex")!, DB_ONLY, template).resources, NO_STATE, {
        catalog: { ok: false, reason: "connection refused" },
      }),
    ).toEqual(["the database server could not be read: connection refused"]);
  });
});

describe("the scan's comparison of what the registry and the migrations add", () => {
  const WITH_REGISTRY = {
    features: { dns: false, tls: false, auth: false, registry: true },
    authProvider: "auth0",
  } as const;
  const ADDRESS = { host: "db.internal.example.com", port: 5432 };

  /** globex's rows as its stack writes them, with the column only migrations write. */
  function registry(): {
    tenants: Map<string, Record<string, unknown>>;
    domains: Map<string, Record<string, Record<string, unknown>>>;
  } {
    return {
      tenants: new Map([
        [
          "globex",
          {
            name: "Globex Labs",
            plan: "basic",
            status: "active",
            limits: { users: 100, dbConnections: 10 },
            server: "primary",
            host: "db.internal.example.com",
            port: 5432,
            database: "tenants",
            schema: "tenant_globex",
            role: "tenant_globex",
            organization_id: null,
            migration_version: 7,
          },
        ],
      ]),
      domains: new Map([
        [
          "globex",
          {
            "globex.app.example.com": { kind: "platform", is_primary: true, tls_status: "none", customer_records: [] },
            "tenants.globex.io": { kind: "custom", is_primary: false, tls_status: "none", customer_records: [] },
          },
        ],
      ]),
    };
  }

  /** globex's catalog with the runtime role a member of its role. */
  function world() {
    const { catalog, contents } = globexWorld();
    (catalog.roles as Map<string, CatalogRole>).set(
      "tenantctl_runtime",
      role({ inherit: false, settings: {}, memberOf: ["tenant_globex"] }),
    );
    return { catalog, contents };
  }

  const compare = (
    catalog: ServerCatalog,
    rows: RegistryListing | undefined,
    slug = "globex",
    address: { host: string; port: number } | null = ADDRESS,
  ) =>
    realWorldDifferences(expectedResources(tenants.get(slug)!, WITH_REGISTRY, template).resources, NO_STATE, {
      catalog: { ok: true, value: catalog },
      ...(rows ? { registry: { ok: true as const, value: rows } } : {}),
      ...(address ? { address } : {}),
    });

  it("finds nothing where the rows, the runtime role's membership and the migrations are as the files say", () => {
    const names = expectedResources(tenants.get("globex")!, WITH_REGISTRY, template).resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["globex-rows", "globex-runtime-member", "globex-migrations"]));
    expect(compare(world().catalog, registry())).toEqual([]);
  });

  it("flags a hand edit of a row or a domain, but not migration_version, which only migrations write", () => {
    const rows = registry();
    rows.tenants.get("globex")!["migration_version"] = 0;
    expect(compare(world().catalog, rows)).toEqual([]);
    rows.tenants.get("globex")!["plan"] = "enterprise";
    rows.tenants.get("globex")!["limits"] = { dbConnections: 10, users: 1 };
    rows.domains.get("globex")!["tenants.globex.io"]!["is_primary"] = true;
    rows.domains.get("globex")!["extra.example.com"] = {
      kind: "custom",
      is_primary: false,
      tls_status: "none",
      customer_records: [],
    };
    expect(compare(world().catalog, rows)).toEqual([
      'globex-rows: row.plan is "enterprise", the files say "basic"',
      'globex-rows: row.limits is {"dbConnections":10,"users":1}, the files say {"dbConnections":10,"users":100}',
      'globex-rows: domain tenants.globex.io is {"customer_records":[],"is_primary":true,"kind":"custom","tls_status":"none"}, the files say {"customer_records":[],"is_primary":false,"kind":"custom","tls_status":"none"}',
      "globex-rows: domain extra.example.com is in the registry, not in the files",
    ]);
  });

  it("flags a row that is gone, another address, and a registry it could not read", () => {
    const rows = registry();
    rows.tenants.delete("globex");
    rows.domains.delete("globex");
    expect(compare(world().catalog, rows)).toEqual([
      "globex-rows: no row for globex in the registry's tenants table",
      "globex-rows: domain globex.app.example.com is not in the registry",
      "globex-rows: domain tenants.globex.io is not in the registry",
    ]);
    expect(compare(world().catalog, registry(), "globex", { host: "10.0.0.9", port: 5432 })).toEqual([
      'globex-rows: row.host is "db.internal.example.com", the files say "10.0.0.9"',
    ]);
    expect(compare(world().catalog, undefined)).toEqual(["globex-rows: the registry was not read"]);
    expect(compare(world().catalog, registry(), "globex", null)).toEqual([
      "globex-rows: where this deployment reaches the server is not known",
    ]);
  });

  it("flags the runtime role's membership revoked or held with the admin option, and its CONNECT revoked", () => {
    const { catalog } = world();
    const roles = catalog.roles as Map<string, CatalogRole>;
    roles.set("tenantctl_runtime", role({ inherit: false, memberOf: [] }));
    expect(compare(catalog, registry())).toEqual([
      "globex-runtime-member: tenantctl_runtime is not a member of tenant_globex",
    ]);
    roles.set("tenantctl_runtime", role({ memberOf: ["tenant_globex"], memberWithAdmin: ["tenant_globex"] }));
    expect(compare(catalog, registry())).toEqual([
      "globex-runtime-member: tenantctl_runtime may grant tenant_globex on (admin option)",
    ]);
    roles.delete("tenantctl_runtime");
    expect(compare(catalog, registry())).toEqual(["globex-runtime-member: role tenantctl_runtime does not exist"]);
    // A tenant with its own database: the runtime role's CONNECT on it is a grant like the others.
    const acme = expectedResources(tenants.get("acme")!, WITH_REGISTRY, template).resources;
    expect(acme.find((r) => r.name === "acme-runtime-connect")?.inputs).toEqual({
      database: "tenant_acme",
      role: "tenantctl_runtime",
      objectType: "database",
      privileges: ["CONNECT"],
    });
  });

  it("flags a tenant whose applied migrations differ from the files, and one whose were not read", () => {
    const { catalog, contents } = world();
    (contents as { migrationDrift?: Map<string, unknown> }).migrationDrift = new Map([
      ["globex", { missing: [], unknown: ["0009_hand.sql"], edited: ["0001_users.sql"] }],
    ]);
    expect(compare(catalog, registry())).toEqual([
      "globex-migrations: migrations unknown: 0009_hand.sql",
      "globex-migrations: migrations edited: 0001_users.sql",
    ]);
    delete (contents as { migrationDrift?: unknown }).migrationDrift;
    expect(compare(catalog, registry())).toEqual(["globex-migrations: the applied migrations were not read"]);
  });
});

describe("the deployment's own settings", () => {
  it("tell a stack deployed with another admin host, port or TLS mode from one deployed as this run would", () => {
    const deployed: StackState = {
      kind: "deployed",
      pending: 0,
      resources: [
        {
          type: "pulumi:providers:postgresql",
          name: "db-primary",
          inputs: {
            host: "127.0.0.1",
            port: "5432",
            username: "admin",
            sslmode: "disable",
            superuser: "true",
            database: "postgres",
          },
          outputs: {},
        },
      ],
    };
    const admin = { host: "127.0.0.1", port: 5432, username: "admin", sslmode: "disable", superuser: true };
    expect(providerDifferences(deployed, "primary", admin)).toEqual([]);
    expect(providerDifferences(deployed, "primary", { ...admin, port: 6543 })).toEqual([
      'provider db-primary: port is "5432" in the state, "6543" now',
    ]);
  });
});

describe("unmanaged objects", () => {
  it("lists what no tenant file owns under tenantctl's names, with adopt or the statement that drops it", () => {
    const { catalog } = globexWorld();
    const roles = catalog.roles as Map<string, CatalogRole>;
    for (const name of ["tenant_acme", "tenant_gone", "tenantctl_runtime", "app_user", "admin"])
      roles.set(name, role());
    const databases = catalog.databases as Map<
      string,
      ServerCatalog["databases"] extends ReadonlyMap<string, infer D> ? D : never
    >;
    for (const name of ["tenant_acme", "tenant_ghost", "postgres", "tenantctl", "reports"])
      databases.set(name, {
        owner: "admin",
        allowConnections: true,
        connectionLimit: -1,
        isTemplate: false,
        privileges: [],
      });
    const owners = {
      tenants: [...tenants.values()],
      // globex's stack holds its role and schema; acme's holds nothing yet.
      held: (slug: string) => new Set(slug === "globex" ? ["role:tenant_globex", "schema:tenants.tenant_globex"] : []),
      shared: { databases: new Set(["tenants", "tenantctl"]), roles: new Set(["tenantctl_runtime"]) },
    };
    const listed = unmanagedOnServer("primary", "admin", catalog, owners, false);
    expect(listed.map((o) => [o.kind, o.name, o.remedy.split(";")[0]])).toEqual([
      ["role", "tenant_acme", "tenantctl adopt acme"],
      ["role", "tenant_gone", 'REASSIGN OWNED BY "tenant_gone" TO "admin"'],
      ["database", "tenant_acme", "tenantctl adopt acme"],
      ["database", "tenant_ghost", 'DROP DATABASE "tenant_ghost"'],
    ]);
    const everything = unmanagedOnServer("primary", "admin", catalog, owners, true).map((o) => o.name);
    expect(everything).toEqual(expect.arrayContaining(["app_user", "reports", "tenant_ghost"]));
    expect(everything).not.toContain("postgres");
    expect(everything).not.toContain("tenantctl");
  });

  it("make drift exit 3, and a failed stack still exit 1", () => {
    const unmanaged = [
      { kind: "database" as const, name: "tenant_ghost", server: "primary", remedy: "DROP DATABASE …" },
    ];
    expect(runOutcome({ operation: "drift", tenants: [], seconds: 1, unmanaged })).toBe("drift");
    expect(runOutcome({ operation: "drift", tenants: [], seconds: 1, unmanaged: [] })).toBe("ok");
    expect(
      runOutcome({
        operation: "drift",
        seconds: 1,
        unmanaged,
        tenants: [{ slug: "a", stack: "a", outcome: "failed", changes: {}, resources: [], seconds: 1 }],
      }),
    ).toBe("failed");
  });
});
