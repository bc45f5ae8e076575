import { escapeIdentifier, type PoolClient } from "pg";
import { RotatingPool } from "./rotatingPool";
import type { RotatingPassword } from "./runtimeCredentials";
import type { Tenant } from "./tenant";

/**
 * The tenants' own data, reached through one login, `tenantctl_runtime`: a member of each active tenant's role
 * without inheriting its rights (NOINHERIT), so a connection reads nothing of any tenant until it takes that tenant's
 * role for one transaction. One pool per database the registry names; the tenant's role, schema and database all come
 * from the registry row, never from the request.
 */
export class TenantData {
  private readonly pools = new Map<string, RotatingPool>();

  constructor(private readonly password: RotatingPassword) {}

  /**
   * Runs `work` in one transaction as the tenant's role, with `schema` the tenant's schema, quoted for SQL. A tenant
   * whose membership tenantctl took away (suspended, decommissioned) fails at `SET ROLE`: admission refuses it
   * earlier, this is the database's own guarantee.
   */
  async asTenant<T>(tenant: Tenant, work: (client: PoolClient, schema: string) => Promise<T>): Promise<T> {
    const client = await this.poolFor(tenant).connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL ROLE ${escapeIdentifier(tenant.role)}`);
      const result = await work(client, escapeIdentifier(tenant.schema));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollback: Error) => {
        broken = rollback;
      });
      throw error;
    } finally {
      // SET LOCAL already ends with the transaction; RESET ROLE makes sure before the connection serves another
      // tenant. A connection that cannot be reset is destroyed rather than pooled.
      await client.query("RESET ROLE").catch((reset: Error) => {
        broken = reset;
      });
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
  }

  private poolFor(tenant: Tenant): RotatingPool {
    const key = `${tenant.host}:${tenant.port}/${tenant.database}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new RotatingPool(this.password, {
        host: tenant.host,
        port: tenant.port,
        database: tenant.database,
        max: 5,
        idleTimeoutMillis: 30_000,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}
