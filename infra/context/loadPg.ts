/**
 * `pg` (node-postgres), loaded without Node.js's fetch implementation.
 *
 * When it loads, pg asks whether it runs in a Cloudflare Worker: by `navigator.userAgent`, or where there is no
 * `navigator` (Node.js 20; Node.js 21 and later have one) by constructing a fetch `Response` and looking at it. On
 * Node.js 20 that constructor loads undici, Node's whole fetch implementation: ~0.12 s of CPU, about a tenth of what
 * one tenant's drift spends in tenantctl's process, for an answer that is always no. So `navigator` is given, for the
 * duration of the load only, as Node.js 21 defines it.
 *
 * Every `require("pg")` after this one gets the same module from Node's cache: the settings provider's own
 * (infra/dynamic/settings/store.ts, whose source travels in state) included, when it runs in tenantctl's process.
 */
import type * as Pg from "pg";

export function loadPg(): typeof Pg {
  const global = globalThis as { navigator?: unknown };
  if (global.navigator !== undefined) return require("pg") as typeof Pg;
  Object.defineProperty(global, "navigator", {
    value: { userAgent: `Node.js/${process.versions.node.split(".")[0]}` },
    configurable: true,
    writable: true,
  });
  try {
    return require("pg") as typeof Pg;
  } finally {
    delete global.navigator;
  }
}
