/**
 * What a stack run consents to import (infra/adopt/adoptionPlan.ts), handed to the stack's program as it is (the
 * program runs in this process: src/orchestrate/engine/engineSession.ts), from the stack's own state: for
 * `tenantctl adopt`, the resources the stack already manages (a difference there is drift, not a refusal); after a
 * killed run, its pending creates (objects it may have made without recording them). Read only when needed: one
 * `pulumi stack export` each.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { AdoptionConsent } from "../../../infra/adopt/adoptionPlan";

export interface StackStateNames {
  /** Logical names of the resources in the stack's state. */
  readonly managed: readonly string[];
  /** Logical names of the resources a killed run was creating (`pending_operations` of type `creating`). */
  readonly pending: readonly string[];
}

interface ExportedResource {
  readonly urn?: string;
}

/** The names in an exported deployment (`pulumi stack export`'s `deployment`); tolerant of an empty stack. */
export function stateNames(deployment: unknown): StackStateNames {
  const state = (deployment ?? {}) as {
    resources?: ExportedResource[];
    pending_operations?: { type?: string; resource?: ExportedResource }[];
  };
  const name = (resource: ExportedResource | undefined) => resource?.urn?.split("::").pop();
  const defined = (names: (string | undefined)[]) => names.filter((n): n is string => n !== undefined);
  return {
    managed: defined((state.resources ?? []).map(name)),
    pending: defined(
      (state.pending_operations ?? []).filter((op) => op.type === "creating").map((op) => name(op.resource)),
    ),
  };
}

/** The names in the stack's state; none for a stack that does not exist yet. */
export async function readStateNames(
  stack: Stack,
  automation: typeof import("@pulumi/pulumi/automation"),
): Promise<StackStateNames> {
  try {
    return stateNames((await stack.exportStack()).deployment);
  } catch (error) {
    if (error instanceof automation.StackNotFoundError) return stateNames(undefined);
    throw error;
  }
}

/** The consent of `tenantctl adopt` (`adopt`), or of a rerun after a killed run of ours (its pending creates alone). */
export function consentFrom(names: StackStateNames, adopt: boolean): AdoptionConsent {
  return { adopt, managed: new Set(adopt ? names.managed : []), pending: new Set(names.pending) };
}
