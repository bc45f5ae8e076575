import * as pulumi from "@pulumi/pulumi";

/** `{ key: id }` for a map of resources, once every id is known: how role and resource server ids become outputs. */
export function idsByKey<T>(
  resources: ReadonlyMap<string, T>,
  idOf: (resource: T) => pulumi.Output<string>,
): pulumi.Output<Record<string, string>> {
  const entries = [...resources].map(([key, resource]) => pulumi.all([key, idOf(resource)]));
  return pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs));
}
