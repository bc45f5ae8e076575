/**
 * A stack loads only the provider SDKs its template names, and AWS only by submodule (the `@pulumi/aws` index
 * costs ~80 ms of start-up). Its own file: which modules are loaded is per process, and vitest forks per file.
 */
import { expect, it } from "vitest";
import { TenantDomains } from "../../infra/components/TenantDomains";
import { dnsFor } from "../../infra/dns";
import { tlsFor } from "../../infra/tls";
import { aTenant } from "../support/domainFixtures";
import { recordResources, resolvedValue } from "../support/pulumiMocks";

const loadedModules = () => Object.keys(require.cache).map((file) => file.replace(/\\/g, "/"));

it("renders Route53 and ACM without loading the Cloudflare SDK or the @pulumi/aws index", async () => {
  await recordResources({
    state: (resource) => ({ status: "PENDING_VALIDATION", domainValidationOptions: [], arn: `arn:${resource.name}` }),
    call: () => ({ zoneId: "Z0LOOKEDUP" }),
  });
  const tenant = aTenant("acme", {
    domains: {
      custom: [{ hostname: "app.acme-corp.com" }],
      dns: { provider: "route53", zone: "example.com" },
      tls: { provider: "acm" },
    },
  });
  const domains = new TenantDomains("acme", { tenant, dns: dnsFor(tenant.domains.dns), tls: tlsFor(tenant.domains) });
  await resolvedValue(domains.customDomains);

  const loaded = loadedModules();
  expect(loaded.some((file) => file.includes("/@pulumi/aws/route53/record.js"))).toBe(true); // the check can see SDK modules
  expect(loaded.filter((file) => file.includes("/@pulumi/cloudflare/"))).toEqual([]);
  expect(loaded.filter((file) => file.endsWith("/@pulumi/aws/index.js"))).toEqual([]);
});
