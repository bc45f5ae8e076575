/**
 * One deployment context per stack run: everything the stacks and components need from outside the tenant files
 * (database servers, DNS/TLS/auth adapters, features), built once from settings that program.ts reads once from
 * config and environment. Components never read config or build adapters themselves; the offline plan builds the
 * same context from placeholder settings.
 */
import type { MigrationFile } from "../../src/core/migrations/migrationFiles";
import * as pulumi from "@pulumi/pulumi";
import { SetupError } from "../../src/core/errors";
import type { AuthProviderName, ControlPlane, DatabaseServer, RegistrySpec } from "../../src/core/model";
import { CONTROL_PLANE_STACK } from "../../src/core/naming";
import { type Auth, authFor } from "../auth";
import { type Dns, dnsFor } from "../dns";
import { type Tls, tlsFor } from "../tls";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { type AuthHeroSettings, resolveAuthHero } from "./authheroConfig";
import { adminConnectionOf, databaseServerAccess, type DatabaseServerAccess } from "./databaseServerAccess";
import { type DatabaseServerSettings, resolveDatabaseServer } from "./databaseServerConfig";
import type { Features } from "./features";
import type { AdminConnection } from "../dynamic/settings/adminConnection";

/** What a deployment is given besides the tenant files: plain data, read once. */
export interface DeploymentSettings {
  readonly features: Features;
  /** The admin credentials and address overrides of the database servers, resolved per server on first use. */
  readonly databaseServers: DatabaseServerSettings;
  /** `tenantctl:cloudflareZoneId`: saves one zone lookup per stack. */
  readonly cloudflareZoneId?: string;
  /** `tenantctl:route53ZoneId`. */
  readonly route53ZoneId?: string;
  /** `tenantctl:acmRegion`: region for ACM certificates; default the AWS provider's. */
  readonly acmRegion?: string;
  /** `tenantctl:authhero` and the TENANTCTL_AUTHHERO_* variables; resolved on first use, when the provider is authhero. */
  readonly authhero?: AuthHeroSettings;
  /**
   * `TENANTCTL_AUTH_PROVIDER` / `tenantctl:authProvider`: deploy auth into this provider instead of the template's
   * (`tenantctl sandbox --auth authhero` deploys a fleet written for Auth0 into its local AuthHero).
   */
  readonly authProvider?: string;
  /** `TENANTCTL_ROTATE`: what this run rotates (`tenantctl rotate`); absent, no password changes. */
  readonly rotation?: Rotation;
  /** Where the stack runs, for the fully qualified name of the control-plane stack. */
  readonly organization: string;
  readonly project: string;
}

/**
 * A rotation run (`tenantctl rotate`, src/orchestrate/rotate/): a token naming it, whether tenant stacks renew their
 * role's password, and which step of the runtime role's two-step rotation the control-plane stack takes.
 */
export interface Rotation {
  readonly token: string;
  readonly tenantRoles: boolean;
  readonly runtime?: "stage" | "commit";
}

export interface DeploymentContext {
  readonly features: Features;
  /** Where the registry lives (the template's `registry`). */
  readonly registry: RegistrySpec;
  /** What this run rotates, if it is a rotation. */
  readonly rotation?: Rotation;
  /** Where tenant hostnames' records go: the template's `dns.provider`. */
  readonly dns: Dns;
  /** How custom hostnames get certificates: the template's `tls.provider`. */
  readonly tls: Tls;
  /** Fully qualified name of the stack that owns the resource servers and template roles. */
  readonly controlPlaneStack: string;
  /** Where organizations, roles and resource servers go: the template's `auth.provider`, unless overridden. */
  readonly authProvider: AuthProviderName;
  /** The AuthHero Management API client, a secret; resolved once, on first use. Throws a SetupError. */
  authhero(): pulumi.Output<AuthHeroConnection>;
  /** Where organizations, roles and resource servers are declared: `authProvider`'s adapter, built on first use. Throws a SetupError. */
  auth(): Auth;
  /** Admin access to `server`: one provider per server and stack, declared on first use. Throws a SetupError. */
  databaseServer(server: DatabaseServer): DatabaseServerAccess;
  /** The template's migrations (src/core/migrations/) and their folder on this machine; none: no migrations resource. */
  readonly migrations?: { readonly files: readonly MigrationFile[]; readonly dir: string };
  /**
   * The admin connection to the registry's server (a secret), for the tenant's rows: without declaring a provider for
   * that server in a stack whose tenant lives on another one. Throws a SetupError.
   */
  registryConnection(): pulumi.Output<AdminConnection>;
}

export function createDeploymentContext(controlPlane: ControlPlane, settings: DeploymentSettings): DeploymentContext {
  const servers = new Map<string, DatabaseServerAccess>();
  let authhero: pulumi.Output<AuthHeroConnection> | undefined;
  let auth: Auth | undefined;
  const authProvider = authProviderOf(controlPlane, settings.authProvider);
  const authheroConnection = () => {
    authhero ??= pulumi.secret(resolveAuthHero(settings.authhero ?? { config: undefined, env: {} }));
    return authhero;
  };
  return {
    features: settings.features,
    dns: dnsFor(controlPlane.dns, {
      zoneId: controlPlane.dns.provider === "cloudflare" ? settings.cloudflareZoneId : settings.route53ZoneId,
    }),
    tls: tlsFor(controlPlane, { cloudflareZoneId: settings.cloudflareZoneId, acmRegion: settings.acmRegion }),
    controlPlaneStack: `${settings.organization}/${settings.project}/${CONTROL_PLANE_STACK}`,
    authProvider,
    authhero: authheroConnection,
    auth() {
      auth ??= authFor(authProvider, { authheroConnection });
      return auth;
    },
    ...(controlPlane.migrations?.length && controlPlane.migrationsFolder
      ? { migrations: { files: controlPlane.migrations, dir: controlPlane.migrationsFolder } }
      : {}),
    databaseServer(server) {
      let access = servers.get(server.name);
      if (!access) {
        access = databaseServerAccess(server, resolveDatabaseServer(server, settings.databaseServers));
        servers.set(server.name, access);
      }
      return access;
    },
    registry: controlPlane.registry,
    ...(settings.rotation ? { rotation: settings.rotation } : {}),
    registryConnection() {
      const server = controlPlane.databaseServers.find((candidate) => candidate.name === controlPlane.registry.server);
      if (!server)
        throw new SetupError(
          `the registry's database server \`${controlPlane.registry.server}\` is not in the template`,
        );
      const declared = servers.get(server.name);
      if (declared) return declared.connection;
      return adminConnectionOf(resolveDatabaseServer(server, settings.databaseServers));
    },
  };
}

const AUTH_PROVIDERS: readonly AuthProviderName[] = ["auth0", "authhero"];

function authProviderOf(controlPlane: ControlPlane, override: string | undefined): AuthProviderName {
  if (override === undefined || override === "") return controlPlane.auth.provider;
  if (!(AUTH_PROVIDERS as readonly string[]).includes(override)) {
    throw new SetupError(
      `unknown auth provider \`${override}\` in TENANTCTL_AUTH_PROVIDER / tenantctl:authProvider: use ${AUTH_PROVIDERS.join(" or ")}`,
    );
  }
  return override as AuthProviderName;
}
