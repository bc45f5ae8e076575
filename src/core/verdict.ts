/**
 * A fleet's verdict, handed from one run to the stack programs it starts, so that one tenant's preview does not pay
 * for parsing and validating every other tenant's file. tenantctl validates the whole fleet once per run and writes,
 * for the stacks that may be deployed, their resolved values together with a fingerprint of the files they were
 * resolved from. A program checks the fingerprint against the files as they are now — reading them, not parsing them —
 * and uses the verdict only when they match; otherwise (a file changed meanwhile, or no verdict: `pulumi up -s acme`
 * by hand) it validates the whole fleet itself, as before. So a tenant that clashes with another is never deployed.
 */
import { errorsAffecting, type Fleet } from "./load";
import { fleetFingerprint } from "./read/fingerprint";
import type { ControlPlane, Provenance, Tenant } from "./model";
import { CONTROL_PLANE_STACK } from "./naming";
import { tenantOf } from "./tenantLookup";

type SerializedTenant = Omit<Tenant, "provenance"> & { readonly provenance: readonly [string, Provenance][] };

/** One stack's verdict: what it deploys, resolved, and the fingerprint of the files it was resolved from. */
export interface StackVerdict {
  readonly version: 1;
  readonly stack: string;
  readonly fingerprint: string;
  readonly controlPlane: ControlPlane;
  /** Absent for the control-plane stack. */
  readonly tenant?: SerializedTenant;
}

/** The verdict for one stack of a run, when the fleet lets it be deployed; undefined when it must not be. */
export function stackVerdict(fleet: Fleet, stack: string): StackVerdict | undefined {
  if (!fleet.controlPlane || errorsAffecting(fleet, stack).length > 0) return undefined;
  const base = { version: 1 as const, stack, fingerprint: fleet.fingerprint, controlPlane: fleet.controlPlane };
  if (stack === CONTROL_PLANE_STACK) return base;
  const tenant = tenantOf(fleet, stack);
  return tenant ? { ...base, tenant: { ...tenant, provenance: [...tenant.provenance] } } : undefined;
}

export interface VerdictForStack {
  readonly controlPlane: ControlPlane;
  /** Absent for the control-plane stack. */
  readonly tenant?: Tenant;
}

/**
 * The verdict's answer for `stack`, when it is that stack's and about the files `dir` holds now; undefined otherwise
 * (the caller then validates the fleet itself).
 */
export function verdictFor(text: string, dir: string, stack: string): VerdictForStack | undefined {
  let verdict: StackVerdict;
  try {
    verdict = JSON.parse(text) as StackVerdict;
  } catch {
    return undefined;
  }
  if (verdict.version !== 1 || verdict.stack !== stack || verdict.fingerprint !== fleetFingerprint(dir)) return undefined;
  if (stack !== CONTROL_PLANE_STACK && !verdict.tenant) return undefined;
  return fromStackVerdict(verdict);
}

/** What a verdict says to deploy, as the program takes it (the run's own verdict, in its own process, needs no checks). */
export function fromStackVerdict(verdict: StackVerdict): VerdictForStack {
  if (!verdict.tenant) return { controlPlane: verdict.controlPlane };
  return { controlPlane: verdict.controlPlane, tenant: { ...verdict.tenant, provenance: new Map(verdict.tenant.provenance) } };
}
