/**
 * What an e2e test that needs a world of its own runs against (it kills runs, or makes objects by hand): its own
 * throwaway PostgreSQL, a copy of the project, a file backend, and the environment that points tenantctl and the engine
 * at them, with what this machine cannot reach (DNS, TLS, auth) off; and the two ways such a test looks at a server: as
 * its superuser, and as a tenant's own login.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { type RunningPostgres, startPostgres } from "./postgres";
import { databaseServersEnv, type TempProject, tempProject } from "./pulumi";

export interface OwnWorld {
  readonly postgres: RunningPostgres;
  readonly project: TempProject;
  /** The file backend's directory. */
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
  /** Removes the project and the state, and stops PostgreSQL. */
  close(): Promise<void>;
}

/** `name` tells its temporary directories apart: `tenantctl-e2e-<name>-…`. */
export async function startOwnWorld(repoRoot: string, name: string): Promise<OwnWorld> {
  const postgres = await startPostgres();
  const project = tempProject(repoRoot, `tenantctl-e2e-${name}-`);
  const state = mkdtempSync(join(tmpdir(), `tenantctl-e2e-${name}-state-`));
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${state}`,
    TENANTCTL_DATABASE_SERVERS: databaseServersEnv(postgres),
    TENANTCTL_DISABLE: "dns,tls,auth",
  };
  return {
    postgres,
    project,
    state,
    env,
    async close() {
      project.remove();
      rmSync(state, { recursive: true, force: true });
      await postgres.stop();
    },
  };
}

export interface Login {
  readonly user: string;
  readonly password: string;
}

/** Runs SQL on a test server, as its superuser or as `as`. */
export async function sqlOn<T extends Record<string, unknown> = Record<string, unknown>>(
  server: { readonly host: string; readonly port: number } & Login,
  database: string,
  text: string,
  as?: Login,
): Promise<T[]> {
  const client = new Client({
    host: server.host,
    port: server.port,
    user: as?.user ?? server.user,
    password: as?.password ?? server.password,
    database,
  });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** The tenant's login from its stack's `connectionString` output (a secret, read as the owner of the stack may). */
export async function tenantLoginOf(project: TempProject, env: NodeJS.ProcessEnv, slug: string): Promise<Login> {
  const automation = await import("@pulumi/pulumi/automation");
  const stack = await automation.LocalWorkspace.selectStack(
    { stackName: slug, workDir: project.dir },
    { envVars: env as Record<string, string> },
  );
  const url = new URL(String((await stack.outputs())["connectionString"]?.value));
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
