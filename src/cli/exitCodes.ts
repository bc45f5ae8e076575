/**
 * The one mapping from how a command ended (an Outcome it returns, or an error kind it throws: src/core/errors.ts) to
 * the process's exit code and, for an error, the one line the user reads. docs/output.md is the contract.
 */
import { CommanderError } from "commander";
import { InterruptedError, SetupError, UsageError, type Outcome } from "../core/errors";

export const EXIT = { ok: 0, error: 1, usage: 2, drift: 3, interrupted: 130 } as const;

const OUTCOME_CODES: Readonly<Record<Outcome, number>> = {
  ok: EXIT.ok,
  failed: EXIT.error,
  drift: EXIT.drift,
  interrupted: EXIT.interrupted,
};

export function exitCodeOf(outcome: Outcome): number {
  return OUTCOME_CODES[outcome];
}

/** Set (to anything), an internal error shows its stack trace. */
export const DEBUG_ENV = "TENANTCTL_DEBUG";

/** What a thrown error means for the user: the line to print (none for commander's own), and the exit code. */
export function exitForError(
  error: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { message?: string; code: number } {
  // --help and --version end here with code 0; everything else commander rejects (it printed why) is a usage error.
  if (error instanceof CommanderError) return { code: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  if (error instanceof UsageError) return { message: `tenantctl: ${error.message}\n`, code: EXIT.usage };
  // The deployment's setup (credentials, a missing tool): one message naming what to set or install.
  if (error instanceof SetupError) return { message: `tenantctl: ${error.message}\n`, code: EXIT.error };
  if (error instanceof InterruptedError) return { message: `tenantctl: ${error.message}\n`, code: EXIT.interrupted };
  // Not a user's mistake (an InternalError, or anything else thrown): a bug or an environment failure. One line and
  // where to look; the stack only when asked for, for the bug report.
  const text = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (env[DEBUG_ENV]) {
    return {
      message: `tenantctl: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      code: EXIT.error,
    };
  }
  return {
    message: `tenantctl: internal error: ${text}\n  (a bug or an unexpected environment: run again with ${DEBUG_ENV}=1 for the stack trace, and report it)\n`,
    code: EXIT.error,
  };
}
