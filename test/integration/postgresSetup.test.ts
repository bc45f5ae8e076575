/** The contract of the global setup's cluster, which the e2e and the sandbox command rely on. */
import { execFileSync } from "node:child_process";
import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { connect, POSTGRES_ENV, postgresFromEnv, testPostgres } from "../support/postgres";

describe("test PostgreSQL cluster", () => {
  it("is announced to spawned processes through TENANTCTL_TEST_PG_*, matching inject('postgres')", () => {
    expect(postgresFromEnv()).toEqual(testPostgres());
    // A child process (as the e2e's Pulumi programs will be) can connect with nothing but the environment.
    const script = `
      const { Client } = require("pg");
      const env = process.env;
      const client = new Client({ host: env.${POSTGRES_ENV.host}, port: Number(env.${POSTGRES_ENV.port}),
        user: env.${POSTGRES_ENV.user}, password: env.${POSTGRES_ENV.password}, database: env.${POSTGRES_ENV.database} });
      client.connect().then(() => client.query("SELECT 1 AS ok")).then((r) => { console.log(r.rows[0].ok); return client.end(); });
    `;
    expect(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim()).toBe("1");
  });

  it("listens on loopback only, allows enough connections for parallel tenants, and is not durable", async () => {
    const client = await connect("postgres");
    try {
      const settings = await client.query(
        `SELECT current_setting('listen_addresses') AS listen, current_setting('max_connections')::int AS max, current_setting('fsync') AS fsync`,
      );
      expect(settings.rows).toEqual([{ listen: "127.0.0.1", max: 300, fsync: "off" }]);
      const superuser = await client.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
      expect(superuser.rows).toEqual([{ rolsuper: true }]);
    } finally {
      await client.end();
    }
  });

  it("requires the superuser's password over TCP", async () => {
    const { host, port, user, database } = testPostgres();
    const client = new Client({ host, port, user, database, password: "not-the-password" });
    await expect(client.connect()).rejects.toMatchObject({ code: "28P01" });
  });
});
