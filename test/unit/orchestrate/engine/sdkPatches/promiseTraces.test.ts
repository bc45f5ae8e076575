/**
 * withoutPromiseTraces leaves @pulumi/pulumi's promise wrapper doing all it did (the value, the rejection, the leak
 * bookkeeping), without formatting a stack trace per promise. Its own process (vitest `forks`).
 */
import { describe, expect, it } from "vitest";
import { withoutPromiseTraces } from "../../../../../src/orchestrate/engine/sdkPatches/promiseTraces";

type Traced = Promise<unknown> & { _debugStackTrace?: string; _debugCtx?: string };
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
};

describe("withoutPromiseTraces", () => {
  it("keeps PULUMI_DEBUG_PROMISE_LEAKS's traces", () => {
    withoutPromiseTraces({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    const promise: Traced = Promise.resolve(1);
    void debuggable.debuggablePromise(promise, "with traces");
    expect(promise._debugStackTrace).toMatch(/\n\s+at /);
  });

  it("otherwise wraps promises as before, with an empty trace, and restores the stack trace limit", async () => {
    const limit = Error.stackTraceLimit;
    withoutPromiseTraces({});
    const resolved: Traced = Promise.resolve(42);
    await expect(debuggable.debuggablePromise(resolved, "a value")).resolves.toBe(42);
    expect(resolved._debugCtx).toBe("a value");
    expect(resolved._debugStackTrace).toMatch(/^Error/);
    expect(resolved._debugStackTrace).not.toMatch(/\n\s+at /);
    const failure = new Error("refused");
    await expect(debuggable.debuggablePromise(Promise.reject(failure), "a failure")).rejects.toBe(failure);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("ours").stack).toMatch(/\n\s+at /);
  });
});
