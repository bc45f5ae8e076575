import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { ControlPlane } from "../../src/core/model";
import { REGISTRY_READER_ROLE, RUNTIME_ROLE } from "../../src/core/registry";
import type { DatabaseServerAccess } from "../context/databaseServerAccess";
import { GeneratedPassword } from "../dynamic/generatedPassword";
import { postgresUrl } from "../components/TenantDatabase";
import { RegistrySchema } from "./registrySchema";

/** What a run asks of the runtime role's password (`tenantctl rotate`): stage a next one, or commit it. */
export interface RuntimeRotation {
  readonly token: string;
  readonly step: "stage" | "commit";
}

export interface ControlPlaneRegistryArgs {
  readonly controlPlane: ControlPlane;
  /** Admin access to each template server (the deployment context's `databaseServer`). */
  readonly access: (serverName: string) => DatabaseServerAccess;
  /** Shared tenants databases by server name: the runtime role may connect to them (schema tenants live there). */
  readonly sharedDatabases: Readonly<Record<string, postgresql.Database>>;
  /** @default no rotation */
  readonly runtimeRotation?: RuntimeRotation;
}

/**
 * The registry and the two roles apps use (DESIGN.md, "The registry"), in the control-plane stack:
 *
 * - the registry's database (retained like tenant data; PUBLIC may not connect), its schema `tenantctl` and the tables
 *   `tenants` and `tenant_domains` (RegistrySchema, idempotent DDL);
 * - `tenantctl_registry_reader`: LOGIN, CONNECT on the registry's database, USAGE on its schema, SELECT on its two
 *   tables, nothing else;
 * - `tenantctl_runtime`: LOGIN NOINHERIT, on every template server (a role belongs to one cluster), one password for
 *   all of them, CONNECT on each shared tenants database. Each active tenant's stack grants it its role and CONNECT on
 *   its own database (TenantRegistration), so a pooled app reaches a tenant's data only after `SET ROLE`.
 */
export class ControlPlaneRegistry extends pulumi.ComponentResource {
  /** Where the registry is: plain values (a stack output). */
  public readonly location: pulumi.Output<{
    server: string;
    host: string;
    port: number;
    database: string;
    schema: string;
  }>;
  /** Secret: `postgresql://tenantctl_registry_reader:…@host:port/<registry database>`. */
  public readonly readerUrl: pulumi.Output<string>;
  /** Secret: `{user, passwords}`, the current password first, a staged next one before it during a rotation. */
  public readonly runtimeCredentials: pulumi.Output<{ user: string; passwords: string[] }>;

  constructor(name: string, args: ControlPlaneRegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:ControlPlaneRegistry", name, {}, opts);
    const parent = this;
    const { controlPlane } = args;
    const spec = controlPlane.registry;
    const registryAccess = args.access(spec.server);
    const provider = registryAccess.provider;

    const database = createDatabase();
    createPublicRevoke();
    const readerPassword = new GeneratedPassword(`${name}-reader-password`, {}, { parent });
    const reader = createReader();
    const readerConnect = createReaderConnect();
    createSchema();
    const runtimePassword = createRuntimePassword();
    for (const server of controlPlane.databaseServers) createRuntimeRole(server.name);

    this.location = pulumi.output({
      server: spec.server,
      host: registryAccess.host,
      port: registryAccess.port,
      database: spec.database,
      schema: spec.schema,
    });
    this.readerUrl = pulumi.secret(
      pulumi
        .all([readerPassword.value, reader.name, database.name])
        .apply(([password, user, db]) =>
          postgresUrl({ user, password, host: registryAccess.host, port: registryAccess.port, database: db }),
        ),
    );
    this.runtimeCredentials = pulumi.secret(
      pulumi.all([runtimePassword.value, runtimePassword.next]).apply(([current, next]) => ({
        user: RUNTIME_ROLE,
        passwords: next ? [next, current] : [current],
      })),
    );
    this.registerOutputs({ location: this.location });

    function createDatabase(): postgresql.Database {
      return new postgresql.Database(
        `${name}-database`,
        { name: spec.database },
        { parent, provider, retainOnDelete: true },
      );
    }

    function createPublicRevoke(): postgresql.Grant {
      return new postgresql.Grant(
        `${name}-revoke-public`,
        { database: database.name, role: "public", objectType: "database", privileges: [] },
        { parent, provider },
      );
    }

    function createReader(): postgresql.Role {
      return new postgresql.Role(
        `${name}-reader`,
        { name: REGISTRY_READER_ROLE, login: true, password: pulumi.secret(readerPassword.value) },
        { parent, provider },
      );
    }

    function createReaderConnect(): postgresql.Grant {
      return new postgresql.Grant(
        `${name}-reader-connect`,
        { database: database.name, role: reader.name, objectType: "database", privileges: ["CONNECT"] },
        { parent, provider },
      );
    }

    function createSchema(): RegistrySchema {
      return new RegistrySchema(
        `${name}-schema`,
        { connection: registryAccess.connection, database: database.name, schema: spec.schema, reader: reader.name },
        { parent, dependsOn: [readerConnect] },
      );
    }

    function createRuntimePassword(): GeneratedPassword {
      const rotation = args.runtimeRotation;
      return new GeneratedPassword(`${name}-runtime-password`, rotation ? { [rotation.step]: rotation.token } : {}, {
        parent,
      });
    }

    function createRuntimeRole(serverName: string): void {
      const access = args.access(serverName);
      const role = new postgresql.Role(
        `${name}-runtime-${serverName}`,
        // NOINHERIT (PostgreSQL 15: the role attribute): membership in a tenant's role gives nothing until SET ROLE.
        { name: RUNTIME_ROLE, login: true, inherit: false, password: pulumi.secret(runtimePassword.value) },
        { parent, provider: access.provider },
      );
      const shared = args.sharedDatabases[serverName];
      if (shared) {
        new postgresql.Grant(
          `${name}-runtime-${serverName}-connect-shared`,
          { database: shared.name, role: role.name, objectType: "database", privileges: ["CONNECT"] },
          { parent, provider: access.provider },
        );
      }
    }
  }
}
