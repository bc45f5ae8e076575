import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../../src/core/model";
import type { AdminConnection } from "../dynamic/settings/adminConnection";
import { desiredSettings, TenantSettingsTable } from "../dynamic/settings/TenantSettingsTable";
import { orFail } from "../resourceErrors";

export interface TenantSettingsArgs {
  /**
   * The resolved tenant: `settings.values` are written, `settings.seedOnlyKeys` say which are seeded once, and
   * `database` says where (`databaseName`, `schemaName`) and as whom (`roleName`).
   */
  readonly tenant: Tenant;
  /**
   * Admin credentials for the tenant's database server (`DatabaseServerAccess.connection`, infra/context/). The admin must be a superuser or a member of the tenant's role, because every
   * statement runs after `SET ROLE <tenant role>`. Kept secret in state.
   */
  readonly connection: pulumi.Input<AdminConnection>;
}

/**
 * The tenant's resolved settings, kept in a `tenant_settings` table in the tenant's database or schema and
 * owned by the tenant's role. Managed keys are enforced on every `up` and a run-time change is drift;
 * seed-only keys are written once and then belong to the tenant. The table is never dropped.
 *
 * The role and the database or schema must exist first: give this component `dependsOn: [tenantDatabase]`.
 */
export class TenantSettings extends pulumi.ComponentResource {
  public readonly table: TenantSettingsTable;
  /** Every key tenantctl writes (dotted, relative to `settings`), managed and seed-only. */
  public readonly keys: pulumi.Output<string[]>;

  constructor(name: string, args: TenantSettingsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("tenantctl:index:TenantSettings", name, {}, opts);
    const parent = this;
    const { tenant } = args;

    // `validate` refuses keys that cannot be stored (rule settingKeysStorable); a hand-built Tenant still gets one message.
    const desired = orFail(this, () => desiredSettings(tenant), tenant.file);
    this.table = createTable();
    this.keys = pulumi.output(Object.keys(desired.settings).sort());

    this.registerOutputs({ keys: this.keys });

    function createTable(): TenantSettingsTable {
      return new TenantSettingsTable(`${name}-table`, { connection: args.connection, ...desired }, { parent });
    }
  }
}
