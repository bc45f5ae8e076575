/**
 * The runtime role's credentials file (TENANTCTL_RUNTIME_CREDENTIALS_FILE): `{"user": "tenantctl_runtime",
 * "passwords": ["<current>", "<previous>"?]}`, mode 0600. An app tries the passwords in order for each new connection
 * and reads the file again when all of them fail: that is what lets `tenantctl rotate` change the password without a
 * moment in which such an app cannot connect (README, "The registry").
 *
 * Written whole into a temporary file, then renamed over the old one: a reader sees the old file or the new one, never
 * half of either.
 */
import { chmodSync, renameSync, writeFileSync } from "node:fs";
import type { RuntimeCredentials } from "./registryCredentials";

/** The environment variable an app (and `tenantctl rotate`) finds the file by. */
export const RUNTIME_CREDENTIALS_FILE_ENV = "TENANTCTL_RUNTIME_CREDENTIALS_FILE";

export function writeCredentialsFile(path: string, credentials: RuntimeCredentials): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ user: credentials.user, passwords: credentials.passwords })}\n`, {
    mode: 0o600,
  });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
