import type * as pulumi from "@pulumi/pulumi";

/**
 * `opts` with an alias for each type token a component had before (same name, same parent): a stack deployed then
 * keeps the component and, through it, every child's URN, so an upgrade replaces and deletes nothing
 * (test/e2e/upgradeKeepsResources.test.ts deploys with the code of before to prove it).
 */
export function withEarlierTypes(
  opts: pulumi.ComponentResourceOptions,
  types: readonly string[],
): pulumi.ComponentResourceOptions {
  if (types.length === 0) return opts;
  return { ...opts, aliases: [...(opts.aliases ?? []), ...types.map((type) => ({ type }))] };
}
