/**
 * `up --waves`: a run's tenant stacks in waves (waves.ts), so that a template change reaches one tenant, then a few,
 * then all, and a change that breaks the first wave reaches no other. A wave that ends with more failed stacks than
 * `--max-failures` halts the later ones: their stacks are reported as skipped, with why, and the run fails (exit 1).
 */
import type { Fleet } from "../../core/load";
import { tenantOf } from "../../core/tenantLookup";
import type { TenantRun } from "../../report/runReport";
import type { StackWork } from "../run/automation";
import { parseWaves, planWaves, runWaves } from "./waves";

export async function runStacksInWaves(
  fleet: Fleet,
  work: readonly StackWork[],
  options: { readonly waves?: string; readonly maxFailures?: number; readonly pauseMs?: number },
  run: (wave: StackWork[]) => Promise<TenantRun[]>,
  control: { readonly signal?: AbortSignal; readonly note?: (line: string) => void },
): Promise<TenantRun[]> {
  const steps = parseWaves(options.waves ?? "100%", new Set(fleet.tenants.flatMap((t) => t.rolloutGroup ?? [])));
  const bySlug = new Map(work.map((w) => [w.slug, w]));
  const { waves, left } = planWaves(
    work.map((w) => w.slug),
    steps,
    (slug) => tenantOf(fleet, slug)?.rolloutGroup,
  );
  const outcome = await runWaves(
    waves,
    (wave) => run(wave.slugs.map((slug) => bySlug.get(slug)!)),
    (result) => result.outcome === "failed",
    {
      maxFailures: options.maxFailures ?? 0,
      ...(options.pauseMs ? { pauseMs: options.pauseMs } : {}),
      ...control,
    },
  );
  const results = outcome.results.flat();
  const halted = outcome.halted;
  const notRun = (slug: string, message: string): TenantRun => ({
    slug,
    stack: slug,
    outcome: control.signal?.aborted ? "cancelled" : "skipped",
    changes: {},
    resources: [],
    message,
    seconds: 0,
  });
  for (const wave of waves.slice(outcome.results.length))
    for (const slug of wave.slugs)
      results.push(
        notRun(
          slug,
          halted
            ? `wave ${wave.index} (${wave.name}) did not start: wave ${halted.wave.index} (${halted.wave.name}) ended with ${halted.failures} failed (--max-failures ${halted.maxFailures})`
            : "not started: the run was interrupted",
        ),
      );
  for (const slug of left) results.push(notRun(slug, `no wave of --waves ${options.waves} reaches it`));
  return results;
}
