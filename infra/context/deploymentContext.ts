/**
 * One deployment context per stack run: everything the stacks and components need from outside the tenant files
 * (database servers, DNS/TLS/auth adapters, features), built once from settings that program.ts reads once from
 * config and environment. Components never read config or build adapters themselves; the offline plan builds the
 * same context from placeholder settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { SetupError } from "../../src/core/errors";
import type { AuthProviderName, ControlPlane, DatabaseServer, DnsProviderName, DnsSpec } from "../../src/core/model";
import { CONTROL_PLANE_STACK } from "../../src/core/naming";
import { type Auth, authFor } from "../auth";
import { type Dns, dnsFor, type PowerDnsConnection } from "../dns";
import { type Tls, tlsFor } from "../tls";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";
import { type AuthHeroSettings, resolveAuthHero } from "./authheroConfig";
import { databaseServerAccess, type DatabaseServerAccess } from "./databaseServerAccess";
import { type DatabaseServerSettings, resolveDatabaseServer } from "./databaseServerConfig";
import type { Features } from "./features";
import { type PowerDnsSettings, resolvePowerDns } from "./powerdnsConfig";

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
  /** `tenantctl:powerdns` and the TENANTCTL_POWERDNS_* variables; resolved on first use, when the provider is powerdns. */
  readonly powerdns?: PowerDnsSettings;
  /**
   * `TENANTCTL_DNS_PROVIDER` / `tenantctl:dnsProvider`: write records into this provider instead of the template's
   * (`tenantctl sandbox --dns` writes a fleet written for Cloudflare into its local PowerDNS).
   */
  readonly dnsProvider?: string;
  /** Where the stack runs, for the fully qualified name of the control-plane stack. */
  readonly organization: string;
  readonly project: string;
}

export interface DeploymentContext {
  readonly features: Features;
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
}

export function createDeploymentContext(controlPlane: ControlPlane, settings: DeploymentSettings): DeploymentContext {
  const servers = new Map<string, DatabaseServerAccess>();
  let authhero: pulumi.Output<AuthHeroConnection> | undefined;
  let auth: Auth | undefined;
  const authProvider = authProviderOf(controlPlane, settings.authProvider);
  const dns = dnsOf(controlPlane, settings.dnsProvider);
  let powerdns: pulumi.Output<PowerDnsConnection> | undefined;
  const powerdnsConnection = () => {
    powerdns ??= pulumi.secret(resolvePowerDns(settings.powerdns ?? { config: undefined, env: {} }, dns.powerdns));
    return powerdns;
  };
  const authheroConnection = () => {
    authhero ??= pulumi.secret(resolveAuthHero(settings.authhero ?? { config: undefined, env: {} }));
    return authhero;
  };
  return {
    features: settings.features,
    dns: dnsFor(dns, {
      zoneId: dns.provider === "cloudflare" ? settings.cloudflareZoneId : settings.route53ZoneId,
      powerdnsConnection,
    }),
    tls: tlsFor(controlPlane, { cloudflareZoneId: settings.cloudflareZoneId, acmRegion: settings.acmRegion }),
    controlPlaneStack: `${settings.organization}/${settings.project}/${CONTROL_PLANE_STACK}`,
    authProvider,
    authhero: authheroConnection,
    auth() {
      auth ??= authFor(authProvider, { authheroConnection });
      return auth;
    },
    databaseServer(server) {
      let access = servers.get(server.name);
      if (!access) {
        access = databaseServerAccess(server, resolveDatabaseServer(server, settings.databaseServers));
        servers.set(server.name, access);
      }
      return access;
    },
  };
}

const DNS_PROVIDERS: readonly DnsProviderName[] = ["cloudflare", "route53", "powerdns"];

function dnsOf(controlPlane: ControlPlane, override: string | undefined): DnsSpec {
  if (override === undefined || override === "" || override === controlPlane.dns.provider) return controlPlane.dns;
  if (!(DNS_PROVIDERS as readonly string[]).includes(override)) {
    throw new SetupError(
      `unknown DNS provider \`${override}\` in TENANTCTL_DNS_PROVIDER / tenantctl:dnsProvider: use ${DNS_PROVIDERS.join(", ")}`,
    );
  }
  return { ...controlPlane.dns, provider: override as DnsProviderName };
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
