/** The sandbox's clusters, one per database server, for real: one initdb, copies of it started at once, each its own server. */
import { existsSync } from "node:fs";
import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { startDatabaseServers, stopDatabaseServers } from "../../src/sandbox/databaseServers";

async function query(
  server: { host: string; port: number; user: string; password: string },
  sql: string,
): Promise<unknown[]> {
  const client = new Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: "postgres",
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("startDatabaseServers", () => {
  it("starts a separate cluster per server from one initdb, each with the sandbox's settings, and stops them all", async () => {
    const servers = await startDatabaseServers(["primary", "secondary"]);
    try {
      const [primary, secondary] = servers.map((server) => server.postgres);
      expect(primary!.port).not.toBe(secondary!.port);
      expect(primary!.rootDir).not.toBe(secondary!.rootDir);
      // Two servers, not one seen twice: a database made on one is not on the other.
      await query(primary!, "CREATE DATABASE only_on_primary");
      expect(await query(secondary!, "SELECT datname FROM pg_database WHERE datname = 'only_on_primary'")).toEqual([]);
      expect(await query(primary!, "SELECT datname FROM pg_database WHERE datname = 'only_on_primary'")).toEqual([
        { datname: "only_on_primary" },
      ]);
      // Each listens on its own socket directory, with the sandbox's settings (appended after the copy).
      for (const server of [primary!, secondary!]) {
        expect(
          await query(
            server,
            "SELECT current_setting('unix_socket_directories') AS socket, current_setting('max_connections') AS max",
          ),
        ).toEqual([{ socket: server.rootDir, max: "300" }]);
      }
    } finally {
      await stopDatabaseServers(servers);
    }
    for (const { postgres } of servers) expect(existsSync(postgres.rootDir)).toBe(false);
  });
});
