/** The AuthHero entities as Pulumi resources; use them through the auth adapter (infra/auth/authhero.ts). */
import * as pulumi from "@pulumi/pulumi";
import { PrebuiltDynamicResource } from "../prebuilt";
import type { AuthHeroConnection } from "./connection";
import type { PermissionRef } from "./entities";
import {
  AUTHHERO_ORGANIZATION_PROVIDER_SOURCE,
  AUTHHERO_RESOURCE_SERVER_PROVIDER_SOURCE,
  AUTHHERO_ROLE_PROVIDER_SOURCE,
} from "./provider";

interface AuthHeroEntityArgs {
  /** A secret in state, as a whole. */
  readonly connection: pulumi.Input<AuthHeroConnection>;
  /** The slug of the stack's tenant, or `control-plane`: named in every error message. */
  readonly tenant: string;
}

/** The connection is secret in inputs and outputs, whatever the caller passed. */
function secretConnection<T extends AuthHeroEntityArgs>(
  args: T,
  opts: pulumi.CustomResourceOptions,
): [pulumi.Inputs, pulumi.CustomResourceOptions] {
  return [
    { ...args, connection: pulumi.secret(args.connection) },
    { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "connection"] },
  ];
}

export interface AuthHeroResourceServerArgs extends AuthHeroEntityArgs {
  readonly identifier: string;
  readonly name: string;
  /** Scope values; stored sorted. */
  readonly scopes: readonly string[];
  /** @default true (role-based access control, as with Auth0) */
  readonly enforcePolicies?: boolean;
  /** @default "access_token_authz" (permissions in access tokens) */
  readonly tokenDialect?: string;
}

export class AuthHeroResourceServer extends PrebuiltDynamicResource {
  declare public readonly identifier: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly scopes: pulumi.Output<string[]>;

  constructor(name: string, args: AuthHeroResourceServerArgs, opts: pulumi.CustomResourceOptions = {}) {
    const full = {
      ...args,
      scopes: [...args.scopes].sort(),
      enforcePolicies: args.enforcePolicies ?? true,
      tokenDialect: args.tokenDialect ?? "access_token_authz",
    };
    super(AUTHHERO_RESOURCE_SERVER_PROVIDER_SOURCE, "AuthHeroResourceServer", name, ...secretConnection(full, opts));
  }
}

export interface AuthHeroRoleArgs extends AuthHeroEntityArgs {
  readonly name: string;
  readonly description: string;
  /** Scopes of resource servers; may wait for them (an output of the control-plane stack). */
  readonly permissions: pulumi.Input<readonly PermissionRef[]>;
}

export class AuthHeroRole extends PrebuiltDynamicResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly permissions: pulumi.Output<PermissionRef[]>;

  constructor(name: string, args: AuthHeroRoleArgs, opts: pulumi.CustomResourceOptions = {}) {
    const permissions = pulumi
      .output(args.permissions)
      .apply((list) =>
        [...list]
          .map((p) => ({ name: p.name, resourceServerIdentifier: p.resourceServerIdentifier }))
          .sort((a, b) =>
            a.resourceServerIdentifier === b.resourceServerIdentifier
              ? a.name.localeCompare(b.name)
              : a.resourceServerIdentifier.localeCompare(b.resourceServerIdentifier),
          ),
      );
    super(AUTHHERO_ROLE_PROVIDER_SOURCE, "AuthHeroRole", name, ...secretConnection({ ...args, permissions }, opts));
  }
}

export interface AuthHeroOrganizationArgs extends AuthHeroEntityArgs {
  /** The tenant's slug. */
  readonly name: string;
  readonly displayName: string;
  readonly metadata: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class AuthHeroOrganization extends PrebuiltDynamicResource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly metadata: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AuthHeroOrganizationArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(AUTHHERO_ORGANIZATION_PROVIDER_SOURCE, "AuthHeroOrganization", name, ...secretConnection(args, opts));
  }
}
