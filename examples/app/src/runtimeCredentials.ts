import { readFileSync } from "node:fs";

/** `TENANTCTL_RUNTIME_CREDENTIALS_FILE`, as `tenantctl` writes it: the current password first, the previous one after. */
export interface RuntimeCredentials {
  readonly user: string;
  readonly passwords: readonly string[];
}

export function readRuntimeCredentials(file: string): RuntimeCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: cannot read the runtime credentials (${(error as Error).message}).`);
  }
  const { user, passwords } = (parsed ?? {}) as { user?: unknown; passwords?: unknown };
  if (
    typeof user !== "string" ||
    !Array.isArray(passwords) ||
    passwords.length === 0 ||
    !passwords.every((p) => typeof p === "string")
  ) {
    throw new Error(
      `${file}: expected {"user": "<role>", "passwords": ["<current>", "<previous>"?]}; ` +
        "it is written by `tenantctl sandbox --keep` and `tenantctl rotate`.",
    );
  }
  return { user, passwords };
}

/**
 * The runtime login's password, as node-postgres asks for it on each new connection (`password` as a function).
 *
 * `tenantctl rotate` writes the new password first and keeps the previous one in the file until every server has
 * switched, so whichever of the two a server accepts at that moment is listed. When the server refuses the one in
 * use, the next one is tried; after the last, the file is read again (the rotation may have finished and dropped the
 * old one). Only a full pass over a freshly read file that the server refuses gives up: that is a real error.
 */
export class RotatingPassword {
  private credentials: RuntimeCredentials;
  private index = 0;
  private rereadSinceLastSuccess = false;

  constructor(private readonly file: string) {
    this.credentials = readRuntimeCredentials(file);
  }

  get user(): string {
    return this.credentials.user;
  }

  /** How many passwords the file listed when it was last read: how many refusals one pass may see. */
  get count(): number {
    return this.credentials.passwords.length;
  }

  /** The password to try for the next connection. */
  current(): string {
    return this.credentials.passwords[this.index] as string;
  }

  /** A connection logged in: the next pass over the file starts from scratch again. */
  accepted(): void {
    this.rereadSinceLastSuccess = false;
  }

  /**
   * The server refused `tried`. Returns whether another password is worth trying now. Concurrent connections may
   * report the same refusal: only the first one moves on, the others simply try the new current password.
   */
  refused(tried: string): boolean {
    if (tried !== this.current()) return true;
    if (this.index + 1 < this.credentials.passwords.length) {
      this.index += 1;
      return true;
    }
    if (this.rereadSinceLastSuccess) {
      // Give up for this connection; the next one starts a new pass (the file may be mid-rewrite right now).
      this.rereadSinceLastSuccess = false;
      return false;
    }
    this.credentials = readRuntimeCredentials(this.file);
    this.index = 0;
    this.rereadSinceLastSuccess = true;
    return true;
  }
}
