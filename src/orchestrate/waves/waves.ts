/**
 * Waves: a rollout order over the selected tenants (`--waves 1,5%,25%,100%`, or groups tenant files declare:
 * `--waves canary,25%,100%`), shared by `migrate` and `up`. Each step is a count (`1`: that many tenants in all so far),
 * a cumulative share (`25%`: a quarter of the selection in all so far) or a rollout group (its members not yet in a
 * wave). The order within counts and shares is a stable hash of the slug (the shard hash): canaries spread across the
 * alphabet, and the same tenants lead every run, so a rerun after a halt starts where the last one did.
 */
import { UsageError } from "../../core/errors";
import { didYouMean } from "../../core/suggest";
import { stackHash } from "../select/shard";

export type WaveStep =
  | { readonly kind: "count"; readonly count: number; readonly text: string }
  | { readonly kind: "share"; readonly percent: number; readonly text: string }
  | { readonly kind: "group"; readonly group: string; readonly text: string };

export interface Wave {
  /** 1-based. */
  readonly index: number;
  /** The step as written: `1`, `25%`, `canary`. */
  readonly name: string;
  readonly slugs: readonly string[];
}

/** `1,5%,25%,100%` → steps; a usage error names the part that is wrong. */
export function parseWaves(spec: string, knownGroups: ReadonlySet<string>): WaveStep[] {
  const parts = spec.split(",").map((part) => part.trim());
  if (parts.some((part) => part === ""))
    throw new UsageError(`--waves ${spec}: expected a comma list such as 1,5%,25%,100% or canary,100%`);
  return parts.map((text): WaveStep => {
    if (/^\d+$/.test(text)) {
      const count = Number(text);
      if (count < 1) throw new UsageError(`--waves ${spec}: a wave of ${text} tenants is empty; counts start at 1`);
      return { kind: "count", count, text };
    }
    const share = /^(\d+(?:\.\d+)?)%$/.exec(text);
    if (share) {
      const percent = Number(share[1]);
      if (percent <= 0 || percent > 100)
        throw new UsageError(`--waves ${spec}: ${text} is not a share between 0% and 100%`);
      return { kind: "share", percent, text };
    }
    if (!knownGroups.has(text)) {
      const hint = didYouMean(text, [...knownGroups]);
      throw new UsageError(
        `--waves ${spec}: no tenant file declares rollout group ${text}${hint ? ` (${hint})` : ""}; a wave is a count (1), a share (25%) or a group a tenant file declares (rollout: { group: ${text} })`,
      );
    }
    return { kind: "group", group: text, text };
  });
}

/**
 * The waves of `slugs`, in order; tenants no step reaches (`--waves canary` alone) are `left`. Empty waves are kept
 * (a group with no member in this shard), so wave numbers mean the same in every shard.
 */
export function planWaves(
  slugs: readonly string[],
  steps: readonly WaveStep[],
  groupOf: (slug: string) => string | undefined,
): { waves: Wave[]; left: string[] } {
  const order = [...slugs].sort((a, b) => stackHash(a) - stackHash(b) || a.localeCompare(b));
  const placed = new Set<string>();
  const waves: Wave[] = [];
  for (const [i, step] of steps.entries()) {
    let members: string[];
    if (step.kind === "group") members = order.filter((slug) => !placed.has(slug) && groupOf(slug) === step.group);
    else {
      const total = step.kind === "count" ? step.count : Math.ceil((step.percent / 100) * order.length);
      members = order.filter((slug) => !placed.has(slug)).slice(0, Math.max(0, total - placed.size));
    }
    for (const slug of members) placed.add(slug);
    waves.push({ index: i + 1, name: step.text, slugs: members });
  }
  return { waves, left: order.filter((slug) => !placed.has(slug)) };
}

/** How the waves of a run went: each wave's results, and the wave that halted the rollout, if one did. */
export interface WavesOutcome<R> {
  readonly results: R[][];
  readonly halted?: { readonly wave: Wave; readonly failures: number; readonly maxFailures: number };
}

export interface WaveRunOptions {
  /** Failures a wave may end with and the next still start. @default 0 */
  readonly maxFailures?: number;
  /** Waits this long between waves. */
  readonly pauseMs?: number;
  readonly signal?: AbortSignal;
  readonly note?: (line: string) => void;
}

/**
 * Runs the waves in order, each through `run` (which runs its tenants in parallel and never throws for one of them);
 * a wave starts only when the one before ended with at most `maxFailures` failures.
 */
export async function runWaves<R>(
  waves: readonly Wave[],
  run: (wave: Wave) => Promise<R[]>,
  failed: (result: R) => boolean,
  options: WaveRunOptions = {},
): Promise<WavesOutcome<R>> {
  const maxFailures = options.maxFailures ?? 0;
  const results: R[][] = [];
  for (const [i, wave] of waves.entries()) {
    if (options.signal?.aborted) break;
    if (i > 0 && options.pauseMs && waves[i - 1]!.slugs.length > 0) {
      options.note?.(`pausing ${options.pauseMs / 1000} s before wave ${wave.index} (${wave.name})`);
      await sleep(options.pauseMs, options.signal);
      if (options.signal?.aborted) break;
    }
    if (waves.length > 1)
      options.note?.(`wave ${wave.index} of ${waves.length} (${wave.name}): ${wave.slugs.length} tenants`);
    const done = await run(wave);
    results.push(done);
    const failures = done.filter(failed).length;
    if (failures > maxFailures && i < waves.length - 1) {
      options.note?.(
        `wave ${wave.index} (${wave.name}) ended with ${failures} failed of ${done.length} (--max-failures ${maxFailures}): the later waves do not start`,
      );
      return { results, halted: { wave, failures, maxFailures } };
    }
  }
  return { results };
}

/** Waits `ms` (`--pause`), or less when the run is interrupted meanwhile. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
