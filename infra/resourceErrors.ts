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
    throw withoutStack(new pulumi.ResourceError(file ? `${file}: ${message}` : message, resource, true));
  }
}

/** The program's refusal to deploy a stack, for the user: Pulumi prints the message alone. */
export function runError(message: string): pulumi.RunError {
  return withoutStack(new pulumi.RunError(message));
}

/**
 * Pulumi never shows these errors' stacks, but the language host's source-map-support still maps one when the error
 * is thrown after an `await` (it reads the stack to report the rejection): 12 s of CPU on this machine, for a trace
 * nobody sees. The stack is the message.
 */
function withoutStack<E extends Error>(error: E): E {
  Object.defineProperty(error, "stack", { value: error.message, writable: true, configurable: true });
  return error;
}
