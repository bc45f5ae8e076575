/** A stack's own config, read through the engine (secrets decrypted in memory, never printed), for commands that are no stack run. */
import { backendWorkarounds } from "../run/automation";

/** `tenantctl:databaseServers` of stack `stackName`, as the program reads it; undefined when the stack or the key does not exist. */
export async function databaseServersConfigOf(projectDir: string, stackName: string): Promise<unknown> {
  const automation = await import("@pulumi/pulumi/automation");
  let stack;
  try {
    stack = await automation.LocalWorkspace.selectStack({ stackName, workDir: projectDir }, { envVars: backendWorkarounds(process.env) });
  } catch (error) {
    if (error instanceof automation.StackNotFoundError) return undefined;
    throw error;
  }
  const entry = (await stack.getAllConfig())["tenantctl:databaseServers"];
  if (!entry) return undefined;
  // An object set with `--path` comes back as JSON; anything else is handed on as it is, for the resolver to refuse.
  try {
    return JSON.parse(entry.value) as unknown;
  } catch {
    return entry.value;
  }
}
