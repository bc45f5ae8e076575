/** A stack's own config, read through the engine (secrets decrypted in memory, never printed), for commands that are no stack run. */
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { pulumiAutomation } from "./sdkPatches";
import { projectWorkspace } from "./workspace";

/** `tenantctl:databaseServers` of stack `stackName`, as the program reads it; undefined when the stack or the key does not exist. */
export async function databaseServersConfigOf(projectDir: string, stackName: string): Promise<unknown> {
  const automation = await pulumiAutomation();
  let config: Awaited<ReturnType<LocalWorkspace["getAllConfig"]>>;
  try {
    // No `pulumi stack select` (workspace.ts): a stack that does not exist shows in `pulumi config` itself.
    config = await (await projectWorkspace(automation, projectDir)).getAllConfig(stackName);
  } catch (error) {
    if (error instanceof automation.StackNotFoundError) return undefined;
    throw error;
  }
  const entry = config["tenantctl:databaseServers"];
  if (!entry) return undefined;
  // An object set with `--path` comes back as JSON; anything else is handed on as it is, for the resolver to refuse.
  try {
    return JSON.parse(entry.value) as unknown;
  } catch {
    return entry.value;
  }
}
