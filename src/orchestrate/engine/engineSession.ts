/**
 * What one tenantctl run shares between its stacks, so that a stack costs only what it must: the engine run itself.
 *
 * - The engine's Go processes collect garbage only near a memory limit (goRuntime.ts).
 * - No `pulumi version` per workspace: the CLI's version is asked once per binary (pulumiCli.ts).
 * - The program runs in this process, as the Automation API's inline program: the same function Pulumi.yaml's
 *   program exports (infra/program.ts), given what this run's validation of the fleet resolved for the stack. No
 *   language host and no Node.js program per stack, @pulumi/pulumi and the components loaded once, the fleet parsed
 *   and validated once. A stack without a verdict (nothing of ours to deploy: an orphan being destroyed) runs
 *   Pulumi.yaml's program as before.
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
 *
 * `TENANTCTL_INLINE_PROGRAM=0` runs Pulumi.yaml's program in a process per stack instead (the verdict then travels in a
 * file, TENANTCTL_VERDICT), e.g. to compare the two (bench/peer) or for a project whose Pulumi.yaml runs a program of
 * its own.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { fromStackVerdict, type StackVerdict } from "../../core/verdict";
import { parseConsent } from "../../../infra/adopt/adoption";
import type { DynamicProviderHost } from "./dynamicProviderHost";
import { projectName } from "./projectFile";
import { goRuntimeEnv } from "./goRuntime";
import { pulumiCli } from "./pulumiCli";
import { type Automation, pulumiAutomation } from "./sdkPatches";
import { secretsProviderFrom } from "./secretsProvider";
import type { SharedProviders } from "./sharedProviders/sharedProviders";
import { projectWorkspace } from "./workspace";

export interface EngineSession {
  readonly automation: Automation;
  /** A stack of the project, ready to run, without a CLI call (see the module comment). */
  /** `adoption`: TENANTCTL_ADOPT's value for the stack's program when the operation runs it (src/orchestrate/run/adoptionConsent.ts). */
  stack(slug: string, envVars: Record<string, string>, verdict: StackVerdict | undefined, adoption?: () => string | undefined): Promise<{ stack: Stack; workspace: LocalWorkspace }>;
  close(): void;
}

export async function startEngineSession(projectDir: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<EngineSession> {
  const inline = env["TENANTCTL_INLINE_PROGRAM"] !== "0";
  const automation = await pulumiAutomation({ inlinePrograms: inline, env });
  const secretsProvider = secretsProviderFrom(env);
  // Loaded after the SDK is patched: both load parts of @pulumi/pulumi.
  const [{ startDynamicProviderHost }, { startSharedProviders }] = await Promise.all([import("./dynamicProviderHost"), import("./sharedProviders/sharedProviders")]);
  const hostStarting = startDynamicProviderHost(projectName(projectDir));
  const programLoading = inline ? import("../../../infra/program").then((module) => module.default) : Promise.resolve(undefined);
  const sharedStarting = startSharedProviders(env);
  let host: DynamicProviderHost;
  let shared: SharedProviders;
  let program: Awaited<typeof programLoading>;
  try {
    // The CLI is looked up with the rest, so that a missing one fails the session before any stack.
    [, host, shared, program] = await Promise.all([pulumiCli(), hostStarting, sharedStarting, programLoading]);
  } catch (error) {
    // A listening host keeps the process alive: a session that cannot start must not leave one behind.
    (await hostStarting.catch(() => undefined))?.close();
    (await sharedStarting).close();
    throw error;
  }
  // Only for TENANTCTL_INLINE_PROGRAM=0: readable only by this user (resolved values, no secrets, nobody else's business).
  const verdicts = inline ? undefined : mkdtempSync(join(tmpdir(), "tenantctl-verdicts-"));

  return {
    automation,
    async stack(slug, envVars, verdict, adoption) {
      const workspace = await projectWorkspace(automation, projectDir, {
        envVars: {
          ...goRuntimeEnv(env),
          ...envVars,
          ...(verdicts && verdict ? verdictFile(verdicts, slug, verdict) : {}),
          PULUMI_DEBUG_PROVIDERS: host.debugProviders(shared.debugProviders(envVars["PULUMI_DEBUG_PROVIDERS"] ?? env["PULUMI_DEBUG_PROVIDERS"])),
        },
        ...(program && verdict ? { program: async () => program(fromStackVerdict(verdict), parseConsent(adoption?.())) } : {}),
        // The stacks this run creates (`pulumi stack init --secrets-provider`); an existing stack keeps its own.
        ...(secretsProvider ? { secretsProvider } : {}),
      });
      const stack = await automation.Stack.select(slug, workspace);
      return { stack, workspace };
    },
    close() {
      host.close();
      shared.close();
      if (verdicts) rmSync(verdicts, { recursive: true, force: true });
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
  return [join(stacks, project, stack), join(stacks, stack)].some((base) => existsSync(`${base}.json`) || existsSync(`${base}.json.gz`));
}

function verdictFile(dir: string, slug: string, verdict: StackVerdict): Record<string, string> {
  const file = join(dir, `${slug}.json`);
  writeFileSync(file, JSON.stringify(verdict), { mode: 0o600 });
  return { TENANTCTL_VERDICT: file };
}
