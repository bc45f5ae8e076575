/** The sandbox's clusters, one per database server: started at once, and none left running when one fails. */
import { describe, expect, it } from "vitest";
import { databaseServersJson, startDatabaseServers } from "../../../src/sandbox/databaseServers";
import type { InitializedDataDir, RunningPostgres, StartPostgresOptions } from "../../../src/sandbox/postgres";

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

/** A stand-in for initdb's data directory, that records whether it was removed. */
function fakeTemplate(): InitializedDataDir & { removed: boolean } {
  const template = {
    dataDir: "/tmp/fake-template/data",
    user: "tenantctl_admin",
    password: "shared",
    removed: false,
    remove: () => void (template.removed = true),
  };
  return template;
}

describe("startDatabaseServers", () => {
  it("starts one cluster per server name, all at once", async () => {
    let running = 0;
    let most = 0;
    let port = 6000;
    const template = fakeTemplate();
    const copied: (InitializedDataDir | undefined)[] = [];
    const start = async (options?: StartPostgresOptions) => {
      copied.push(options?.copyOf);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return fakeCluster(port++, []);
    };
    const servers = await startDatabaseServers(["primary", "secondary"], {}, start, async () => template);
    expect(servers.map((server) => server.name)).toEqual(["primary", "secondary"]);
    expect(new Set(servers.map((server) => server.postgres.port)).size).toBe(2);
    expect(most).toBe(2);
    // One initdb: both clusters start from copies of its data directory, which is removed once they run.
    expect(copied).toEqual([template, template]);
    expect(template.removed).toBe(true);
    expect(JSON.parse(databaseServersJson(servers))).toEqual({
      primary: {
        host: "127.0.0.1",
        port: servers[0]!.postgres.port,
        username: "tenantctl_admin",
        password: `secret-${servers[0]!.postgres.port}`,
        sslmode: "disable",
      },
      secondary: {
        host: "127.0.0.1",
        port: servers[1]!.postgres.port,
        username: "tenantctl_admin",
        password: `secret-${servers[1]!.postgres.port}`,
        sslmode: "disable",
      },
    });
  });

  it("stops the clusters that started when another one fails, and throws its failure", async () => {
    const stopped: number[] = [];
    let calls = 0;
    const start = async () => {
      calls++;
      if (calls === 2) throw new Error("pg_ctl start failed");
      return fakeCluster(7000 + calls, stopped);
    };
    const template = fakeTemplate();
    await expect(
      startDatabaseServers(["primary", "secondary", "tertiary"], {}, start, async () => template),
    ).rejects.toThrow("pg_ctl start failed");
    expect(stopped.sort()).toEqual([7001, 7003]);
    expect(template.removed).toBe(true);
  });

  it("runs initdb itself for a single server: nothing to copy", async () => {
    const copied: (InitializedDataDir | undefined)[] = [];
    const init = async () => {
      throw new Error("no template for one cluster");
    };
    const servers = await startDatabaseServers(
      ["primary"],
      {},
      async (options) => (copied.push(options?.copyOf), fakeCluster(8000, [])),
      init,
    );
    expect(servers.map((server) => server.name)).toEqual(["primary"]);
    expect(copied).toEqual([undefined]);
  });
});
