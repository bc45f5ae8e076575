/**
 * A tenant stack's view of the `control-plane` stack, whatever the auth provider: the ids of the template roles and
 * resource servers it owns, read from its outputs (the contract in controlPlaneOutputs.ts), never looked up by name:
 * a tenant can then only bind to roles that stack owns (never to a same-named role someone made by hand), and a
 * fleet-wide preview costs the auth provider's Management API nothing (Auth0's rate limit would throttle `drift`).
 */
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_PLANE_OUTPUTS } from "./controlPlaneOutputs";

export interface ControlPlaneIds {
  /** Fully qualified name of the control-plane stack, for messages. */
  readonly stack: string;
  readonly roleIds: pulumi.Output<Record<string, string>>;
  readonly resourceServerIds: pulumi.Output<Record<string, string>>;
}

/** Declares the StackReference `<name>-control-plane` under `parent`. */
export function referenceControlPlane(parent: pulumi.Resource, name: string, stackName: string): ControlPlaneIds {
  const reference = new pulumi.StackReference(`${name}-control-plane`, { name: stackName }, { parent });
  return {
    stack: stackName,
    roleIds: reference.requireOutput(CONTROL_PLANE_OUTPUTS.roleIds) as pulumi.Output<Record<string, string>>,
    resourceServerIds: reference.requireOutput(CONTROL_PLANE_OUTPUTS.resourceServerIds) as pulumi.Output<
      Record<string, string>
    >,
  };
}
