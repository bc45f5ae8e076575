/**
 * The one way tenantctl makes a Pulumi workspace of the project: the cached CLI (pulumiCli.ts, no `pulumi version`
 * per workspace), the backend's workarounds, and no `pulumi stack select` (every command the Automation API runs
 * names its stack with `--stack`, so a stack that does not exist shows in the operation's own error, and the user's
 * selected stack is left alone).
 */
import type { LocalWorkspace, LocalWorkspaceOptions } from "@pulumi/pulumi/automation";
import { pulumiCli } from "./pulumiCli";
import type { Automation } from "./sdkPatches";

type Env = Readonly<Record<string, string | undefined>>;

export async function projectWorkspace(
  automation: Automation,
  projectDir: string,
  options: Pick<LocalWorkspaceOptions, "envVars" | "program" | "secretsProvider"> = {},
  /** The run's environment (process.env and what the run sets on top of it, which `options.envVars` holds). */
  env: Env = process.env,
): Promise<LocalWorkspace> {
  const workspace = await automation.LocalWorkspace.create({
    ...options,
    workDir: projectDir,
    pulumiCommand: await pulumiCli(env),
    envVars: { ...backendWorkarounds(env), ...options.envVars },
  });
  workspace.selectStack = async () => undefined;
  return workspace;
}

/**
 * Pulumi 3.248's PostgreSQL backend deadlocks listing stacks (`pulumi stack ls`, and every `--all`): each of its 10
 * listing workers holds a connection for its result rows while it asks, on another connection, for each row's
 * metadata (backend/diy/postgres/bucket.go, ListPaged), from a pool of GOMAXPROCS×2 connections. With 4 stacks on a
 * 2-core runner every connection is held and every worker waits, forever. One listing worker can always get its
 * second connection, so that is what a postgres:// backend gets unless the user chose a number.
 */
export function backendWorkarounds(env: Env): Record<string, string> {
  const postgres = /^postgres(ql)?:\/\//.test(env["PULUMI_BACKEND_URL"] ?? "");
  return postgres && env["PULUMI_DIY_BACKEND_PARALLEL"] === undefined ? { PULUMI_DIY_BACKEND_PARALLEL: "1" } : {};
}
