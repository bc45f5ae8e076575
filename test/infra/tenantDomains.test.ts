import { describe, expect, it } from "vitest";
import { TenantDomains, type TenantDomainsArgs } from "../../infra/components/TenantDomains";
import { createDeploymentContext } from "../../infra/context/deploymentContext";
import { ALL_FEATURES } from "../../infra/context/features";
import { dnsFor } from "../../infra/dns";
import { AcmTls, tlsFor } from "../../infra/tls";
import type { Tenant } from "../../src/core/model";
import { aControlPlane, aTenant } from "../support/domainFixtures";
import {
  ofType,
  recordResources,
  resolvedValue,
  type RecordResourcesOptions,
  type RecordedResource,
} from "../support/pulumiMocks";

const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const CUSTOM_HOSTNAME = "cloudflare:index/customHostname:CustomHostname";
const ROUTE53_RECORD = "aws:route53/record:Record";
const CERTIFICATE = "aws:acm/certificate:Certificate";
const CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const COMPONENT = "tenantctl:index:TenantDomains";

const CUSTOM = [{ hostname: "app.acme-corp.com" }, { hostname: "portal.acme-corp.com" }];

/** What Cloudflare and AWS would answer; certificate status can be changed per test. */
function providerMocks(certificateStatus = "PENDING_VALIDATION"): RecordResourcesOptions {
  return {
    state: (resource) =>
      resource.type === CERTIFICATE
        ? {
            arn: `arn:aws:acm:eu-west-1:123456789012:certificate/${resource.name}`,
            status: certificateStatus,
            domainValidationOptions: [
              {
                domainName: resource.inputs.domainName,
                resourceRecordName: `_a79865eb4cd1.${resource.inputs.domainName}.`,
                resourceRecordType: "CNAME",
                resourceRecordValue: "_424c7224e9b0.hkvuiqjoua.acm-validations.aws.",
              },
            ],
          }
        : undefined,
    call: ({ token, inputs }) => {
      switch (token) {
        case "cloudflare:index/getZone:getZone":
          return { id: "cf-zone-looked-up", name: inputs.filter.name };
        case "aws:route53/getZone:getZone":
          return { id: "Z0LOOKEDUP", zoneId: "Z0LOOKEDUP", name: inputs.name };
        case "cloudflare:index/getCustomHostname:getCustomHostname": {
          const hostname = String(inputs.customHostnameId)
            .replace(/^acme-/, "")
            .replace(/-id-\d+$/, "");
          return {
            id: inputs.customHostnameId,
            hostname,
            status: "pending",
            ownershipVerification: { type: "txt", name: `_cf-custom-hostname.${hostname}`, value: `owner-${hostname}` },
            ssl: {
              status: "pending_validation",
              validationRecords: [{ txtName: `_acme-challenge.${hostname}`, txtValue: `dcv-${hostname}` }],
            },
          };
        }
        default:
          return undefined;
      }
    },
  };
}

interface Rendered {
  readonly resources: RecordedResource[];
  readonly domains: TenantDomains;
  readonly calls: readonly { token: string; inputs: Record<string, unknown> }[];
}

async function render(
  tenant: Tenant,
  args: Partial<Omit<TenantDomainsArgs, "tenant">> = {},
  mocks: RecordResourcesOptions = providerMocks(),
): Promise<Rendered> {
  const recorder = await recordResources(mocks);
  const domains = new TenantDomains(tenant.slug, {
    tenant,
    dns: args.dns ?? dnsFor(tenant.domains.dns),
    tls: args.tls ?? tlsFor(tenant.domains),
    ...args,
  });
  await resolvedValue(domains.customDomains);
  return { resources: await recorder.settled(), domains, calls: recorder.calls };
}

function acme(overrides: Parameters<typeof aTenant>[1] = {}): Tenant {
  return aTenant("acme", { name: "Acme Corporation", ...overrides, domains: { custom: CUSTOM, ...overrides.domains } });
}

describe("TenantDomains with Cloudflare DNS and Cloudflare for SaaS", () => {
  it("points the tenant hostname at the ingress with a CNAME in the zone it looked up", async () => {
    const { resources, calls } = await render(acme());

    const [record, ...others] = ofType(resources, DNS_RECORD);
    expect(others).toHaveLength(0);
    expect(record).toMatchObject({ name: "acme-hostname", parentType: COMPONENT });
    expect(record?.inputs).toMatchObject({
      zoneId: "cf-zone-looked-up",
      type: "CNAME",
      name: "acme.app.example.com",
      content: "edge.example.com",
      proxied: false,
      ttl: 300,
    });
    expect(calls.filter((call) => call.token === "cloudflare:index/getZone:getZone")[0]?.inputs).toEqual({
      filter: { name: "example.com" },
    });
  });

  it("creates a custom hostname with TXT validation for each custom domain", async () => {
    const { resources } = await render(acme());

    const hostnames = ofType(resources, CUSTOM_HOSTNAME);
    expect(hostnames.map((hostname) => [hostname.name, hostname.parentType, hostname.inputs.hostname])).toEqual([
      ["acme-app.acme-corp.com", COMPONENT, "app.acme-corp.com"],
      ["acme-portal.acme-corp.com", COMPONENT, "portal.acme-corp.com"],
    ]);
    expect(hostnames[0]?.inputs).toMatchObject({
      zoneId: "cf-zone-looked-up",
      ssl: { method: "txt", type: "dv", settings: { minTlsVersion: "1.2" } },
    });
  });

  it("outputs the records the customer must add and the status Cloudflare reports now", async () => {
    const { domains } = await render(acme());

    const [app] = await resolvedValue(domains.customDomains);
    expect(app).toEqual({
      hostname: "app.acme-corp.com",
      status: "pending",
      providerStatus: "hostname pending, ssl pending_validation",
      records: [
        { type: "CNAME", name: "app.acme-corp.com", value: "acme.app.example.com", purpose: "routing" },
        {
          type: "TXT",
          name: "_cf-custom-hostname.app.acme-corp.com",
          value: "owner-app.acme-corp.com",
          purpose: "ownership",
        },
        {
          type: "TXT",
          name: "_acme-challenge.app.acme-corp.com",
          value: "dcv-app.acme-corp.com",
          purpose: "validation",
        },
      ],
    });
    expect(await resolvedValue(domains.hostname)).toBe("acme.app.example.com");
  });

  it("uses the configured zone id instead of looking the zone up", async () => {
    const recorder = await recordResources(providerMocks());
    const tenant = acme();
    const context = createDeploymentContext(aControlPlane(), {
      features: ALL_FEATURES,
      databaseServers: { config: undefined, env: {} },
      cloudflareZoneId: "cf-zone-configured",
      organization: "organization",
      project: "project",
    });
    const domains = new TenantDomains("acme", { tenant, dns: context.dns, tls: context.tls });
    await resolvedValue(domains.customDomains);
    const resources = await recorder.settled();

    expect(ofType(resources, DNS_RECORD)[0]?.inputs.zoneId).toBe("cf-zone-configured");
    expect(ofType(resources, CUSTOM_HOSTNAME)[0]?.inputs.zoneId).toBe("cf-zone-configured");
    expect(recorder.calls.map((call) => call.token)).not.toContain("cloudflare:index/getZone:getZone");
  });
});

describe("TenantDomains with Route53 DNS and ACM", () => {
  const awsTenant = (overrides: Parameters<typeof aTenant>[1] = {}) =>
    acme({
      ...overrides,
      domains: { dns: { provider: "route53", zone: "example.com" }, tls: { provider: "acm" }, ...overrides.domains },
    });

  it("points the tenant hostname at the ingress with a record in the public zone it looked up", async () => {
    const { resources, calls } = await render(awsTenant());

    const records = ofType(resources, ROUTE53_RECORD);
    expect(records).toHaveLength(1); // the customer's zone is theirs: no record there
    expect(records[0]).toMatchObject({ name: "acme-hostname", parentType: COMPONENT });
    expect(records[0]?.inputs).toMatchObject({
      zoneId: "Z0LOOKEDUP",
      type: "CNAME",
      name: "acme.app.example.com",
      records: ["edge.example.com"],
      ttl: 300,
    });
    expect(calls.find((call) => call.token === "aws:route53/getZone:getZone")?.inputs).toMatchObject({
      name: "example.com",
      privateZone: false,
    });
    expect(ofType(resources, DNS_RECORD)).toHaveLength(0);
  });

  it("requests one DNS-validated certificate per custom domain and never waits for validation", async () => {
    const { resources } = await render(awsTenant());

    const certificates = ofType(resources, CERTIFICATE);
    expect(certificates.map((certificate) => [certificate.name, certificate.parentType])).toEqual([
      ["acme-app.acme-corp.com", COMPONENT],
      ["acme-portal.acme-corp.com", COMPONENT],
    ]);
    expect(certificates[0]?.inputs).toMatchObject({
      domainName: "app.acme-corp.com",
      validationMethod: "DNS",
      tags: { "tenantctl:tenant": "acme", "tenantctl:hostname": "app.acme-corp.com" },
    });
    expect(ofType(resources, CERTIFICATE_VALIDATION)).toEqual([]);
    expect(ofType(resources, CUSTOM_HOSTNAME)).toEqual([]);
  });

  it("outputs the validation records and the certificate's status", async () => {
    const { domains } = await render(awsTenant());

    expect(await resolvedValue(domains.customDomains)).toEqual([
      {
        hostname: "app.acme-corp.com",
        status: "pending",
        providerStatus: "PENDING_VALIDATION",
        records: [
          { type: "CNAME", name: "app.acme-corp.com", value: "acme.app.example.com", purpose: "routing" },
          {
            type: "CNAME",
            name: "_a79865eb4cd1.app.acme-corp.com",
            value: "_424c7224e9b0.hkvuiqjoua.acm-validations.aws",
            purpose: "validation",
          },
        ],
      },
      expect.objectContaining({ hostname: "portal.acme-corp.com", status: "pending" }),
    ]);
  });

  it("reports an issued certificate as active", async () => {
    const { domains } = await render(awsTenant(), {}, providerMocks("ISSUED"));

    const statuses = (await resolvedValue(domains.customDomains)).map((domain) => [
      domain.status,
      domain.providerStatus,
    ]);
    expect(statuses).toEqual([
      ["active", "ISSUED"],
      ["active", "ISSUED"],
    ]);
  });

  it("requests certificates in the region it is given", async () => {
    const { resources } = await render(awsTenant(), { tls: new AcmTls({ region: "us-east-1" }) });

    expect(ofType(resources, CERTIFICATE).map((certificate) => certificate.inputs.region)).toEqual([
      "us-east-1",
      "us-east-1",
    ]);
  });
});

describe("TenantDomains by tenant status", () => {
  it.each([
    ["cloudflare", "cloudflare"],
    ["route53", "acm"],
  ] as const)("declares no DNS or TLS for a decommissioned tenant (%s DNS, %s TLS)", async (dns, tls) => {
    const tenant = acme({
      status: "decommissioned",
      domains: { dns: { provider: dns, zone: "example.com" }, tls: { provider: tls } },
    });
    const { resources, domains, calls } = await render(tenant);

    expect(resources.map((resource) => resource.type)).toEqual([COMPONENT]);
    expect(calls).toEqual([]);
    expect(await resolvedValue(domains.customDomains)).toEqual([]);
  });

  it("keeps a suspended tenant's record and custom hostnames, so the app can show its suspended page", async () => {
    const { resources } = await render(acme({ status: "suspended" }));

    expect(ofType(resources, DNS_RECORD)).toHaveLength(1);
    expect(ofType(resources, CUSTOM_HOSTNAME)).toHaveLength(2);
  });
});

describe("TenantDomains with parts of the deployment switched off", () => {
  it("declares no DNS record when DNS is off, but still secures custom domains", async () => {
    const { resources } = await render(acme(), { features: { dns: false, tls: true } });

    expect(ofType(resources, DNS_RECORD)).toEqual([]);
    expect(ofType(resources, CUSTOM_HOSTNAME)).toHaveLength(2);
  });

  it("declares no certificate when TLS is off, and reports no custom domains", async () => {
    const { resources, domains } = await render(acme(), { features: { dns: true, tls: false } });

    expect(ofType(resources, DNS_RECORD)).toHaveLength(1);
    expect(ofType(resources, CUSTOM_HOSTNAME)).toEqual([]);
    expect(await resolvedValue(domains.customDomains)).toEqual([]);
  });
});

describe("TenantDomains without custom domains", () => {
  it.each(["cloudflare", "acm"] as const)("creates only the tenant hostname record (%s TLS)", async (tls) => {
    const tenant = aTenant("initech", { domains: { tls: { provider: tls } } });
    const { resources, domains, calls } = await render(tenant);

    expect(resources.map((resource) => resource.type)).toEqual([COMPONENT, DNS_RECORD]);
    expect(calls.map((call) => call.token)).toEqual(["cloudflare:index/getZone:getZone"]);
    expect(await resolvedValue(domains.customDomains)).toEqual([]);
  });
});
