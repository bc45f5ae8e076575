/**
 * What apps log in with, as the control-plane stack's secret outputs hold it (infra/stacks.ts): the reader's URL
 * (`registryUrl`) and the runtime role's credentials (`runtimeCredentials`). Read through the engine, decrypted in
 * memory, never printed; the sandbox writes them into its env.sh and credentials file, `tenantctl rotate` into the
 * credentials file.
 */
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { pulumiAutomation } from "../engine/sdkPatches";
import { projectWorkspace } from "../engine/workspace";

export interface RuntimeCredentials {
  readonly user: string;
  /** In the order an app tries them: a staged next password first during a rotation, then the current one. */
  readonly passwords: readonly string[];
}

export interface RegistryCredentials {
  /** `postgresql://tenantctl_registry_reader:…@host:port/<registry database>`. */
  readonly registryUrl: string;
  readonly runtime: RuntimeCredentials;
}

/** The control-plane stack's registry outputs; undefined when the stack has none (registry off, not deployed yet). */
export async function registryCredentialsOf(
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RegistryCredentials | undefined> {
  const automation = await pulumiAutomation({ env });
  const workspace = await projectWorkspace(
    automation,
    projectDir,
    {
      envVars: Object.fromEntries(
        Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    },
    env,
  );
  let outputs: Record<string, { value: unknown }>;
  try {
    outputs = await workspace.stackOutputs(CONTROL_PLANE_STACK);
  } catch (error) {
    if (error instanceof automation.StackNotFoundError) return undefined;
    throw error;
  }
  const registryUrl = outputs["registryUrl"]?.value;
  const runtime = outputs["runtimeCredentials"]?.value as RuntimeCredentials | undefined;
  if (typeof registryUrl !== "string" || !runtime || !Array.isArray(runtime.passwords)) return undefined;
  return { registryUrl, runtime: { user: runtime.user, passwords: [...runtime.passwords] } };
}
