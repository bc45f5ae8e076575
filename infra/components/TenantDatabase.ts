import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../../src/core/model";
import type { DatabaseImports } from "../adopt/adoptionPlan";
import { GeneratedPassword } from "../dynamic/generatedPassword";
import { orFail } from "../resourceErrors";
import { componentsFor } from "../status";

// `@pulumi/postgresql`'s index lazy-loads every resource module (loading it costs a few milliseconds), so
// importing the package root is as cheap as importing `@pulumi/postgresql/role` and friends one by one.

export interface TenantDatabaseArgs {
  /** The resolved tenant; `tenant.database` says what to create, `tenant.status` whether the role may log in. */
  readonly tenant: Tenant;
  /** The provider of the tenant's database server (the deployment context's `databaseServer(...)`, infra/context/). */
  readonly provider: postgresql.Provider;
  /**
   * Host the tenant's clients connect to, in `host` and `connectionString`.
   * @default tenant.database.server.host
   */
  readonly host?: pulumi.Input<string>;
  /**
   * Port the tenant's clients connect to.
   * @default tenant.database.server.port
   */
  readonly port?: pulumi.Input<number>;
  /**
   * Objects that already exist and are taken over (Pulumi `import`) instead of created: a retained tenant that comes
   * back, `tenantctl adopt` (see infra/adopt/). The engine imports, then updates them to what the files say.
   * @default nothing is imported
   */
  readonly imports?: DatabaseImports;
  /**
   * A rotation token (`tenantctl rotate`): the role gets a new password, once per token.
   * @default the password stays
   */
  readonly rotation?: string;
}

/** What `isolation` decides, as plain data: exported so the choice is tested without mocks. */
export interface TenantDatabaseLayout {
  /** Whether the tenant gets a database of its own, or a schema in the server's shared database. */
  readonly ownDatabase: boolean;
  /** Database holding the tenant's data, its grants, default privileges and extensions. */
  readonly database: string;
  readonly schema: string;
  /** Whether the role may log in: only active tenants (see `componentsFor`); the data of the others stays. */
  readonly login: boolean;
  /** Search path of the tenant's role: its schema first, then `public` where the shared extensions live. */
  readonly searchPath?: readonly string[];
}

export function tenantDatabaseLayout(tenant: Tenant): TenantDatabaseLayout {
  const { database } = tenant;
  const login = componentsFor(tenant.status).databaseLogin;
  // The model already names the database (for `isolation: schema`, the server's shared database) and the schema.
  switch (database.isolation) {
    case "database":
      return { ownDatabase: true, database: database.databaseName, schema: database.schemaName, login };
    case "schema":
      return {
        ownDatabase: false,
        database: database.databaseName,
        schema: database.schemaName,
        login,
        searchPath: [database.schemaName, "public"],
      };
    default:
      throw new Error(`Unknown database isolation "${String(database.isolation)}"; use "database" or "schema".`);
  }
}

/** `postgresql://user:password@host:port/database`, each part percent-encoded. */
export function postgresUrl(parts: {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
}): string {
  const e = encodeURIComponent;
  return `postgresql://${e(parts.user)}:${e(parts.password)}@${parts.host}:${parts.port}/${e(parts.database)}`;
}

/**
 * The tenant's PostgreSQL footprint: a login role with a generated password and the plan's connection limit,
 * and either a database it owns (`isolation: database`) or a schema it owns in the server's shared database
 * (`isolation: schema`), with PUBLIC stripped of access and the tenant's extensions installed.
 *
 * The role, database and schema are created with `retainOnDelete`: deleting this component (a decommission,
 * a deleted tenant file, `destroy`) only forgets them, and dropping data stays an explicit act. `protect`
 * would say the same louder, but it would also make every decommission and `destroy` fail until someone
 * edits state by hand, which is the wrong default for a fleet tool.
 */
export class TenantDatabase extends pulumi.ComponentResource {
  public readonly host: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** The database to connect to: the tenant's own, or the server's shared database. */
  public readonly database: pulumi.Output<string>;
  /** The schema holding the tenant's data. */
  public readonly schema: pulumi.Output<string>;
  /** The tenant's login role. */
  public readonly user: pulumi.Output<string>;
  /** Secret. */
  public readonly password: pulumi.Output<string>;
  /** Secret: `postgresql://user:password@host:port/database`. */
  public readonly connectionString: pulumi.Output<string>;
  /** The underlying resources, for dependencies and tests. */
  public readonly nodes: {
    readonly password: GeneratedPassword;
    readonly role: postgresql.Role;
    readonly database?: postgresql.Database;
    readonly schema?: postgresql.Schema;
    readonly grants: readonly postgresql.Grant[];
    readonly defaultPrivileges: readonly postgresql.DefaultPrivileges[];
    readonly extensions: readonly postgresql.Extension[];
  };

  constructor(name: string, args: TenantDatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:TenantDatabase", name, {}, opts);
    const parent = this;
    const { tenant, provider } = args;
    const imports = args.imports ?? { extensions: {} };
    const layout = orFail(this, () => tenantDatabaseLayout(tenant), tenant.file);

    const password = createPassword();
    const role = createRole();
    const database = layout.ownDatabase ? createDatabase() : undefined;
    const schema = layout.ownDatabase ? undefined : createSchema();
    // Everything below needs the database or schema to exist; naming them through these outputs orders it.
    const databaseName = database ? database.name : pulumi.output(layout.database);
    const schemaName = schema ? schema.name : pulumi.output(layout.schema);
    const grants = createGrants();
    const defaultPrivileges = createDefaultPrivileges();
    const extensions = createExtensions();

    this.nodes = { password, role, database, schema, grants, defaultPrivileges, extensions };
    this.host = pulumi.output(args.host ?? tenant.database.server.host);
    this.port = pulumi.output(args.port ?? tenant.database.server.port);
    this.database = databaseName;
    this.schema = schemaName;
    this.user = role.name;
    this.password = pulumi.secret(password.value);
    this.connectionString = pulumi.secret(
      pulumi
        .all([role.name, password.value, this.host, this.port, databaseName])
        .apply(([user, secret, host, port, db]) => postgresUrl({ user, password: secret, host, port, database: db })),
    );

    this.registerOutputs({
      host: this.host,
      port: this.port,
      database: this.database,
      schema: this.schema,
      user: this.user,
      connectionString: this.connectionString,
    });

    function createPassword(): GeneratedPassword {
      return new GeneratedPassword(`${name}-password`, args.rotation !== undefined ? { commit: args.rotation } : {}, {
        parent,
      });
    }

    function createRole(): postgresql.Role {
      return new postgresql.Role(
        `${name}-role`,
        {
          name: tenant.database.roleName,
          login: layout.login,
          // Secret even where the dynamic provider's own marking does not apply (previews, mocks).
          password: pulumi.secret(password.value),
          connectionLimit: tenant.database.connectionLimit,
          searchPaths: layout.searchPath ? [...layout.searchPath] : undefined,
        },
        { parent, provider, retainOnDelete: true, import: imports.role },
      );
    }

    function createDatabase(): postgresql.Database {
      return new postgresql.Database(
        `${name}-database`,
        { name: layout.database, owner: role.name },
        { parent, provider, retainOnDelete: true, import: imports.database },
      );
    }

    function createSchema(): postgresql.Schema {
      return new postgresql.Schema(
        `${name}-schema`,
        { name: layout.schema, database: layout.database, owner: role.name },
        { parent, provider, retainOnDelete: true, import: imports.schema },
      );
    }

    function createGrants(): postgresql.Grant[] {
      // An empty privilege list is how the provider revokes: PUBLIC keeps nothing on the tenant's container.
      if (layout.ownDatabase) {
        return [
          new postgresql.Grant(
            `${name}-revoke-public-database`,
            { database: databaseName, role: "public", objectType: "database", privileges: [] },
            { parent, provider },
          ),
        ];
      }
      return [
        new postgresql.Grant(
          `${name}-revoke-public-schema`,
          { database: layout.database, schema: schemaName, role: "public", objectType: "schema", privileges: [] },
          { parent, provider },
        ),
        // Explicit, so the tenant can still connect once the platform revokes CONNECT on the shared database
        // from PUBLIC (as it should: the shared database is not for everyone).
        new postgresql.Grant(
          `${name}-connect-shared-database`,
          { database: layout.database, role: role.name, objectType: "database", privileges: ["CONNECT"] },
          { parent, provider },
        ),
      ];
    }

    function createDefaultPrivileges(): postgresql.DefaultPrivileges[] {
      // PostgreSQL lets PUBLIC execute new functions and use new types by default. Revoked for objects the
      // tenant's role creates, so what the tenant creates stays the tenant's. Database-wide (no schema):
      // a per-schema default can add privileges but never take away a global default.
      return (["function", "type"] as const).map(
        (objectType) =>
          new postgresql.DefaultPrivileges(
            `${name}-default-privileges-${objectType}`,
            { database: databaseName, owner: role.name, role: "public", objectType, privileges: [] },
            { parent, provider },
          ),
      );
    }

    function createExtensions(): postgresql.Extension[] {
      // Extensions exist once per database. In a tenant database they are the tenant's. In the shared
      // database every tenant stack that needs one declares it: creation is CREATE EXTENSION IF NOT EXISTS,
      // no schema is pinned (so it lands in `public`, on every tenant's search path, and no two stacks argue
      // about where it lives), and it is retained on delete because other tenants use it too. Retained in a
      // tenant database as well: dropping an extension can fail on, or cascade into, the tenant's objects.
      return tenant.database.extensions.map(
        (extension) =>
          new postgresql.Extension(
            `${name}-extension-${extension}`,
            { name: extension, database: databaseName },
            { parent, provider, retainOnDelete: true, import: imports.extensions[extension] },
          ),
      );
    }
  }
}
