import * as pulumi from "@pulumi/pulumi";

/**
 * Runs a pure helper and reports its error against `resource`: Pulumi then prints the message with the resource's
 * name and no JavaScript stack trace, which is what a user who made a mistake in a tenant file should see.
 */
export function orFail<T>(resource: pulumi.Resource, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof pulumi.ResourceError) throw error;
    throw new pulumi.ResourceError(error instanceof Error ? error.message : String(error), resource);
  }
}
