/**
 * `tenantctl plan`'s engine: runs the real stack programs (`tenantStack`, `controlPlaneStack` from infra/stacks.ts)
 * offline — no engine, no credentials, no network — and records every resource they declare.
 *
 * Each stack is rendered in a Pulumi runtime store of its own (runtime.ts), with a recording monitor in place of the
 * engine (recordingMonitor.ts), and a deployment context built from placeholder settings (placeholders.ts) instead of
 * config and environment. Nothing here changes how a real `pulumi up` runs.
 *
 * Stacks render one at a time (they are CPU-bound; interleaving gains nothing). A store per stack costs ~35% more CPU
 * than reusing the global one (Node 20's AsyncLocalStorage turns on promise hooks), and buys isolation: no stack
 * name, config, resource or secret of one render can reach another. Nothing of a render stays reachable afterwards.
 */
import { placeholderControlPlaneOutputs } from "../../../../infra/auth/controlPlaneOutputs";
import { createDeploymentContext } from "../../../../infra/context/deploymentContext";
import type { Features } from "../../../../infra/context/features";
import { controlPlaneStack, tenantStack } from "../../../../infra/stacks";
import { type PlannedStack, treeOrder } from "../../../core/compare/plannedStack";
import type { ControlPlane, Tenant } from "../../../core/model";
import { CONTROL_PLANE_STACK } from "../../../core/naming";
import { placeholderDeploymentSettings } from "./placeholders";
import { RecordingMonitor } from "./recordingMonitor";
import { markPlanStore, skipSourcePositions } from "../../engine/sdkPatches";
import { catchingRejections, describeError, MOCK_ENGINE_FEATURES, runtime, withTimeout } from "./runtime";
import type { Serialized } from "./serialized";

export interface OfflinePlanOptions {
  /** The Pulumi project name (Pulumi.yaml `name`), part of every URN. @default "tenantctl" */
  readonly project?: string;
  /** @default "organization" (what the DIY backends call every organization) */
  readonly organization?: string;
  /** @default ALL_FEATURES: a reviewer sees the whole stack */
  readonly features?: Features;
  /** As TENANTCTL_AUTH_PROVIDER overrides the template's (the drift scan's expectations are pinned to both). */
  readonly authProvider?: "auth0" | "authhero";
}

/** A stack to render: a tenant's, or the shared `control-plane` stack. */
export type StackToRender = { readonly tenant: Tenant } | { readonly controlPlane: true };

/** A stack renders in milliseconds; one that takes this long waits for something that will never come. */
const STACK_TIMEOUT_MS = 60_000;

/** One render at a time: the rejection listener and `Error.stackTraceLimit` are process-wide. */
let queue: Promise<unknown> = Promise.resolve();

/** Renders one stack in a runtime store of its own; nothing of it stays reachable once this resolves. */
export function renderStack(
  controlPlane: ControlPlane,
  target: StackToRender,
  options: OfflinePlanOptions = {},
): Promise<PlannedStack> {
  const rendered = queue.then(() => renderNow(controlPlane, target, options));
  queue = rendered.catch(() => undefined);
  return rendered;
}

async function renderNow(
  controlPlane: ControlPlane,
  target: StackToRender,
  options: OfflinePlanOptions,
): Promise<PlannedStack> {
  const { state, settings } = runtime();
  const slug = "tenant" in target ? target.tenant.slug : CONTROL_PLANE_STACK;
  const stack = slug;
  const project = options.project ?? "tenantctl";
  const organization = options.organization ?? "organization";
  const controlPlaneOutputs = placeholderControlPlaneOutputs(controlPlane.auth) as unknown as {
    [key: string]: Serialized;
  };
  const monitor = new RecordingMonitor(stack, project, (name) =>
    name === CONTROL_PLANE_STACK || name.endsWith(`/${CONTROL_PLANE_STACK}`) ? controlPlaneOutputs : undefined,
  );
  const errors = monitor.errors;
  skipSourcePositions();
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    await catchingRejections(errors, () =>
      state.withLocalStorage(async () => {
        markPlanStore(state.getStore());
        settings.setMockOptions(monitor, project, stack, false, organization);
        Object.assign(state.getStore(), MOCK_ENGINE_FEATURES);
        try {
          const context = createDeploymentContext(
            controlPlane,
            placeholderDeploymentSettings(controlPlane, {
              project,
              organization,
              features: options.features,
              authProvider: options.authProvider,
            }),
          );
          if ("tenant" in target) tenantStack(target.tenant, context);
          else controlPlaneStack(controlPlane, context);
        } catch (error) {
          errors.push(describeError(error));
        }
        try {
          await withTimeout(
            settings.waitForRPCs(),
            STACK_TIMEOUT_MS,
            `the program did not finish within ${STACK_TIMEOUT_MS / 1000} s (an output that never resolves?)`,
          );
        } catch (error) {
          errors.push(describeError(error));
        }
      }),
    );
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (errors.length > 0) return { slug, stack, resources: [], error: [...new Set(errors)].join("\n") };
  return { slug, stack, resources: treeOrder(monitor.resources) };
}

/** Renders stacks one after another (they are CPU-bound: interleaving them gains nothing and holds more memory). */
export async function renderStacks(
  controlPlane: ControlPlane,
  targets: readonly StackToRender[],
  options: OfflinePlanOptions = {},
): Promise<PlannedStack[]> {
  const stacks: PlannedStack[] = [];
  for (const target of targets) stacks.push(await renderStack(controlPlane, target, options));
  return stacks;
}
