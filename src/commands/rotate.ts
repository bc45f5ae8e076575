/**
 * `tenantctl rotate <slug>…|--all [--runtime] [--credentials-file <file>]`: new passwords for tenant roles and the
 * runtime role, with no moment in which an app following the documented pattern cannot connect
 * (src/orchestrate/rotate/rotate.ts; README, "The registry").
 */
import type { Outcome } from "../core/errors";
import type { RotateOptions } from "../orchestrate/rotate/rotate";
import { emitRunReport } from "../report/renderRun";
import { commandProjectDir } from "../sandbox/envScript";

export interface RotateCommandOptions extends RotateOptions {
  readonly format: "text" | "json" | "markdown";
  readonly output?: readonly string[];
}

export async function rotateCommand(
  slugs: readonly string[],
  options: RotateCommandOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<Outcome> {
  const { format, output, ...rotateOptions } = options;
  const { rotate } = await import("../orchestrate/rotate/rotate");
  const { report, outcome } = await rotate(slugs, rotateOptions, err, {
    projectDir: commandProjectDir(),
    ...(interrupt ? { interrupt } : {}),
  });
  emitRunReport(report, format, output ?? [], out);
  return outcome;
}
