/**
 * What an offline render puts where a deployment has real values: stable, readable, obviously not real
 * (`<id of acme-role-auditor>`), so two renders can be compared and no credential is ever read.
 */
import type { DeploymentSettings } from "../../../../infra/context/deploymentContext";
import { ALL_FEATURES, type Features } from "../../../../infra/context/features";
import type { ControlPlane } from "../../../core/model";
import { isObject, type Serialized } from "./serialized";

export const placeholderId = (name: string) => `<id of ${name}>`;
const zoneId = (zone: unknown) => `<id of zone ${String(zone)}>`;

/** Invokes the programs make, answered offline. An invoke missing here fails the render with its token. */
export const OFFLINE_INVOKES: Readonly<
  Record<string, (args: { [key: string]: Serialized }) => { [key: string]: Serialized }>
> = {
  "cloudflare:index/getZone:getZone": (args) => {
    const name = isObject(args.filter) ? args.filter.name : undefined;
    return { ...args, id: zoneId(name), zoneId: zoneId(name), name: name ?? null, status: "active" };
  },
  "aws:route53/getZone:getZone": (args) => ({
    ...args,
    id: zoneId(args.name),
    zoneId: zoneId(args.name),
    name: args.name ?? null,
  }),
  "cloudflare:index/getCustomHostname:getCustomHostname": (args) => ({
    ...args,
    id: args.customHostnameId ?? null,
    status: "pending",
    ssl: { status: "pending_validation", validationRecords: [] },
  }),
};

/** Outputs a provider computes that the programs read; merged over the echoed inputs. */
export const OFFLINE_STATE: Readonly<
  Record<string, (inputs: { [key: string]: Serialized }, name: string) => { [key: string]: Serialized }>
> = {
  "pulumi-nodejs:dynamic:GeneratedPassword": () => ({ value: "<generated password>" }),
  "aws:acm/certificate:Certificate": (inputs) => ({
    status: "PENDING_VALIDATION",
    domainValidationOptions: [
      {
        domainName: inputs.domainName ?? null,
        resourceRecordName: `<validation name for ${String(inputs.domainName)}>`,
        resourceRecordType: "CNAME",
        resourceRecordValue: "<validation value>",
      },
    ],
  }),
  "cloudflare:index/customHostname:CustomHostname": () => ({ status: "pending" }),
};

/**
 * The deployment settings of an offline render: the files' own values and placeholders where a deployment reads
 * config or the environment (credentials, zone ids). The same on a laptop and in CI, whatever the environment holds.
 */
export function placeholderDeploymentSettings(
  controlPlane: ControlPlane,
  options: { project: string; organization: string; features?: Features; authProvider?: string },
): DeploymentSettings {
  const databaseServers = Object.fromEntries(
    controlPlane.databaseServers.map((server) => [
      server.name,
      { username: `<tenantctl:databaseServers.${server.name}.username>`, password: "<offline placeholder>" },
    ]),
  );
  return {
    features: options.features ?? ALL_FEATURES,
    databaseServers: { config: databaseServers, env: {} },
    authhero: {
      config: {
        url: "https://authhero.invalid",
        clientId: "<tenantctl:authhero.clientId>",
        clientSecret: "<offline placeholder>",
      },
      env: {},
    },
    powerdns: {
      config: { apiKey: "<offline placeholder>" },
      env: {},
    },
    organization: options.organization,
    project: options.project,
    ...(options.authProvider ? { authProvider: options.authProvider } : {}),
  };
}
