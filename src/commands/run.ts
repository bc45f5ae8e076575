/** `tenantctl preview|up|drift|destroy`: run the selected stacks through the real engine (orchestrate/run), report. */
import type { Outcome } from "../core/errors";
import { emitRunReport } from "../report/renderRun";
import { runOutcome, type Operation } from "../report/runReport";
import { commandProjectDir } from "../sandbox/envScript";
import type { FleetRunOptions } from "../orchestrate/run/runFleet";

export interface RunOptions extends FleetRunOptions {
  readonly format: "text" | "json" | "markdown";
  /** Write the report to these files instead of stdout (`*.json` and `*.md` in their own format). */
  readonly output?: readonly string[];
}

export async function runOperation(
  operation: Operation,
  slugs: readonly string[],
  options: RunOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  /** Aborted on Ctrl-C or SIGTERM (the CLI owns the signals). */
  interrupt?: AbortSignal,
): Promise<Outcome> {
  const { runFleet } = await import("../orchestrate/run/runFleet");
  const report = await runFleet(operation, slugs, options, err, {
    projectDir: commandProjectDir(),
    ...(interrupt ? { interrupt } : {}),
  });
  emitRunReport(report, options.format, options.output ?? [], out);
  return runOutcome(report);
}
