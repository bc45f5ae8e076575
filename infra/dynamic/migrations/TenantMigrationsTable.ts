/** The tenant's migrations as a dynamic resource (provider.ts): what the files are, and where they are applied. */
import * as pulumi from "@pulumi/pulumi";
import type { MigrationFile } from "../../../src/core/migrations/migrationFiles";
import type { Tenant } from "../../../src/core/model";
import { PrebuiltDynamicResource } from "../prebuilt";
import type { AdminConnection } from "../settings/adminConnection";
import { type DeclaredMigration, TENANT_MIGRATIONS_PROVIDER_SOURCE } from "./provider";

/** What a stack declares of each migration file: its name and checksum, not its text. */
export function declaredMigrations(files: readonly MigrationFile[]): DeclaredMigration[] {
  return files.map(({ version, name, fileName, sha256, noTransaction }) => ({
    version,
    name,
    fileName,
    sha256,
    noTransaction,
  }));
}

export interface TenantMigrationsArgs {
  readonly tenant: Tenant;
  readonly files: readonly MigrationFile[];
  /** The migrations folder on this machine, absolute. */
  readonly dir: string;
  readonly connection: pulumi.Input<AdminConnection>;
  /** Where the registry is, and the admin connection to its server: `migration_version` is written there. */
  readonly registry?: {
    readonly connection: pulumi.Input<AdminConnection>;
    readonly database: string;
    readonly schema: string;
  };
}

export class TenantMigrations extends PrebuiltDynamicResource {
  declare public readonly migrations: pulumi.Output<DeclaredMigration[]>;

  constructor(name: string, args: TenantMigrationsArgs, opts: pulumi.CustomResourceOptions = {}) {
    const { tenant } = args;
    super(
      TENANT_MIGRATIONS_PROVIDER_SOURCE,
      "TenantMigrations",
      name,
      {
        // The whole connection is secret (not only the password) so that it stays secret in state.
        connection: pulumi.secret(args.connection),
        slug: tenant.slug,
        database: tenant.database.databaseName,
        schema: tenant.database.schemaName,
        role: tenant.database.roleName,
        dir: args.dir,
        migrations: declaredMigrations(args.files),
        // Absent (no registry feature): the tenant's own tenantctl_migrations is the record.
        registry: args.registry ? { ...args.registry, connection: pulumi.secret(args.registry.connection) } : undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection", "registry"] },
    );
  }
}
