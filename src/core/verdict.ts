/**
 * A run's verdict for one stack: what tenantctl's one validation of the fleet resolved for it, handed to the stack's
 * program in the same process (src/orchestrate/engine/engineSession.ts), so that one tenant's preview does not pay for
 * parsing and validating every other tenant's file. Only for a stack the fleet lets be deployed: a tenant that clashes
 * with another gets none. `pulumi up -s acme` by hand has none: the program validates the whole fleet itself.
 */
import { errorsAffecting, type Fleet } from "./load";
import type { ControlPlane, Tenant } from "./model";
import { CONTROL_PLANE_STACK } from "./naming";
import { tenantOf } from "./tenantLookup";

export interface VerdictForStack {
  readonly controlPlane: ControlPlane;
  /** Absent for the control-plane stack. */
  readonly tenant?: Tenant;
}

/** The verdict for one stack of a run, when the fleet lets it be deployed; undefined when it must not be. */
export function stackVerdict(fleet: Fleet, stack: string): VerdictForStack | undefined {
  if (!fleet.controlPlane || errorsAffecting(fleet, stack).length > 0) return undefined;
  if (stack === CONTROL_PLANE_STACK) return { controlPlane: fleet.controlPlane };
  const tenant = tenantOf(fleet, stack);
  return tenant ? { controlPlane: fleet.controlPlane, tenant } : undefined;
}
