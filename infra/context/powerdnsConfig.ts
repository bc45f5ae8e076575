/**
 * How a deployment reaches PowerDNS's HTTP API: the template's `dns.powerdns` (`apiUrl`, `serverId`) and the API key,
 * a secret of the deployment, never in the tenant files: stack config `tenantctl:powerdns.apiKey` (set with
 * `pulumi config set --secret --path tenantctl:powerdns.apiKey …`) or the environment TENANTCTL_POWERDNS_API_KEY.
 * TENANTCTL_POWERDNS_URL and TENANTCTL_POWERDNS_SERVER_ID (or `tenantctl:powerdns.apiUrl`/`.serverId`) override the
 * template's address, as the sandbox does for its local server; the environment wins, field by field. Pure (no
 * @pulumi): program.ts reads the values once; the deployment context turns the result into a Pulumi secret. No message
 * ever quotes the key.
 */
import { SetupError } from "../../src/core/errors";
import type { PowerDnsServerSpec } from "../../src/core/model";
import type { PowerDnsConnection } from "../dns/powerdnsConnection";

export const POWERDNS_ENV = {
  apiUrl: "TENANTCTL_POWERDNS_URL",
  serverId: "TENANTCTL_POWERDNS_SERVER_ID",
  apiKey: "TENANTCTL_POWERDNS_API_KEY",
} as const;

/** What a deployment was given for PowerDNS, before resolution. */
export interface PowerDnsSettings {
  /** `tenantctl:powerdns`, as the stack config holds it (checked here, not trusted). */
  readonly config: unknown;
  /** The TENANTCTL_POWERDNS_* variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const FIELDS = ["apiUrl", "serverId", "apiKey"] as const;
type Field = (typeof FIELDS)[number];

function configEntry(config: unknown): Partial<Record<Field, string>> {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new SetupError(
      "tenantctl:powerdns must be an object {apiKey, apiUrl?, serverId?}: `pulumi config set --secret --path tenantctl:powerdns.apiKey …`.",
    );
  }
  const entry: Partial<Record<Field, string>> = {};
  for (const [field, value] of Object.entries(config)) {
    if (!(FIELDS as readonly string[]).includes(field))
      throw new SetupError(`tenantctl:powerdns: unknown field "${field}"; fields are ${FIELDS.join(", ")}.`);
    if (typeof value !== "string")
      throw new SetupError(
        `tenantctl:powerdns.${field} must be a string, not ${value === null ? "null" : typeof value}.`,
      );
    entry[field as Field] = value;
  }
  return entry;
}

/** Applies the precedence (environment, config, template); throws a SetupError naming what is missing and how to set it. */
export function resolvePowerDns(
  settings: PowerDnsSettings,
  template: PowerDnsServerSpec | undefined,
): PowerDnsConnection {
  const fromConfig = configEntry(settings.config);
  const value = (field: Field): string | undefined => {
    const fromEnv = settings.env[POWERDNS_ENV[field]];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    return fromConfig[field] ?? (field === "apiKey" ? undefined : template?.[field]);
  };
  const apiUrl = value("apiUrl");
  if (!apiUrl) {
    throw new SetupError(
      `dns.provider is powerdns, but no PowerDNS API URL is known: set \`dns.powerdns.apiUrl\` in the template (or ${POWERDNS_ENV.apiUrl}).`,
    );
  }
  if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    throw new SetupError(
      `PowerDNS API URL "${apiUrl}" (${POWERDNS_ENV.apiUrl} / tenantctl:powerdns.apiUrl) is not an http(s) URL: use the API's base URL, e.g. http://pdns.internal.example.com:8081.`,
    );
  }
  const apiKey = value("apiKey");
  if (!apiKey) {
    throw new SetupError(
      `dns.provider is powerdns, but no PowerDNS API key is configured: set \`pulumi config set --secret --path tenantctl:powerdns.apiKey …\` or ${POWERDNS_ENV.apiKey}.`,
    );
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ""), serverId: value("serverId") ?? "localhost", apiKey };
}
