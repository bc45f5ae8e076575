import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TenantDatabase } from "../../infra/components/TenantDatabase";
import type { Tenant } from "../../src/core/model";
import { isSecretValue, recordResources, resolvedValue, type RecordedResource } from "../support/pulumiMocks";
import { buildTenant } from "../support/tenantFixtures";

const MOCK_PASSWORD = "mock-generated-password-0123456789";
const COMPONENT = "tenantctl:index:TenantDatabase";

/** What the mock monitor received for one child of the component, by its name without the component's prefix. */
interface Registration extends RecordedResource {
  /** The provider reference the resource was registered with (`<urn>::<id>`), if any. */
  readonly provider: string | undefined;
}

/** The resource options a child was constructed with, seen through a transformation on the component. */
interface Construction {
  readonly type: string;
  readonly name: string;
  readonly opts: pulumi.CustomResourceOptions;
}

interface Built {
  readonly component: TenantDatabase;
  readonly provider: postgresql.Provider;
  readonly constructions: readonly Construction[];
  /** The component's children, by resource name without the component's prefix. */
  readonly registered: ReadonlyMap<string, Registration>;
}

async function build(tenant: Tenant, extra: { host?: string; port?: number } = {}): Promise<Built> {
  const providers = new Map<string, string | undefined>();
  // Fresh mocks per build, so nothing an earlier build registered can answer for this one.
  const recorder = await recordResources({
    state(resource) {
      providers.set(resource.name, resource.provider);
      // The dynamic provider never runs under mocks: stand in for what its create would return.
      return resource.type === "pulumi-nodejs:dynamic:GeneratedPassword" ? { value: MOCK_PASSWORD } : undefined;
    },
  });
  const name = tenant.slug;
  const provider = new postgresql.Provider("db-primary", {
    host: "db.internal.example.com",
    username: "admin",
    password: "x",
  });
  const constructions: Construction[] = [];
  const component = new TenantDatabase(
    name,
    { tenant, provider, ...extra },
    {
      // Transformations of a component apply to its children: the one honest window onto the options
      // (retainOnDelete, parent, provider) each child was created with, which the mock monitor never sees.
      transformations: [
        (args) => {
          constructions.push({ type: args.type, name: args.name, opts: args.opts });
          return undefined;
        },
      ],
    },
  );
  await resolvedValue(component.connectionString);
  const children = (await recorder.settled()).filter((r) => r.name.startsWith(`${name}-`));
  const registered = new Map(
    children.map((r) => [r.name.slice(name.length + 1), { ...r, provider: providers.get(r.name) }]),
  );
  return {
    component,
    provider,
    constructions: constructions.map((c) => ({ ...c, name: c.name.slice(name.length + 1) })),
    registered,
  };
}

function registration(built: Built, name: string): Registration {
  const found = built.registered.get(name);
  if (!found) throw new Error(`no resource ${name}; registered: ${[...built.registered.keys()].join(", ")}`);
  return found;
}

function optionsOf(built: Built, name: string): pulumi.CustomResourceOptions {
  const found = built.constructions.find((c) => c.name === name);
  if (!found) throw new Error(`no construction of ${name}`);
  return found.opts;
}

describe("TenantDatabase with isolation: schema", () => {
  const tenant = buildTenant("globex");
  let built: Built;
  beforeAll(async () => {
    built = await build(tenant);
  });

  it("creates a role, a schema in the shared database, grants, default privileges and extensions", () => {
    expect([...built.registered.entries()].map(([name, r]) => `${r.type} ${name}`).sort()).toEqual([
      "postgresql:index/defaultPrivileges:DefaultPrivileges default-privileges-function",
      "postgresql:index/defaultPrivileges:DefaultPrivileges default-privileges-type",
      "postgresql:index/extension:Extension extension-pgcrypto",
      "postgresql:index/grant:Grant connect-shared-database",
      "postgresql:index/grant:Grant revoke-public-schema",
      "postgresql:index/role:Role role",
      "postgresql:index/schema:Schema schema",
      "pulumi-nodejs:dynamic:GeneratedPassword password",
    ]);
  });

  it("gives the role the plan's connection limit, login, a secret password and its schema first on the search path", async () => {
    const role = registration(built, "role").inputs;
    expect(role).toMatchObject({
      name: "tenant_globex",
      login: true,
      connectionLimit: 10,
      searchPaths: ["tenant_globex", "public"],
    });
    expect(isSecretValue(role["password"])).toBe(true);
    expect(await pulumi.isSecret(built.component.nodes.role.password)).toBe(true);
  });

  it("generates the password with a dynamic provider that serializes without dragging modules into state", () => {
    const serialized = registration(built, "password").inputs["__provider"];
    expect(serialized).toEqual(expect.stringContaining("randomBytes"));
    expect(serialized).not.toEqual(expect.stringContaining("@pulumi/pulumi"));
  });

  it("puts the tenant's schema in the server's shared database, owned by the tenant's role", () => {
    expect(registration(built, "schema").inputs).toMatchObject({
      name: "tenant_globex",
      database: "tenants",
      owner: "tenant_globex",
    });
  });

  it("strips PUBLIC of every right on the schema and lets the tenant connect to the shared database", () => {
    expect(registration(built, "revoke-public-schema").inputs).toEqual({
      database: "tenants",
      schema: "tenant_globex",
      role: "public",
      objectType: "schema",
      privileges: [],
    });
    expect(registration(built, "connect-shared-database").inputs).toEqual({
      database: "tenants",
      role: "tenant_globex",
      objectType: "database",
      privileges: ["CONNECT"],
    });
  });

  it("revokes PUBLIC's default access to functions and types the tenant creates, database-wide", () => {
    for (const objectType of ["function", "type"]) {
      expect(registration(built, `default-privileges-${objectType}`).inputs).toEqual({
        database: "tenants",
        owner: "tenant_globex",
        role: "public",
        objectType,
        privileges: [],
      });
    }
  });

  it("installs extensions in the shared database without pinning a schema", () => {
    expect(registration(built, "extension-pgcrypto").inputs).toEqual({ name: "pgcrypto", database: "tenants" });
  });

  it("retains the role, the schema and the shared extension on delete, and only those", () => {
    expect(optionsOf(built, "role").retainOnDelete).toBe(true);
    expect(optionsOf(built, "schema").retainOnDelete).toBe(true);
    expect(optionsOf(built, "extension-pgcrypto").retainOnDelete).toBe(true);
    expect(optionsOf(built, "revoke-public-schema").retainOnDelete).toBeUndefined();
    expect(optionsOf(built, "password").retainOnDelete).toBeUndefined();
  });

  it("parents every resource to the component and sends every PostgreSQL resource through the server's provider", async () => {
    const providerUrn = await resolvedValue(built.provider.urn);
    expect(built.registered.size).toBe(8);
    for (const [name, r] of built.registered) {
      expect(optionsOf(built, name).parent, name).toBe(built.component);
      expect(r.parentType, name).toBe(COMPONENT);
      if (r.type.startsWith("postgresql:")) {
        expect(optionsOf(built, name).provider, name).toBe(built.provider);
        expect(r.provider, name).toContain(providerUrn);
      }
    }
  });

  it("outputs where to connect, with the connection string as a secret", async () => {
    const { component } = built;
    expect(await resolvedValue(component.host)).toBe("db.internal.example.com");
    expect(await resolvedValue(component.port)).toBe(5432);
    expect(await resolvedValue(component.database)).toBe("tenants");
    expect(await resolvedValue(component.schema)).toBe("tenant_globex");
    expect(await resolvedValue(component.user)).toBe("tenant_globex");
    expect(await resolvedValue(component.connectionString)).toBe(
      `postgresql://tenant_globex:${MOCK_PASSWORD}@db.internal.example.com:5432/tenants`,
    );
    expect(await pulumi.isSecret(component.connectionString)).toBe(true);
    expect(await pulumi.isSecret(component.password)).toBe(true);
    expect(await pulumi.isSecret(component.user)).toBe(false);
  });
});

describe("TenantDatabase with isolation: database", () => {
  const tenant = buildTenant("acme", {
    database: { isolation: "database", extensions: ["pgcrypto", "pg_trgm"], connectionLimit: 100 },
  });
  let built: Built;
  beforeAll(async () => {
    built = await build(tenant);
  });

  it("creates a database owned by the tenant's role instead of a schema", () => {
    expect([...built.registered.keys()].sort()).toEqual([
      "database",
      "default-privileges-function",
      "default-privileges-type",
      "extension-pg_trgm",
      "extension-pgcrypto",
      "password",
      "revoke-public-database",
      "role",
    ]);
    expect(registration(built, "database").inputs).toEqual({ name: "tenant_acme", owner: "tenant_acme" });
    expect(registration(built, "role").inputs).toMatchObject({
      name: "tenant_acme",
      login: true,
      connectionLimit: 100,
    });
    // Its own database: `public` is the tenant's schema, the default search path is right.
    expect(registration(built, "role").inputs["searchPaths"]).toBeUndefined();
  });

  it("revokes CONNECT and TEMP from PUBLIC on the tenant database (an empty privilege list revokes all)", () => {
    expect(registration(built, "revoke-public-database").inputs).toEqual({
      database: "tenant_acme",
      role: "public",
      objectType: "database",
      privileges: [],
    });
  });

  it("installs every extension, and sets default privileges, in the tenant's own database", () => {
    expect(registration(built, "extension-pg_trgm").inputs).toEqual({ name: "pg_trgm", database: "tenant_acme" });
    expect(registration(built, "extension-pgcrypto").inputs).toEqual({ name: "pgcrypto", database: "tenant_acme" });
    expect(registration(built, "default-privileges-function").inputs).toMatchObject({
      database: "tenant_acme",
      owner: "tenant_acme",
    });
  });

  it("retains the database and the role on delete", () => {
    expect(optionsOf(built, "database").retainOnDelete).toBe(true);
    expect(optionsOf(built, "role").retainOnDelete).toBe(true);
    expect(optionsOf(built, "revoke-public-database").retainOnDelete).toBeUndefined();
  });

  it("connects to the tenant's own database", async () => {
    expect(await resolvedValue(built.component.database)).toBe("tenant_acme");
    expect(await resolvedValue(built.component.schema)).toBe("public");
    expect(await resolvedValue(built.component.connectionString)).toBe(
      `postgresql://tenant_acme:${MOCK_PASSWORD}@db.internal.example.com:5432/tenant_acme`,
    );
  });
});

describe("TenantDatabase by tenant status", () => {
  it.each(["suspended", "decommissioned"] as const)(
    "keeps a %s tenant's role and data but turns its login off",
    async (status) => {
      const built = await build(buildTenant("initech", { status }));
      expect(registration(built, "role").inputs).toMatchObject({ name: "tenant_initech", login: false });
      expect(optionsOf(built, "role").retainOnDelete).toBe(true);
      expect(optionsOf(built, "schema").retainOnDelete).toBe(true);
      expect(isSecretValue(registration(built, "role").inputs["password"])).toBe(true);
    },
  );
});

describe("TenantDatabase endpoint", () => {
  it("reports the host and port clients must use when the server is reached elsewhere than the template says", async () => {
    const built = await build(buildTenant("globex"), { host: "127.0.0.1", port: 6543 });
    expect(await resolvedValue(built.component.host)).toBe("127.0.0.1");
    expect(await resolvedValue(built.component.port)).toBe(6543);
    expect(await resolvedValue(built.component.connectionString)).toBe(
      `postgresql://tenant_globex:${MOCK_PASSWORD}@127.0.0.1:6543/tenants`,
    );
  });
});
