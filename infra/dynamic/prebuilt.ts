/**
 * Dynamic resources whose provider travels as prebuilt source text.
 *
 * `pulumi.dynamic.Resource` serializes its provider at run time: it walks the provider's closure through the V8
 * inspector and parses every function with TypeScript. That cost ~0.6 s in every stack's program, more than
 * loading @pulumi/pulumi itself (see bench/plan.ts). The text it makes is only ever `exports.handler = <function
 * returning the provider>`, which the engine's dynamic-provider host loads with `require-from-string` and calls.
 * So our providers are written as self-contained factory functions (it refers to nothing outside itself but
 * globals and `require`), and the factories' own source is that text: no serialization, the same bytes every run.
 * The providers the rest of the code (and every test) calls are loaded back from that text (`loadProviderSource`),
 * so what is tested is what ships.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The module text the dynamic-provider host loads: `handler()` returns the provider. A provider may be split into
 * several self-contained factories (what it means, how it stores, the provider itself): each factory is called with
 * the results of the ones before it, in order, and the last one's `provider` is the provider.
 */
// biome-ignore lint/suspicious/noExplicitAny: each factory's parameters are the results of the ones before it
export function composedProviderSource(factories: readonly ((...modules: any[]) => unknown)[]): string {
  const steps = factories.map((factory) => `  modules.push((${factory.toString()})(...modules));`).join("\n");
  return `"use strict";\nexports.handler = function () {\n  const modules = [];\n${steps}\n  return modules[modules.length - 1].provider;\n};\n`;
}

/** Loads provider source text as the engine's dynamic-provider host does, without the host's module scope. */
export function loadProviderSource<T>(source: string): T {
  const module = { exports: {} as { handler?: () => T } };
  // The engine's host evaluates provider source text the same way (new Function over exports, require, module).
  new Function("exports", "require", "module", source)(module.exports, require, module);
  if (typeof module.exports.handler !== "function") throw new Error("provider source defines no exports.handler");
  return module.exports.handler();
}

/**
 * `pulumi.dynamic.Resource` with its provider given as text (`composedProviderSource`): the same type token
 * (`pulumi-nodejs:dynamic:<type>`) and the same `__provider` input, so the engine cannot tell them apart.
 */
export class PrebuiltDynamicResource extends pulumi.CustomResource {
  constructor(source: string, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    if ("__provider" in props) throw new Error("A dynamic resource must not define the __provider key");
    super(`pulumi-nodejs:dynamic:${type}`, name, { ...props, __provider: source }, opts);
  }
}
