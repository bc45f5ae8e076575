/**
 * One deployment context per stack run: everything the stacks and components need from outside the tenant files
 * (database servers, DNS/TLS/auth adapters, features), built once from settings that program.ts reads once from
 * config and environment. Components never read config or build adapters themselves; the offline plan builds the
 * same context from placeholder settings.
 */
import type { ControlPlane, DatabaseServer } from "../../src/core/model";
import { CONTROL_PLANE_STACK } from "../../src/core/naming";
import { type Dns, dnsFor } from "../dns";
import { type Tls, tlsFor } from "../tls";
import { databaseServerAccess, type DatabaseServerAccess } from "./databaseServerAccess";
import { type DatabaseServerSettings, resolveDatabaseServer } from "./databaseServerConfig";
import type { Features } from "./features";

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
  /** Admin access to `server`: one provider per server and stack, declared on first use. Throws a SetupError. */
  databaseServer(server: DatabaseServer): DatabaseServerAccess;
}

export function createDeploymentContext(controlPlane: ControlPlane, settings: DeploymentSettings): DeploymentContext {
  const servers = new Map<string, DatabaseServerAccess>();
  return {
    features: settings.features,
    dns: dnsFor(controlPlane.dns, { zoneId: controlPlane.dns.provider === "cloudflare" ? settings.cloudflareZoneId : settings.route53ZoneId }),
    tls: tlsFor(controlPlane, { cloudflareZoneId: settings.cloudflareZoneId, acmRegion: settings.acmRegion }),
    controlPlaneStack: `${settings.organization}/${settings.project}/${CONTROL_PLANE_STACK}`,
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
