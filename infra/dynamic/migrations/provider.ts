/**
 * The tenant's migrations as a resource of its stack, so that a new tenant's `up` (and `pulumi up -s acme` by hand)
 * leaves it at the latest version: `create` and `update` apply what is pending (runner.ts) and write the registry's
 * `migration_version` (registryVersion.ts); `read` reports what the tenant's `tenantctl_migrations` table holds, so a
 * refresh sees a migration not applied yet, one applied that has no file, or an applied file edited since: `drift`
 * shows them as an update of this resource. Never undone: `delete` keeps the tables, which are tenant data.
 *
 * The files travel as their names and checksums, not their text (state stays small); `create` and `update` read them
 * from the folder (`dir`, absolute, not compared: each machine has its own checkout) and refuse a file whose bytes
 * are not the ones the program declared.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AdminConnection } from "../settings/adminConnection";
import { composedProviderSource, loadProviderSource } from "../prebuilt";
import { providerValues, type ProviderValues } from "../providerValues";
import { settingsSemantics } from "../settings/semantics";
import { settingsStore, type SettingsStore } from "../settings/store";
import { migrationRunner, type MigrationRunner } from "./runner";
import { registryVersion, type RegistryVersion } from "./registryVersion";

export interface DeclaredMigration {
  readonly version: number;
  readonly name: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly noTransaction: boolean;
}

export interface TenantMigrationsState {
  readonly connection: AdminConnection;
  readonly slug: string;
  readonly database: string;
  readonly schema: string;
  readonly role: string;
  /** The migrations folder on this machine (absolute). */
  readonly dir: string;
  /** In inputs, the files; in outputs after `read`, what the tenant applied. */
  readonly migrations: readonly DeclaredMigration[];
  /** Where `migration_version` is written (the registry), when the stack has one. */
  readonly registry?: { readonly connection: AdminConnection; readonly database: string; readonly schema: string };
}

export function migrationsProvider(
  { containsUnknown }: ProviderValues,
  _semantics: unknown,
  { sslOptions }: SettingsStore,
  runner: MigrationRunner,
  { writeMigrationVersion }: RegistryVersion,
) {
  async function connected<T>(
    state: Pick<TenantMigrationsState, "connection">,
    database: string,
    work: (client: import("pg").Client) => Promise<T>,
  ): Promise<T> {
    const pg = require("pg") as typeof import("pg");
    const { connection } = state;
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      database,
      ssl: sslOptions(connection.sslmode),
      application_name: "tenantctl migrations",
      connectionTimeoutMillis: 15_000,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  function sameMigrations(a: readonly DeclaredMigration[], b: readonly DeclaredMigration[]): boolean {
    const key = (list: readonly DeclaredMigration[]) =>
      JSON.stringify([...list].sort((x, y) => x.version - y.version).map((m) => [m.version, m.sha256]));
    return key(a) === key(b);
  }

  async function apply(state: TenantMigrationsState): Promise<TenantMigrationsState> {
    const fs = require("node:fs") as typeof import("node:fs");
    const crypto = require("node:crypto") as typeof import("node:crypto");
    const path = require("node:path") as typeof import("node:path");
    const files = state.migrations.map((migration) => {
      const bytes = fs.readFileSync(path.join(state.dir, migration.fileName));
      if (crypto.createHash("sha256").update(bytes).digest("hex") !== migration.sha256)
        throw new Error(`${migration.fileName} changed while the run was going on: run again`);
      return { ...migration, sql: bytes.toString("utf8") };
    });
    const target = { slug: state.slug, database: state.database, schema: state.schema, role: state.role };
    let version = 0;
    try {
      version = await connected(
        state,
        state.database,
        async (client) => (await runner.migrateTenant(client, target, files)).to,
      );
    } catch (error) {
      if (error instanceof runner.MigrationFailed) throw new Error(`migrations of ${state.slug}: ${error.message}`);
      throw error;
    }
    const registry = state.registry;
    if (registry) {
      try {
        await connected(registry, registry.database, (client) =>
          writeMigrationVersion(client, registry.schema, state.slug, version),
        );
      } catch (error) {
        // No registry database yet: the tenant's own table holds the record.
        if ((error as { code?: string }).code !== "3D000") throw error;
      }
    }
    return state;
  }

  const provider: pulumi.dynamic.ResourceProvider<TenantMigrationsState, TenantMigrationsState> = {
    async create(inputs) {
      return { id: `${inputs.database}/${inputs.schema}/${runner.TABLE}`, outs: await apply(inputs) };
    },

    async read(id, props) {
      if (!props) return { id };
      try {
        const applied = await connected(props, props.database, (client) =>
          runner.appliedMigrations(client, {
            slug: props.slug,
            database: props.database,
            schema: props.schema,
            role: props.role,
          }),
        );
        const declared = new Map(props.migrations.map((m) => [m.version, m]));
        const migrations = applied.map((row) => ({
          version: row.version,
          name: row.name,
          fileName: runner.fileNameOf(row),
          sha256: row.sha256,
          noTransaction: declared.get(row.version)?.noTransaction ?? false,
        }));
        return { id, props: { ...props, migrations } };
      } catch (error) {
        // A dropped database applied nothing: every migration is missing.
        if ((error as { code?: string }).code === "3D000") return { id, props: { ...props, migrations: [] } };
        throw error;
      }
    },

    async diff(_id, olds, news) {
      if (containsUnknown(news)) return { changes: true };
      const changes =
        !sameMigrations(olds.migrations, news.migrations) ||
        olds.database !== news.database ||
        olds.schema !== news.schema ||
        olds.role !== news.role ||
        JSON.stringify(olds.connection) !== JSON.stringify(news.connection) ||
        JSON.stringify(olds.registry ?? null) !== JSON.stringify(news.registry ?? null);
      return { changes };
    },

    async update(_id, _olds, news) {
      return { outs: await apply(news) };
    },

    // Migrations made tenant data: removing the resource (a decommission, a tenant file gone) undoes nothing.
    async delete() {},
  };

  return { provider };
}

/** What the engine runs: the factories' own source, composed. */
export const TENANT_MIGRATIONS_PROVIDER_SOURCE = composedProviderSource([
  providerValues,
  settingsSemantics,
  settingsStore,
  migrationRunner,
  registryVersion,
  migrationsProvider,
]);

/** The provider, loaded from that source as the engine loads it: tests exercise exactly what ships. */
export const tenantMigrationsProvider = loadProviderSource<
  pulumi.dynamic.ResourceProvider<TenantMigrationsState, TenantMigrationsState>
>(TENANT_MIGRATIONS_PROVIDER_SOURCE);
