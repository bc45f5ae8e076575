/**
 * `TENANTCTL_ROTATE`: how `tenantctl rotate` tells a stack's program what to rotate (src/orchestrate/rotate/), as JSON
 * `{"token": "...", "tenantRoles": true, "runtime": "stage" | "commit"}`. An environment variable rather than a
 * program argument, so `pulumi up -s acme` by hand can be told the same.
 */
import { SetupError } from "../../src/core/errors";
import type { Rotation } from "./deploymentContext";

export const ROTATE_ENV = "TENANTCTL_ROTATE";

export function rotationFrom(text: string | undefined): Rotation | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SetupError(`${ROTATE_ENV} is not valid JSON: unset it, or run \`tenantctl rotate\`, which sets it`);
  }
  const { token, tenantRoles, runtime } = (parsed ?? {}) as Record<string, unknown>;
  if (
    typeof token !== "string" ||
    token === "" ||
    (runtime !== undefined && runtime !== "stage" && runtime !== "commit")
  )
    throw new SetupError(
      `${ROTATE_ENV} must be {"token": "<text>", "tenantRoles": true|false, "runtime": "stage"|"commit"}: unset it, or run \`tenantctl rotate\``,
    );
  return { token, tenantRoles: tenantRoles === true, ...(runtime ? { runtime } : {}) };
}
