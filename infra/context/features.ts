/**
 * Which parts of a stack a deployment turns on. The sandbox and the e2e tests run with DNS, TLS and auth off
 * (no cloud account); production runs with everything on. Read from stack config `tenantctl:disable`
 * (a list) or the environment `TENANTCTL_DISABLE=dns,tls,auth`, so `pulumi up -s acme` honours the same switch.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Features {
  readonly dns: boolean;
  readonly tls: boolean;
  readonly auth: boolean;
}

export const FEATURE_NAMES = ["dns", "tls", "auth"] as const;

export function parseDisabled(values: readonly string[]): Features {
  const disabled = new Set(values.map((value) => value.trim().toLowerCase()).filter((value) => value !== ""));
  for (const name of disabled) {
    if (!(FEATURE_NAMES as readonly string[]).includes(name)) {
      throw new pulumi.RunError(`unknown feature \`${name}\` in tenantctl:disable / TENANTCTL_DISABLE: use any of ${FEATURE_NAMES.join(", ")}`);
    }
  }
  return { dns: !disabled.has("dns"), tls: !disabled.has("tls"), auth: !disabled.has("auth") };
}

export function readFeatures(env: Readonly<Record<string, string | undefined>> = process.env): Features {
  const fromEnv = env.TENANTCTL_DISABLE;
  if (fromEnv !== undefined) return parseDisabled(fromEnv.split(","));
  return parseDisabled(new pulumi.Config("tenantctl").getObject<string[]>("disable") ?? []);
}
