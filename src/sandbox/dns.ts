/**
 * `tenantctl sandbox --dns`: a PowerDNS server with the template's zone (src/sandbox/powerdns.ts) that the fleet's
 * records are written into whatever the template's `dns.provider` says (TENANTCTL_DNS_PROVIDER=powerdns, as
 * `--auth authhero` does for auth), and the `dig` line that shows a tenant's name resolve.
 */
import type { ControlPlane, Tenant } from "../core/model";
import { type RunningPowerDns, startPowerDns } from "./powerdns";

export async function startSandboxDns(
  controlPlane: ControlPlane,
  dir: string,
  err: (text: string) => void,
): Promise<RunningPowerDns> {
  err(`sandbox: starting a throwaway PowerDNS with the zone ${controlPlane.dns.zone}\n`);
  const started = Date.now();
  const powerdns = await startPowerDns({ zone: controlPlane.dns.zone, dir });
  err(
    `sandbox: PowerDNS answers DNS on 127.0.0.1:${powerdns.dnsPort}, its API on ${powerdns.apiUrl} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return powerdns;
}

/** What the run's program reads to write records into the sandbox's PowerDNS; nothing without it. */
export function sandboxDnsEnv(powerdns: RunningPowerDns | undefined): Record<string, string> {
  if (!powerdns) return {};
  return {
    TENANTCTL_DNS_PROVIDER: "powerdns",
    TENANTCTL_POWERDNS_URL: powerdns.apiUrl,
    TENANTCTL_POWERDNS_SERVER_ID: powerdns.serverId,
    TENANTCTL_POWERDNS_API_KEY: powerdns.apiKey,
  };
}

/** `dns,tls,auth` without `dns` when the sandbox runs its own DNS server. */
export function withDnsEnabled(disabled: string, powerdns: RunningPowerDns | undefined): string {
  if (!powerdns) return disabled;
  return disabled
    .split(",")
    .filter((feature) => feature !== "dns")
    .join(",");
}

/** Where the records are, and a `dig` line that resolves a tenant's name (the API key is in env.sh only). */
export function describeSandboxDns(powerdns: RunningPowerDns, tenants: readonly Tenant[], kept: boolean): string {
  const withRecord = tenants.filter((tenant) => tenant.status !== "decommissioned");
  const example = withRecord[0];
  const key = kept ? "; its API key is in .tenantctl/sandbox/env.sh (TENANTCTL_POWERDNS_API_KEY)" : "";
  const lines = [
    "",
    `PowerDNS: the zone ${powerdns.zone} on 127.0.0.1:${powerdns.dnsPort} (API ${powerdns.apiUrl}${key}) holds a CNAME per tenant that is not decommissioned (${withRecord.length}).`,
  ];
  if (example) {
    lines.push(
      `  dig @127.0.0.1 -p ${powerdns.dnsPort} ${example.domains.hostname} CNAME +short    # ${example.domains.ingressHostname}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}
