/**
 * `tenantctl unlock <slug>`: removes a stack's lock once its holder is known to be gone. Refused while the holder is
 * alive on this host; a holder on another host cannot be checked from here, so its lock is removed with a warning
 * (the user named the stack). File backends only: other backends keep their locks where this cannot reach.
 */
import { CONTROL_PLANE_STACK } from "../core/naming";
import { describeHolder, fileBackendDir, isStale, onThisHost, removeLock, stackLocks } from "../orchestrate/run/locks";
import { projectName } from "../orchestrate/engine/projectFile";
import { type Outcome, UsageError } from "../core/errors";

export function unlock(slug: string, out: (text: string) => void, err: (text: string) => void): Outcome {
  if (!/^[a-z][a-z0-9-]*$/.test(slug) && slug !== CONTROL_PLANE_STACK)
    throw new UsageError(`\`${slug}\` is not a stack name`);
  const backend = fileBackendDir(process.env);
  if (!backend) {
    throw new UsageError(
      "unlock works on file backends (PULUMI_BACKEND_URL=file://…); other backends keep their locks out of reach: wait for the run, or remove the lock where the backend keeps it",
    );
  }
  const locks = stackLocks(backend, projectName(process.cwd()), slug);
  if (locks.length === 0) {
    out(`${slug} is not locked\n`);
    return "ok";
  }
  const alive = locks.filter((lock) => onThisHost(lock) && !isStale(lock));
  if (alive.length > 0) {
    err(
      `tenantctl unlock: ${slug} is locked by ${describeHolder(alive[0]!)}, which is still running on this host: let it finish, or stop it first\n`,
    );
    return "failed";
  }
  for (const lock of locks) {
    removeLock(lock);
    const where = onThisHost(lock)
      ? "its process is gone"
      : "it ran on another host, which tenantctl cannot check: make sure it is not running";
    out(`removed the lock of ${describeHolder(lock)} on ${slug} (${where})\n`);
  }
  // Resources that run was creating are not in the stack's state; the next `up` would try to create them again.
  out(
    `if that run was creating resources, the next \`tenantctl up ${slug}\` may find them "already exist": \`tenantctl adopt ${slug} --dry-run\` shows what \`tenantctl adopt ${slug}\` would import\n`,
  );
  return "ok";
}
