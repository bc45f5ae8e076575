/**
 * What an e2e test that needs a world of its own runs against (it kills runs, or makes objects by hand): its own
 * throwaway PostgreSQL, a copy of the project, a file backend, and the environment that points tenantctl and the engine
 * at them, with what this machine cannot reach (DNS, TLS, auth) off.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
