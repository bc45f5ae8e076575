/**
 * A Cloudflare stack never loads the AWS SDK, and loads Cloudflare resources by module rather than through the
 * package index (~10 ms of start-up for ~2,000 lazy getters). Its own file: loaded modules are per process.
 */
import { expect, it } from "vitest";
import { TenantDomains } from "../../infra/components/TenantDomains";
import { dnsFor } from "../../infra/dns";
import { tlsFor } from "../../infra/tls";
import { aTenant } from "../support/domainFixtures";
import { recordResources, resolvedValue } from "../support/pulumiMocks";

const loadedModules = () => Object.keys(require.cache).map((file) => file.replace(/\\/g, "/"));

it("renders Cloudflare DNS and Cloudflare for SaaS without loading the AWS SDK or the Cloudflare index", async () => {
  await recordResources({ call: () => ({ id: "cf-zone", status: "pending", ssl: { status: "initializing" } }) });
  const tenant = aTenant("acme", { domains: { custom: [{ hostname: "app.acme-corp.com" }] } });
  const domains = new TenantDomains("acme", { tenant, dns: dnsFor(tenant.domains.dns), tls: tlsFor(tenant.domains) });
  await resolvedValue(domains.customDomains);

  const loaded = loadedModules();
  expect(loaded.some((file) => file.includes("/@pulumi/cloudflare/customHostname.js"))).toBe(true); // the check can see SDK modules
  expect(loaded.filter((file) => file.includes("/@pulumi/aws/"))).toEqual([]);
  expect(loaded.filter((file) => file.endsWith("/@pulumi/cloudflare/index.js"))).toEqual([]);
});
