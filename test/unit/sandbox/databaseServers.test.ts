/** The sandbox's clusters, one per database server: started at once, and none left running when one fails. */
import { describe, expect, it } from "vitest";
import { databaseServersJson, startDatabaseServers } from "../../../src/sandbox/databaseServers";
import type { RunningPostgres } from "../../../src/sandbox/postgres";

/** A stand-in cluster: what the real one is tested for is in test/e2e/sandboxServers.test.ts. */
function fakeCluster(port: number, stopped: number[]): RunningPostgres {
  return {
    host: "127.0.0.1",
    port,
    user: "tenantctl_admin",
    password: `secret-${port}`,
    database: "postgres",
    rootDir: `/tmp/fake-${port}`,
    connectionString: () => "",
    keepRunning: () => "",
    stop: async () => void stopped.push(port),
  };
}

describe("startDatabaseServers", () => {
  it("starts one cluster per server name, all at once", async () => {
    let running = 0;
    let most = 0;
    let port = 6000;
    const start = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return fakeCluster(port++, []);
    };
    const servers = await startDatabaseServers(["primary", "secondary"], {}, start);
    expect(servers.map((server) => server.name)).toEqual(["primary", "secondary"]);
    expect(new Set(servers.map((server) => server.postgres.port)).size).toBe(2);
    expect(most).toBe(2);
    expect(JSON.parse(databaseServersJson(servers))).toEqual({
      primary: { host: "127.0.0.1", port: servers[0]!.postgres.port, username: "tenantctl_admin", password: `secret-${servers[0]!.postgres.port}`, sslmode: "disable" },
      secondary: { host: "127.0.0.1", port: servers[1]!.postgres.port, username: "tenantctl_admin", password: `secret-${servers[1]!.postgres.port}`, sslmode: "disable" },
    });
  });

  it("stops the clusters that started when another one fails, and throws its failure", async () => {
    const stopped: number[] = [];
    let calls = 0;
    const start = async () => {
      calls++;
      if (calls === 2) throw new Error("initdb failed");
      return fakeCluster(7000 + calls, stopped);
    };
    await expect(startDatabaseServers(["primary", "secondary", "tertiary"], {}, start)).rejects.toThrow("initdb failed");
    expect(stopped.sort()).toEqual([7001, 7003]);
  });
});
