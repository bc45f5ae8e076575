/**
 * Two database servers for real, for e2e tests of what crosses servers (a move from `primary` to `secondary`): the
 * example fleet's template with a second server, a tenant file pointed at either, and two throwaway clusters that
 * `TENANTCTL_DATABASE_SERVERS` points the two server names at. The sandbox starts its clusters the same way
 * (src/sandbox/databaseServers.ts).
 *
 *   const project = tempProject(engine.repoRoot);
 *   addSecondServer(project);                       // `secondary` beside `primary` in _control-plane.yaml
 *   placeOnServer(project, "globex", "secondary");  // globex.yaml: database.server: secondary
 *   const servers = await startTwoServers();        // servers.env: TENANTCTL_DATABASE_SERVERS for both
 *   ... runCli(["up", "--all"], project.dir) with process.env extended by servers.env ...
 *   await servers.stop();
 */
import { parseDocument } from "yaml";
import {
  databaseServersJson,
  type SandboxServer,
  startDatabaseServers,
  stopDatabaseServers,
} from "../../src/sandbox/databaseServers";
import type { TempProject } from "./pulumi";

/** The name of the server added beside the example template's `primary`. */
export const SECONDARY = "secondary";

/** Adds server `secondary` (its own shared database `tenants`) to the project's template, beside `primary`. */
export function addSecondServer(project: TempProject): void {
  const template = parseDocument(project.readFile("_control-plane.yaml"));
  template.setIn(
    ["database", "servers", SECONDARY],
    template.createNode(
      { host: "db2.internal.example.com", port: 5432, sharedDatabase: "tenants", maxConnections: 500 },
      { flow: true },
    ),
  );
  project.writeFile("_control-plane.yaml", template.toString());
}

/** Sets `database.server` in the tenant's file (the server must be in the template). */
export function placeOnServer(project: TempProject, slug: string, server: string): void {
  const file = parseDocument(project.readFile(`${slug}.yaml`));
  file.setIn(["database", "server"], server);
  project.writeFile(`${slug}.yaml`, file.toString());
}

export interface TwoServers {
  /** `primary` and `secondary`, each its own cluster (its own port, superuser password and data). */
  readonly servers: readonly SandboxServer[];
  /** `{TENANTCTL_DATABASE_SERVERS}` pointing both server names at their clusters: merge into the CLI's environment. */
  readonly env: { readonly TENANTCTL_DATABASE_SERVERS: string };
  /** The cluster of a server, by name. */
  cluster(name: string): SandboxServer["postgres"];
  stop(): Promise<void>;
}

/** Starts a throwaway cluster for `primary` and one for `secondary`, in parallel (about one cluster's start-up). */
export async function startTwoServers(): Promise<TwoServers> {
  const servers = await startDatabaseServers(["primary", SECONDARY]);
  return {
    servers,
    env: { TENANTCTL_DATABASE_SERVERS: databaseServersJson(servers) },
    cluster: (name) => {
      const found = servers.find((server) => server.name === name);
      if (!found) throw new Error(`no cluster for server ${name}`);
      return found.postgres;
    },
    stop: () => stopDatabaseServers(servers),
  };
}
