/**
 * Inside the offline plan's own runtime stores (plan/offlinePlan/renderStack.ts), resources get no source position.
 *
 * Where a render's time went before this and renderStack.ts's `Error.stackTraceLimit` of 0 (1,000 tenants: 29 s →
 * 14 s): the runtime takes a stack trace for
 * every promise it tracks (`debuggablePromise`) and for every resource's source position (`Resource.stackTrace`,
 * with an unlimited depth), and formatting them cost more than declaring the resources. Neither is read offline.
 * (With a stack-trace limit of 0, errors keep their messages, which is all a plan reports.)
 */

const planStores = new WeakSet<object>();
function inPlanStore(): boolean {
  const storage = (globalThis as { asyncLocalStorage?: { getStore(): unknown } }).asyncLocalStorage;
  const store = storage?.getStore();
  return typeof store === "object" && store !== null && planStores.has(store);
}
let sourcePositionsSkipped = false;
export function skipSourcePositions(): void {
  if (sourcePositionsSkipped) return;
  sourcePositionsSkipped = true;
  // Loaded here, not at import: the patches' entry point (index.ts) must not load the SDK.
  const resource = (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).Resource as unknown as {
    stackTrace?: (skip: number) => unknown[];
  };
  const original = resource.stackTrace;
  if (typeof original !== "function") return;
  resource.stackTrace = function (this: unknown, skip: number) {
    return inPlanStore() ? [] : original.call(this, skip);
  };
}

/** Marks the current runtime store as a plan's: resources declared in it get no source position. */
export function markPlanStore(store: object): void {
  planStores.add(store);
}
