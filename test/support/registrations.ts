/**
 * What the mock monitor is told besides a resource's inputs (pulumiMocks.ts records those): its aliases and the
 * resources it waits for, as the SDK sends them in each RegisterResourceRequest. Call after `recordResources`, which
 * installs the monitor this wraps.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
  /** The `type` of each alias spec (undefined: the same type, another name or parent). */
  readonly aliasTypes: (string | undefined)[];
  /** URNs of the resources it depends on (`dependsOn` and the resources its inputs come from). */
  readonly dependencies: string[];
}

interface AliasSpecMessage {
  getType(): string;
}
interface AliasMessage {
  getSpec(): AliasSpecMessage | undefined;
}
interface RegisterResourceRequest {
  getName(): string;
  getAliasesList(): AliasMessage[];
  getDependenciesList(): string[];
}
interface Monitor {
  registerResource(request: RegisterResourceRequest, callback: unknown): unknown;
}

/** Registrations by logical name, filled as the program declares resources. */
export function recordRegistrations(): Map<string, Registration> {
  const registrations = new Map<string, Registration>();
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    registrations.set(request.getName(), {
      aliasTypes: request.getAliasesList().map((alias) => alias.getSpec()?.getType() || undefined),
      dependencies: request.getDependenciesList(),
    });
    return registerResource(request, callback);
  };
  return registrations;
}

/**
 * Runs `program` and collects what it leaves unhandled: a registration whose inputs fail (an error thrown in an
 * `apply`) rejects promises nobody awaits (its outputs never settle under mocks), which the test runner would report
 * against the whole file. Waits for the first such rejection, at most `timeoutMs`. The runner's own listeners are put
 * back afterwards, so every other rejection still fails the run.
 */
export async function unhandledRejectionsOf(program: () => Promise<void>, timeoutMs = 3000): Promise<unknown[]> {
  const rejections: unknown[] = [];
  const listeners = process.listeners("unhandledRejection");
  let first: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (first = resolve));
  const collect = (reason: unknown) => {
    rejections.push(reason);
    first();
  };
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", collect);
  try {
    await program();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([arrived, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    // The rest of the same failure arrives within the same turn.
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.removeListener("unhandledRejection", collect);
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
  return rejections;
}
