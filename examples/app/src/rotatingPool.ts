import { Pool, type PoolClient, type PoolConfig } from "pg";
import type { RotatingPassword } from "./runtimeCredentials";

/** PostgreSQL's answer to a wrong password (SQLSTATE 28P01 invalid_password). */
const INVALID_PASSWORD = "28P01";

/**
 * A pool of runtime-role connections to one database whose new connections follow `password` through a rotation:
 * node-postgres calls the `password` function for each new connection, and a refused one is retried with the next
 * candidate. Connections already open are unaffected by a rotation (PostgreSQL checks a password only at login).
 */
export class RotatingPool {
  private readonly pool: Pool;

  constructor(
    private readonly password: RotatingPassword,
    config: Omit<PoolConfig, "user" | "password">,
  ) {
    this.pool = new Pool({ ...config, user: password.user, password: () => password.current() });
  }

  async connect(): Promise<PoolClient> {
    // Each pass over the file may re-read it once; concurrent refusals may repeat a step. Bounded either way.
    const attempts = 2 * (this.password.count + 2);
    for (let attempt = 1; ; attempt += 1) {
      const tried = this.password.current();
      try {
        const client = await this.pool.connect();
        this.password.accepted();
        return client;
      } catch (error) {
        const refused = (error as { code?: string }).code === INVALID_PASSWORD;
        if (!refused || attempt >= attempts || !this.password.refused(tried)) throw error;
      }
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
