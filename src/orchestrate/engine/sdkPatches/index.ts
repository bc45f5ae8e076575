/**
 * What tenantctl changes in @pulumi/pulumi inside its own process, in one place, and the one way src/ loads the
 * Automation API: `pulumiAutomation()` applies the patches (once per process) before anything of the SDK loads, so
 * no module has to be "the first import" of another. Each patch targets @pulumi/pulumi 3.248 (package.json pins it):
 * after an upgrade, its test says whether it still holds. None of them touches a program that Pulumi's own Node.js
 * language host runs (`pulumi up -s acme` by hand).
 *
 * | patch                         | what it saves (figures from its module comment)                        | off switch                         |
 * | ----------------------------- | ---------------------------------------------------------------------- | ---------------------------------- |
 * | deferredPulumiDependencies.ts | loading TypeScript (~0.4 s CPU) and npm's Arborist & co. (~0.3 s) that | none (what uses them still works,  |
 * |                               | @pulumi/pulumi loads for function serialization tenantctl never uses   | loaded on first use)               |
 * | promiseTraces.ts              | a stack trace formatted for every promise of a program: about a tenth  | PULUMI_DEBUG_PROMISE_LEAKS=1, or   |
 * |                               | of tenantctl's CPU in a fleet's drift (bench/peer)                      | TENANTCTL_PROGRAM_PATCHES=0        |
 * | sdkDebugLogs.ts               | about 50 debug lines per tenant stack, each a gRPC call to the engine   | TENANTCTL_PROGRAM_PATCHES=0        |
 * |                               | streamed back as an event nothing shows                                 |                                    |
 * | sourcePositions.ts            | `tenantctl plan` only: a stack trace per resource for its source       | none (only inside the plan's own   |
 * |                               | position; with the plan's stack-trace limit, 1,000 tenants 29 s → 14 s | runtime stores)                    |
 */
import { deferPulumiDependencies } from "./deferredPulumiDependencies";
import { withoutPromiseTraces } from "./promiseTraces";
import { withoutSdkDebugLogs } from "./sdkDebugLogs";

export { markPlanStore, skipSourcePositions } from "./sourcePositions";

export type Automation = typeof import("@pulumi/pulumi/automation");

/** `0` leaves the program side of the SDK as Pulumi ships it (promiseTraces.ts, sdkDebugLogs.ts): to rule them out. */
export const PROGRAM_PATCHES_ENV = "TENANTCTL_PROGRAM_PATCHES";

/**
 * The Automation API, with @pulumi/pulumi patched first. `inlinePrograms`: this process will run stack programs
 * itself (engineSession.ts), so the program-side patches apply too.
 */
export async function pulumiAutomation(
  options: { inlinePrograms?: boolean; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<Automation> {
  deferPulumiDependencies();
  const env = options.env ?? process.env;
  if (options.inlinePrograms && env[PROGRAM_PATCHES_ENV] !== "0") {
    withoutPromiseTraces(env);
    withoutSdkDebugLogs();
  }
  return import("@pulumi/pulumi/automation");
}
