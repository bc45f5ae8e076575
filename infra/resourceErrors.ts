import * as pulumi from "@pulumi/pulumi";

/**
 * Runs a pure helper and reports its error against `resource`: Pulumi then prints the message with the resource's
 * name and no JavaScript stack trace, which is what a user who made a mistake in a tenant file should see.
 * `file`, when given, leads the message (`tenants/acme.yaml: ...`), so the user knows which file to fix.
 */
export function orFail<T>(resource: pulumi.Resource, compute: () => T, file?: string): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof pulumi.ResourceError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new pulumi.ResourceError(file ? `${file}: ${message}` : message, resource);
  }
}
