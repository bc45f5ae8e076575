/**
 * What one tenantctl run shares between its stacks, so that a stack costs only what it must: the engine run itself.
 *
 * - The engine's Go processes collect garbage only near a memory limit (goRuntime.ts).
 * - No `pulumi version` per workspace: the CLI's version is asked once per binary (pulumiCli.ts).
 * - The program runs in this process, as the Automation API's inline program: the same function Pulumi.yaml's
 *   program exports (infra/program.ts), given, as they are, what this run's validation of the fleet resolved for the
 *   stack and what the run consents to import. No language host and no Node.js program per stack, @pulumi/pulumi and
 *   the components loaded once, the fleet parsed and validated once, nothing serialised. A stack without a verdict
 *   (nothing of ours to deploy: an orphan destroyed or drift-checked) gets Pulumi.yaml's program, which the engine
 *   does not run to destroy, and which otherwise reads the files itself (TENANTCTL_DIR) and says why it cannot deploy.
 * - Without the stack trace @pulumi/pulumi formats for every promise of a program (promiseTraces.ts), nor the debug
 *   lines it sends the engine for every resource, which nothing shows (sdkDebugLogs.ts).
 * - The dynamic providers (settings table, generated password) are served from this process too
 *   (dynamicProviderHost.ts) instead of two Node.js processes per stack.
 * - The PostgreSQL provider is started once per configuration for the whole run, not twice per stack
 *   (sharedProviders/sharedProviderProxy.ts).
 * - No `pulumi stack select` before each operation: every command the Automation API runs names its stack
 *   (`--stack`), and a stack that does not exist is reported by the operation itself (then created, for up/preview).
 *   It also leaves the user's selected stack alone.
 * - No `pulumi stack output` (twice) and `pulumi stack history` after each `up`/`destroy`: the outputs and the change
 *   summary are in the engine events the run already streams (RunSummary, run/automation.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import type { VerdictForStack } from "../../core/verdict";
import type { AdoptionConsent } from "../../../infra/adopt/adoptionPlan";
import type { DynamicProviderHost } from "./dynamicProviderHost";
import { projectName } from "./projectFile";
import { goRuntimeEnv } from "./goRuntime";
import { pulumiCli } from "./pulumiCli";
import { type Automation, pulumiAutomation } from "./sdkPatches";
import { secretsProviderFrom } from "./secretsProvider";
import type { SharedProviders } from "./sharedProviders/sharedProviders";
import { projectWorkspace } from "./workspace";

/** What the program of a stack is handed in this process (infra/program.ts's arguments). */
export interface ProgramInput {
  /** What this run's validation of the fleet resolved for the stack (src/core/verdict.ts). */
  readonly verdict: VerdictForStack;
  /** What the run consents to import, asked when the operation runs the program (src/orchestrate/run/adoptionConsent.ts). */
  readonly consent: () => AdoptionConsent;
}

export interface EngineSession {
  readonly automation: Automation;
  /** A stack of the project, ready to run, without a CLI call (see the module comment); without `input`, Pulumi.yaml's program. */
  stack(
    slug: string,
    envVars: Record<string, string>,
    input: ProgramInput | undefined,
  ): Promise<{ stack: Stack; workspace: LocalWorkspace }>;
  close(): void;
}

/**
 * `envOverrides`: what this run sets on top of process.env for the engine, its plugins and the inline program (the
 * sandbox's backend, passphrase, database servers and PATH), without changing process.env for the whole process.
 */
export async function startEngineSession(
  projectDir: string,
  envOverrides: Readonly<Record<string, string>> = {},
): Promise<EngineSession> {
  const env = { ...process.env, ...envOverrides };
  const automation = await pulumiAutomation({ inlinePrograms: true, env });
  const secretsProvider = secretsProviderFrom(env);
  // Loaded after the SDK is patched: both load parts of @pulumi/pulumi.
  const [{ startDynamicProviderHost }, { startSharedProviders }] = await Promise.all([
    import("./dynamicProviderHost"),
    import("./sharedProviders/sharedProviders"),
  ]);
  const hostStarting = startDynamicProviderHost(projectName(projectDir));
  const programLoading = import("../../../infra/program").then((module) => module.default);
  const sharedStarting = startSharedProviders(env);
  let host: DynamicProviderHost;
  let shared: SharedProviders;
  let program: Awaited<typeof programLoading>;
  try {
    // The CLI is looked up with the rest, so that a missing one fails the session before any stack.
    [, host, shared, program] = await Promise.all([pulumiCli(env), hostStarting, sharedStarting, programLoading]);
  } catch (error) {
    // A listening host keeps the process alive: a session that cannot start must not leave one behind.
    (await hostStarting.catch(() => undefined))?.close();
    (await sharedStarting).close();
    throw error;
  }

  return {
    automation,
    async stack(slug, envVars, input) {
      const workspace = await projectWorkspace(
        automation,
        projectDir,
        {
          envVars: {
            ...envOverrides,
            ...goRuntimeEnv(env),
            ...envVars,
            PULUMI_DEBUG_PROVIDERS: host.debugProviders(
              shared.debugProviders(envVars["PULUMI_DEBUG_PROVIDERS"] ?? env["PULUMI_DEBUG_PROVIDERS"]),
            ),
          },
          ...(input ? { program: async () => program(input.verdict, input.consent(), env) } : {}),
          // The stacks this run creates (`pulumi stack init --secrets-provider`); an existing stack keeps its own.
          ...(secretsProvider ? { secretsProvider } : {}),
        },
        env,
      );
      const stack = await automation.Stack.select(slug, workspace);
      return { stack, workspace };
    },
    close() {
      host.close();
      shared.close();
    },
  };
}

/**
 * Whether a stack's state is known to exist (a file backend: `.pulumi/stacks/<project>/<stack>.json[.gz]`, or the
 * legacy layout without the project); undefined where that cannot be seen from here (another backend). Only a hint,
 * to save a doomed first attempt of a new stack's `up`: the operation itself still says what is true.
 */
export function stackStateExists(backendDir: string | undefined, project: string, stack: string): boolean | undefined {
  if (!backendDir) return undefined;
  const stacks = join(backendDir, ".pulumi", "stacks");
  return [join(stacks, project, stack), join(stacks, stack)].some(
    (base) => existsSync(`${base}.json`) || existsSync(`${base}.json.gz`),
  );
}
