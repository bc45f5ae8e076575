/**
 * Garbage-collector settings for the engine's Go processes (the Pulumi CLI and the provider plugins it starts, which
 * inherit its environment).
 *
 * Each of them lives for one stack's operation, a second or two, with a heap of tens of MiB: at Go's default (GOGC=100)
 * it collects several times on the way, each time on every core, for memory it hands back at exit anyway. Without a
 * size-triggered collection it collects only when its memory nears GOMEMLIMIT, which a tenant's stack never reaches:
 * about 15% less CPU in those processes (bench/peer), for a peak of ~150 MiB instead of ~115 MiB per process. The limit
 * keeps a large stack bounded: near it, Go collects as usual.
 *
 * A user who set either variable keeps their own settings.
 */
export const ENGINE_GO_GC = { GOGC: "off", GOMEMLIMIT: "256MiB" } as const;

export function goRuntimeEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return env["GOGC"] !== undefined || env["GOMEMLIMIT"] !== undefined ? {} : { ...ENGINE_GO_GC };
}
