/**
 * The error kinds and command outcomes every layer shares, defined once; src/cli/exitCodes.ts maps each to its exit
 * code (docs/output.md), and only src/cli exits. A user's mistake in the files is never thrown: it is a diagnostic
 * (see diagnostics.ts). These are for what is wrong with how tenantctl was called or set up, or with tenantctl itself.
 */

/**
 * A usage problem: a flag, an argument or a directory that is wrong, including a slug or key that names nothing in
 * the tenant files. The CLI prints it in one line and exits 2.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * The deployment's own setup is wrong (credentials missing, a config value of the wrong type, an unknown feature
 * name): one message naming the setting and how to set it, never a stack trace, never a secret's value. Exit 1.
 */
export class SetupError extends Error {
  override readonly name = "SetupError";
}

/** Ctrl-C or SIGTERM stopped what was running before it had anything to report. Exit 130. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
}

/**
 * Not a user's mistake: a bug, or something of the environment tenantctl did not expect. Anything thrown that is none
 * of the kinds above counts as one: the CLI prints one line and a hint (the stack with TENANTCTL_DEBUG=1), exit 1.
 */
export class InternalError extends Error {
  override readonly name = "InternalError";
}

/**
 * How a command that did not throw ended: `ok`; `failed` (invalid tenant files, a stack that failed or was refused,
 * a refusal explained on stderr); `drift` (`drift` found some); `interrupted` (Ctrl-C or SIGTERM, report printed).
 */
export type Outcome = "ok" | "failed" | "drift" | "interrupted";
