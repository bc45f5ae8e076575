/**
 * `tenantctl sandbox [--dir tenants] [--keep] [--auth authhero] [--dns]` and `tenantctl sandbox --stop`: the flags checked,
 * then the sandbox's session (src/sandbox/session.ts).
 */
import { type Outcome, UsageError } from "../core/errors";
import { runSandbox, SANDBOX_AUTH_PROVIDERS, type SandboxAuth, stopSandbox } from "../sandbox/session";

export interface SandboxFlags {
  readonly dir: string;
  readonly keep?: boolean;
  readonly stop?: boolean;
  readonly auth?: string;
  readonly tls?: boolean;
  readonly dns?: boolean;
}

export async function sandbox(
  flags: SandboxFlags,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<Outcome> {
  if (flags.stop && flags.keep) throw new UsageError("--stop and --keep do not go together");
  if (flags.stop && flags.auth) throw new UsageError("--stop and --auth do not go together");
  if (flags.stop && flags.tls) throw new UsageError("--stop and --tls do not go together");
  if (flags.stop && flags.dns) throw new UsageError("--stop and --dns do not go together");
  if (flags.auth !== undefined && !(SANDBOX_AUTH_PROVIDERS as readonly string[]).includes(flags.auth)) {
    throw new UsageError(
      `--auth ${flags.auth}: the sandbox can run ${SANDBOX_AUTH_PROVIDERS.join(", ")} (Auth0 is a cloud service)`,
    );
  }
  if (flags.stop) return stopSandbox(out, err);
  return runSandbox(
    {
      dir: flags.dir,
      ...(flags.keep ? { keep: true } : {}),
      ...(flags.auth ? { auth: flags.auth as SandboxAuth } : {}),
      ...(flags.tls ? { tls: true } : {}),
      ...(flags.dns ? { dns: true } : {}),
    },
    out,
    err,
    interrupt,
  );
}
