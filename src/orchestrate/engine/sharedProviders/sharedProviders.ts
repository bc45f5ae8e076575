/**
 * Which provider plugins a run shares between its stacks (sharedProviderProxy.ts), and whether it can.
 *
 * Only the PostgreSQL provider: every tenant stack loads it, twice. It is shared only when the engine would run the
 * same binary anyway: the plugin on PATH (the engine prefers it to its plugin cache unless
 * PULUMI_IGNORE_AMBIENT_PLUGINS is set, workspace.GetPluginPath). Otherwise, or when the user attaches a postgresql
 * provider of their own (PULUMI_DEBUG_PROVIDERS), or with TENANTCTL_SHARED_PROVIDERS=0, or when the plugin fails to
 * start here, the engine starts its own as before.
 */
import { join } from "node:path";
import { findOnPath } from "../findOnPath";
import { type SharedProviderProxy, startSharedProviderProxy } from "./sharedProviderProxy";

export const SHARED_PACKAGE = "postgresql";

export interface SharedProviders {
  /** `PULUMI_DEBUG_PROVIDERS` for the engine, after what `existing` already says. */
  debugProviders(existing: string | undefined): string | undefined;
  close(): void;
}

type Env = Readonly<Record<string, string | undefined>>;

export async function startSharedProviders(env: Env = process.env): Promise<SharedProviders> {
  const proxy = await proxyFor(env).catch(() => undefined);
  return {
    debugProviders: (existing) =>
      proxy && !attaches(existing) ? [existing, `${SHARED_PACKAGE}:${proxy.port}`].filter(Boolean).join(",") : existing,
    close: () => proxy?.close(),
  };
}

async function proxyFor(env: Env): Promise<SharedProviderProxy | undefined> {
  if (env["TENANTCTL_SHARED_PROVIDERS"] === "0" || env["PULUMI_IGNORE_AMBIENT_PLUGINS"]) return undefined;
  if (attaches(env["PULUMI_DEBUG_PROVIDERS"])) return undefined;
  const binary = `pulumi-resource-${SHARED_PACKAGE}`;
  const dir = findOnPath(binary, env);
  if (!dir) return undefined;
  return startSharedProviderProxy(join(dir, binary), { ...env });
}

/** Whether a `PULUMI_DEBUG_PROVIDERS` value already attaches the shared package to a provider of the user's. */
function attaches(debugProviders: string | undefined): boolean {
  return (debugProviders ?? "").split(",").some((entry) => entry.split(":")[0] === SHARED_PACKAGE);
}
