/**
 * The registry's schema and tables, owned by the control-plane stack: a dynamic resource that runs idempotent DDL
 * (`CREATE ... IF NOT EXISTS`; a column added later is `ADD COLUMN IF NOT EXISTS`), and grants the reader role what it
 * may read. Why DDL in a
 * dynamic resource rather than @pulumi/postgresql: the provider has no tables, and a schema plus a table-level grant
 * there would be three more resources whose only job is what these statements say in one transaction.
 *
 * `read` reports which of the tables exist and whether the reader may read them, so a dropped table or a revoked
 * grant is drift that `up` restores. Delete keeps everything: the registry is retained like tenant data.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AdminConnection } from "../dynamic/settings/adminConnection";
import { composedProviderSource, loadProviderSource, PrebuiltDynamicResource } from "../dynamic/prebuilt";
import { providerValues, type ProviderValues } from "../dynamic/providerValues";
import { registrySql, type RegistrySql } from "./registrySql";

export interface RegistrySchemaState {
  readonly connection: AdminConnection;
  readonly database: string;
  readonly schema: string;
  /** Granted USAGE on the schema and SELECT on the tables, nothing else. */
  readonly reader: string;
  /** What the real world holds, after `read` (and what `create`/`update` made): each table and the reader's SELECT. */
  readonly observed?: Readonly<Record<string, boolean>>;
}

export function registrySchemaProvider({ containsUnknown, canonicalJson }: ProviderValues, sql: RegistrySql) {
  /** Every name the registry has, and whether each holds: tables, and the reader's right to read them. */
  const EXPECTED = {
    "tables.tenants": true,
    "tables.tenant_domains": true,
    "reader.tenants": true,
    "reader.tenant_domains": true,
  };

  function ddl(schema: string, reader: string): string[] {
    const s = `"${schema}"`;
    const r = `"${reader}"`;
    return [
      `CREATE SCHEMA IF NOT EXISTS ${s}`,
      // Nobody but the admin and the reader: tenants' roles read neither the registry nor each other.
      `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
      `CREATE TABLE IF NOT EXISTS ${s}.tenants (
         slug text PRIMARY KEY,
         name text NOT NULL,
         plan text NOT NULL,
         status text NOT NULL CHECK (status IN ('active', 'suspended', 'decommissioned')),
         limits jsonb NOT NULL,
         server text NOT NULL,
         host text NOT NULL,
         port integer NOT NULL,
         database text NOT NULL,
         schema text NOT NULL,
         role text NOT NULL,
         organization_id text,
         migration_version integer,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE IF NOT EXISTS ${s}.tenant_domains (
         hostname text PRIMARY KEY,
         slug text NOT NULL REFERENCES ${s}.tenants (slug) ON DELETE CASCADE,
         kind text NOT NULL CHECK (kind IN ('platform', 'custom')),
         is_primary boolean NOT NULL,
         tls_status text NOT NULL,
         customer_records jsonb NOT NULL DEFAULT '[]'
       )`,
      // Host → tenant goes through tenant_domains' primary key and tenants' primary key; this one serves a tenant's
      // own rows (its stack rewrites them) and the cascade.
      `CREATE INDEX IF NOT EXISTS tenant_domains_slug ON ${s}.tenant_domains (slug)`,
      `REVOKE ALL ON ${s}.tenants, ${s}.tenant_domains FROM PUBLIC`,
      `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
      `GRANT SELECT ON ${s}.tenants, ${s}.tenant_domains TO ${r}`,
    ];
  }

  async function apply(state: RegistrySchemaState): Promise<void> {
    await sql.inTransaction(state.connection, state.database, async (client) => {
      for (const statement of ddl(state.schema, state.reader)) await client.query(statement);
    });
  }

  async function observe(state: RegistrySchemaState): Promise<Record<string, boolean>> {
    try {
      return await sql.inTransaction(state.connection, state.database, async (client) => {
        const observed: Record<string, boolean> = {};
        for (const table of ["tenants", "tenant_domains"]) {
          const name = `"${state.schema}"."${table}"`;
          const result = await client.query<{ exists: boolean; readable: boolean | null }>(
            `SELECT to_regclass($1) IS NOT NULL AS exists,
                    CASE WHEN to_regclass($1) IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)
                         THEN NULL ELSE has_table_privilege($2, to_regclass($1), 'SELECT') END AS readable`,
            [name, state.reader],
          );
          observed[`tables.${table}`] = result.rows[0]?.exists === true;
          observed[`reader.${table}`] = result.rows[0]?.readable === true;
        }
        return observed;
      });
    } catch (error) {
      if (sql.codeOf(error) === sql.MISSING_DATABASE) return {};
      throw error;
    }
  }

  const provider: pulumi.dynamic.ResourceProvider<RegistrySchemaState, RegistrySchemaState> = {
    async create(inputs) {
      await apply(inputs);
      return { id: `${inputs.database}/${inputs.schema}`, outs: { ...inputs, observed: EXPECTED } };
    },

    async read(id, props) {
      if (!props) return { id };
      return { id, props: { ...props, observed: await observe(props) } };
    },

    async diff(_id, olds, news) {
      if (containsUnknown(news)) return { changes: true };
      const same =
        olds.database === news.database &&
        olds.schema === news.schema &&
        olds.reader === news.reader &&
        canonicalJson(olds.connection) === canonicalJson(news.connection) &&
        canonicalJson(olds.observed ?? EXPECTED) === canonicalJson(EXPECTED);
      return { changes: !same };
    },

    async update(_id, _olds, news) {
      await apply(news);
      return { outs: { ...news, observed: EXPECTED } };
    },

    // The registry outlives the stack, like tenant data.
    async delete() {},
  };

  return { provider };
}

export const REGISTRY_SCHEMA_PROVIDER_SOURCE = composedProviderSource([
  providerValues,
  registrySql,
  registrySchemaProvider,
]);
export const registrySchemaProviderLoaded = loadProviderSource<
  pulumi.dynamic.ResourceProvider<RegistrySchemaState, RegistrySchemaState>
>(REGISTRY_SCHEMA_PROVIDER_SOURCE);

export interface RegistrySchemaArgs {
  readonly connection: pulumi.Input<AdminConnection>;
  readonly database: pulumi.Input<string>;
  readonly schema: pulumi.Input<string>;
  readonly reader: pulumi.Input<string>;
}

export class RegistrySchema extends PrebuiltDynamicResource {
  declare public readonly database: pulumi.Output<string>;
  declare public readonly schema: pulumi.Output<string>;

  constructor(name: string, args: RegistrySchemaArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      REGISTRY_SCHEMA_PROVIDER_SOURCE,
      "RegistrySchema",
      name,
      { ...args, connection: pulumi.secret(args.connection), observed: undefined },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"] },
    );
  }
}
