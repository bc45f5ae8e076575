/** The settings table as a resource: what a tenant's settings are (`desiredSettings`) and the dynamic resource that keeps them. */
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../../../src/core/model";
import { PrebuiltDynamicResource } from "../prebuilt";
import { providerValues } from "../providerValues";
import type { AdminConnection } from "./adminConnection";
import { TENANT_SETTINGS_PROVIDER_SOURCE } from "./provider";
import { settingsSemantics, type TenantSettingsState } from "./semantics";

const { flattenSettings } = settingsSemantics(providerValues());

/** Everything but the connection: where the tenant's settings go, and what they are. */
export function desiredSettings(tenant: Tenant): Omit<TenantSettingsState, "connection"> {
  return {
    database: tenant.database.databaseName,
    schema: tenant.database.schemaName,
    role: tenant.database.roleName,
    settings: flattenSettings(tenant.settings.values),
    seedOnlyKeys: [...tenant.settings.seedOnlyKeys],
  };
}

export interface TenantSettingsTableArgs {
  readonly connection: pulumi.Input<AdminConnection>;
  readonly database: pulumi.Input<string>;
  readonly schema: pulumi.Input<string>;
  readonly role: pulumi.Input<string>;
  readonly settings: pulumi.Input<Record<string, string>>;
  readonly seedOnlyKeys: pulumi.Input<readonly string[]>;
}

/** The dynamic resource itself; use it through the `TenantSettings` component. */
export class TenantSettingsTable extends PrebuiltDynamicResource {
  declare public readonly database: pulumi.Output<string>;
  declare public readonly schema: pulumi.Output<string>;
  declare public readonly role: pulumi.Output<string>;
  declare public readonly settings: pulumi.Output<Record<string, string>>;
  declare public readonly seedOnlyKeys: pulumi.Output<string[]>;

  constructor(name: string, args: TenantSettingsTableArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      TENANT_SETTINGS_PROVIDER_SOURCE,
      "TenantSettingsTable",
      name,
      // The whole connection is secret (not only the password) so that it stays secret in state.
      { ...args, connection: pulumi.secret(args.connection) },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"] },
    );
  }
}
