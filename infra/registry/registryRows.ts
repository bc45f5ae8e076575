/**
 * A tenant's rows in the registry (`tenantctl.tenants` and its `tenantctl.tenant_domains`), as a dynamic resource of
 * the tenant's own stack: `read` returns what the tables hold, so a hand edit is drift that `up` writes back, and
 * delete (a destroyed stack) removes them. `migration_version` belongs to migrations: never written, read or compared
 * here. `updated_at` moves only when something this resource writes really changes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TenantDomainRow, TenantRow } from "../../src/core/registry";
import type { AdminConnection } from "../dynamic/settings/adminConnection";
import { composedProviderSource, loadProviderSource, PrebuiltDynamicResource } from "../dynamic/prebuilt";
import { providerValues, type ProviderValues } from "../dynamic/providerValues";
import { registrySql, type RegistrySql } from "./registrySql";

/** A domain row without the key and the owner (they are the map's key and the resource's slug). */
export type DomainRowValues = Omit<TenantDomainRow, "hostname" | "slug">;

export interface RegistryRowsState {
  readonly connection: AdminConnection;
  /** Where the registry is. */
  readonly database: string;
  readonly schema: string;
  readonly slug: string;
  /** The tenants row, without slug; null after `read` when there is none. */
  readonly row: Omit<TenantRow, "slug"> | null;
  /** By hostname, so that a drift report names the hostname and the column that differ. */
  readonly domains: Readonly<Record<string, DomainRowValues>>;
}

export function registryRowsProvider({ containsUnknown, canonicalJson }: ProviderValues, sql: RegistrySql) {
  const ROW_COLUMNS = [
    "name",
    "plan",
    "status",
    "limits",
    "server",
    "host",
    "port",
    "database",
    "schema",
    "role",
    "organization_id",
  ] as const;
  const DOMAIN_COLUMNS = ["kind", "is_primary", "tls_status", "customer_records"] as const;

  function tables(state: RegistryRowsState) {
    const schema = `"${state.schema.replace(/"/g, '""')}"`;
    return { tenants: `${schema}.tenants`, domains: `${schema}.tenant_domains` };
  }

  function explain(error: unknown, state: RegistryRowsState): Error {
    const code = sql.codeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === sql.MISSING_DATABASE || code === sql.MISSING_TABLE) {
      return new Error(
        `the registry (${state.schema}.tenants in database ${state.database}) does not exist yet: ${message}. Run \`tenantctl up control-plane\` first; it creates it.`,
      );
    }
    return new Error(`registry rows of tenant ${state.slug}: ${message}`);
  }

  async function write(state: RegistryRowsState): Promise<void> {
    const { tenants, domains } = tables(state);
    const row = state.row;
    if (!row) throw new Error(`registry rows of tenant ${state.slug}: nothing to write`);
    const values = ROW_COLUMNS.map((column) =>
      column === "limits" ? JSON.stringify(row.limits) : (row[column] as unknown),
    );
    const hostnames = Object.keys(state.domains).sort();
    try {
      await sql.inTransaction(state.connection, state.database, async (client) => {
        const placeholders = ROW_COLUMNS.map((_, i) => `$${i + 2}`).join(", ");
        const columns = ROW_COLUMNS.map((column) => `"${column}"`).join(", ");
        const excluded = ROW_COLUMNS.map((column) => `excluded."${column}"`).join(", ");
        const current = ROW_COLUMNS.map((column) => `t."${column}"`).join(", ");
        await client.query(
          `INSERT INTO ${tenants} AS t (slug, ${columns}, updated_at) VALUES ($1, ${placeholders}, now())
           ON CONFLICT (slug) DO UPDATE SET (${columns}, updated_at) = (${excluded}, now())
           WHERE (${current}) IS DISTINCT FROM (${excluded})`,
          [state.slug, ...values],
        );
        const removed = await client.query(`DELETE FROM ${domains} WHERE slug = $1 AND NOT (hostname = ANY($2))`, [
          state.slug,
          hostnames,
        ]);
        let changed = removed.rowCount ?? 0;
        for (const hostname of hostnames) {
          const domain = state.domains[hostname]!;
          const upserted = await client.query(
            `INSERT INTO ${domains} AS d (hostname, slug, kind, is_primary, tls_status, customer_records)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)
             ON CONFLICT (hostname) DO UPDATE
               SET (slug, kind, is_primary, tls_status, customer_records) =
                   (excluded.slug, excluded.kind, excluded.is_primary, excluded.tls_status, excluded.customer_records)
             WHERE (d.slug, d.kind, d.is_primary, d.tls_status, d.customer_records)
                   IS DISTINCT FROM
                   (excluded.slug, excluded.kind, excluded.is_primary, excluded.tls_status, excluded.customer_records)`,
            [
              hostname,
              state.slug,
              domain.kind,
              domain.is_primary,
              domain.tls_status,
              JSON.stringify(domain.customer_records),
            ],
          );
          changed += upserted.rowCount ?? 0;
        }
        if (changed > 0) await client.query(`UPDATE ${tenants} SET updated_at = now() WHERE slug = $1`, [state.slug]);
      });
    } catch (error) {
      throw explain(error, state);
    }
  }

  /** What the tables hold for the tenant; nothing (row null) when the registry or the row is gone. */
  async function observe(state: RegistryRowsState): Promise<Pick<RegistryRowsState, "row" | "domains">> {
    const { tenants, domains } = tables(state);
    try {
      return await sql.inTransaction(state.connection, state.database, async (client) => {
        const columns = ROW_COLUMNS.map((column) => `"${column}"`).join(", ");
        const rows = await client.query(`SELECT ${columns} FROM ${tenants} WHERE slug = $1`, [state.slug]);
        const found = await client.query(
          `SELECT hostname, kind, is_primary, tls_status, customer_records FROM ${domains} WHERE slug = $1`,
          [state.slug],
        );
        const observed: Record<string, DomainRowValues> = {};
        for (const domain of found.rows) {
          const values: Record<string, unknown> = {};
          for (const column of DOMAIN_COLUMNS) values[column] = domain[column];
          observed[domain.hostname as string] = values as DomainRowValues;
        }
        const row = rows.rows[0];
        return { row: row ? (row as RegistryRowsState["row"]) : null, domains: observed };
      });
    } catch (error) {
      const code = sql.codeOf(error);
      if (code === sql.MISSING_DATABASE || code === sql.MISSING_TABLE) return { row: null, domains: {} };
      throw error;
    }
  }

  async function remove(state: RegistryRowsState): Promise<void> {
    const { tenants } = tables(state);
    try {
      // tenant_domains follow by ON DELETE CASCADE.
      await sql.inTransaction(state.connection, state.database, (client) =>
        client.query(`DELETE FROM ${tenants} WHERE slug = $1`, [state.slug]),
      );
    } catch (error) {
      const code = sql.codeOf(error);
      if (code === sql.MISSING_DATABASE || code === sql.MISSING_TABLE) return;
      throw explain(error, state);
    }
  }

  function sameTarget(a: RegistryRowsState, b: RegistryRowsState): boolean {
    return a.database === b.database && a.schema === b.schema && a.slug === b.slug;
  }

  const provider: pulumi.dynamic.ResourceProvider<RegistryRowsState, RegistryRowsState> = {
    async create(inputs) {
      await write(inputs);
      return { id: `${inputs.database}/${inputs.schema}/${inputs.slug}`, outs: inputs };
    },

    async read(id, props) {
      if (!props) return { id };
      return { id, props: { ...props, ...(await observe(props)) } };
    },

    async diff(_id, olds, news) {
      if (containsUnknown(news)) return { changes: true };
      const changes =
        !sameTarget(olds, news) ||
        canonicalJson(olds.row) !== canonicalJson(news.row) ||
        canonicalJson(olds.domains) !== canonicalJson(news.domains) ||
        canonicalJson(olds.connection) !== canonicalJson(news.connection);
      return { changes, ...(olds.slug !== news.slug ? { replaces: ["slug"] } : {}) };
    },

    async update(_id, olds, news) {
      // The registry itself moved (`registry.server` or `.database` changed): the old place forgets the tenant.
      if (!sameTarget(olds, news)) await remove(olds).catch(() => undefined);
      await write(news);
      return { outs: news };
    },

    async delete(_id, props) {
      await remove(props);
    },
  };

  return { provider };
}

export const REGISTRY_ROWS_PROVIDER_SOURCE = composedProviderSource([
  providerValues,
  registrySql,
  registryRowsProvider,
]);
export const registryRowsProviderLoaded =
  loadProviderSource<pulumi.dynamic.ResourceProvider<RegistryRowsState, RegistryRowsState>>(
    REGISTRY_ROWS_PROVIDER_SOURCE,
  );

export interface RegistryRowsArgs {
  readonly connection: pulumi.Input<AdminConnection>;
  readonly database: pulumi.Input<string>;
  readonly schema: pulumi.Input<string>;
  readonly slug: pulumi.Input<string>;
  readonly row: pulumi.Input<Omit<TenantRow, "slug">>;
  readonly domains: pulumi.Input<Record<string, pulumi.Input<DomainRowValues>>>;
}

export class RegistryRows extends PrebuiltDynamicResource {
  declare public readonly row: pulumi.Output<Omit<TenantRow, "slug">>;
  declare public readonly domains: pulumi.Output<Record<string, DomainRowValues>>;

  constructor(name: string, args: RegistryRowsArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      REGISTRY_ROWS_PROVIDER_SOURCE,
      "RegistryRows",
      name,
      { ...args, connection: pulumi.secret(args.connection) },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"] },
    );
  }
}
