/**
 * The @pulumi/pulumi runtime internals an offline render uses, in one place: a runtime store per stack
 * (`runtime/state.withLocalStorage`, as the Automation API's inline programs do), the mock monitor hook
 * (`runtime/settings.setMockOptions`, what `setMocks` uses) and `runtime/settings.waitForRPCs`. `runtime()` names them
 * if an upgrade moves them. Also what a render listens to (rejections), which is process-wide; what it turns off to
 * stay cheap (source positions) is a patch of the SDK (engine/sdkPatches/sourcePositions.ts).
 */

export interface RuntimeStore {
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
  supportsDeletedWith: boolean;
  supportsReplaceWith: boolean;
  supportsAliasSpecs: boolean;
  supportsTransforms: boolean;
  supportsParameterization: boolean;
  supportsResourceHooks: boolean;
  supportsErrorHooks: boolean;
}
export interface RuntimeState {
  withLocalStorage<T>(callback: () => T): T;
  getStore(): RuntimeStore;
}
export interface RuntimeSettings {
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
  waitForRPCs(): Promise<void>;
}

let runtimeModules: { state: RuntimeState; settings: RuntimeSettings } | undefined;
export function runtime(): { state: RuntimeState; settings: RuntimeSettings } {
  if (runtimeModules) return runtimeModules;
  const state = require("@pulumi/pulumi/runtime/state") as Partial<RuntimeState>;
  const settings = require("@pulumi/pulumi/runtime/settings") as Partial<RuntimeSettings>;
  if (
    typeof state.withLocalStorage !== "function" ||
    typeof settings.setMockOptions !== "function" ||
    typeof settings.waitForRPCs !== "function"
  ) {
    throw new Error(
      "this @pulumi/pulumi no longer has runtime/state.withLocalStorage, runtime/settings.setMockOptions or runtime/settings.waitForRPCs: update src/orchestrate/plan/offlinePlan/runtime.ts",
    );
  }
  runtimeModules = { state: state as RuntimeState, settings: settings as RuntimeSettings };
  return runtimeModules;
}

/** What `pulumi.runtime.setMocks` turns on: the features a current engine supports. */
export const MOCK_ENGINE_FEATURES: RuntimeStore = {
  supportsSecrets: true,
  supportsResourceReferences: true,
  supportsOutputValues: false,
  supportsDeletedWith: true,
  supportsReplaceWith: true,
  supportsAliasSpecs: true,
  supportsTransforms: false,
  supportsParameterization: true,
  supportsResourceHooks: true,
  supportsErrorHooks: true,
};

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Errors the program raises asynchronously (a `ResourceError` thrown in an `apply`) surface as unhandled rejections,
 * which `pulumi up`'s language host catches and reports. While a stack renders, this file does the same: it is the
 * only `unhandledRejection` listener, and what it hears belongs to that stack (stacks render one at a time). The
 * listeners that were there before are put back afterwards.
 */
export async function catchingRejections<T>(errors: string[], run: () => Promise<T>): Promise<T> {
  const previous = process.listeners("unhandledRejection");
  const listener = (reason: unknown) => errors.push(describeError(reason));
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", listener);
  try {
    const result = await run();
    // Unhandled rejections are reported after the microtask queue drains: let them arrive.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const restored of previous) process.on("unhandledRejection", restored);
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
