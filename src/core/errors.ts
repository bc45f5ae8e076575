/**
 * The typed errors every layer shares. A user's mistake in the files is never thrown: it is a diagnostic (see
 * diagnostics.ts). These are for what is wrong with how tenantctl was called or set up.
 */

/** A usage problem (a flag, an argument, a directory that is not there): the CLI prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * The deployment's own setup is wrong (credentials missing, a config value of the wrong type, an unknown feature
 * name): one message naming the setting and how to set it, never a stack trace, never a secret's value.
 */
export class SetupError extends Error {
  override readonly name = "SetupError";
}
