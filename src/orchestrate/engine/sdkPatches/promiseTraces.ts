/**
 * @pulumi/pulumi wraps the promises of a program's resources and outputs (`debuggablePromise`, runtime/debuggable.js)
 * and stores on each the stack trace of where it was made, formatted at once (`new Error().stack`), for a report that
 * only PULUMI_DEBUG_PROMISE_LEAKS prints. In tenantctl's process, which runs the program of every stack of a run,
 * formatting those traces was about a tenth of its CPU in a fleet's drift (bench/peer).
 *
 * Without PULUMI_DEBUG_PROMISE_LEAKS the wrapper runs with no stack frames to capture; everything else it does (the
 * leak detection, its message, the failed exit) is unchanged. Every caller in @pulumi/pulumi reaches it through the
 * module object (`debuggable_1.debuggablePromise(...)`), so replacing the export is enough. The Node.js language
 * host (`pulumi up -s acme` by hand) is not affected.
 */
type Debuggable = { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };

let done = false;

export function withoutPromiseTraces(env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (done || env["PULUMI_DEBUG_PROMISE_LEAKS"]) return;
  done = true;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
  const traced = debuggable.debuggablePromise;
  debuggable.debuggablePromise = <T>(promise: Promise<T>, context: unknown): Promise<T> => {
    const limit = Error.stackTraceLimit;
    // Synchronous: restored before anything else runs.
    Error.stackTraceLimit = 0;
    try {
      return traced(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
