/**
 * The contract between the `control-plane` stack and the tenant stacks: the stack output names, and their shape.
 */
import type { ControlPlane } from "../../src/core/model";

export const CONTROL_PLANE_OUTPUTS = {
  /** Template role ids by role name: `{ admin: "rol_…", member: "rol_…" }`. */
  roleIds: "roleIds",
  /** Resource server ids by identifier: `{ "https://api.example.com": "…" }`. */
  resourceServerIds: "resourceServerIds",
} as const;

export interface ControlPlaneOutputs {
  readonly roleIds: Readonly<Record<string, string>>;
  readonly resourceServerIds: Readonly<Record<string, string>>;
}

/**
 * Stand-in outputs derived from the template, for renders that never reach Auth0 (`tenantctl plan`, tests):
 * ids are visibly fake but stable, so a plan only changes when the template does.
 */
export function placeholderControlPlaneOutputs(auth: ControlPlane["auth"]): ControlPlaneOutputs {
  return {
    roleIds: Object.fromEntries(auth.roles.map((role) => [role.name, `<role ${role.name}>`])),
    resourceServerIds: Object.fromEntries(
      auth.resourceServers.map((server) => [server.identifier, `<resource server ${server.identifier}>`]),
    ),
  };
}
