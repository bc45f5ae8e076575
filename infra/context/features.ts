/**
 * Which parts of a stack a deployment turns on. The sandbox and the end-to-end tests run with DNS, TLS and auth off
 * (no cloud account); production runs with everything on. Set by stack config `tenantctl:disable` (a list) or the
 * environment `TENANTCTL_DISABLE=dns,tls,auth`, so `pulumi up -s acme` honours the same switch.
 */
import { SetupError } from "../../src/core/errors";

export interface Features {
  readonly dns: boolean;
  readonly tls: boolean;
  readonly auth: boolean;
  /** The registry (DESIGN.md, "The registry"): its tables and roles in the control plane, each tenant's rows and grants. */
  readonly registry: boolean;
}

export const FEATURE_NAMES = ["dns", "tls", "auth", "registry"] as const;

/** Everything on: production, and what a reviewer of `tenantctl plan` sees. */
export const ALL_FEATURES: Features = { dns: true, tls: true, auth: true, registry: true };

/** The features left on once `values` are switched off. Throws a SetupError on a name that is not a feature. */
export function parseDisabled(values: readonly string[]): Features {
  const disabled = new Set(values.map((value) => value.trim().toLowerCase()).filter((value) => value !== ""));
  for (const name of disabled) {
    if (!(FEATURE_NAMES as readonly string[]).includes(name)) {
      throw new SetupError(
        `unknown feature \`${name}\` in tenantctl:disable / TENANTCTL_DISABLE: use any of ${FEATURE_NAMES.join(", ")}`,
      );
    }
  }
  return {
    dns: !disabled.has("dns"),
    tls: !disabled.has("tls"),
    auth: !disabled.has("auth"),
    registry: !disabled.has("registry"),
  };
}

/** The environment wins over the stack config, as for every other setting. */
export function featuresFrom(env: string | undefined, config: readonly string[] | undefined): Features {
  return parseDisabled(env !== undefined ? env.split(",") : (config ?? []));
}
