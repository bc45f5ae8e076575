import { describe, expect, it } from "vitest";
import {
  acmCustomerRecords,
  acmDomainStatus,
  cloudflareCustomerRecords,
  cloudflareDomainStatus,
  cloudflareProviderStatus,
  routingRecord,
} from "../../infra/tls/customerRecords";

describe("routingRecord", () => {
  it("points the customer's hostname at the target, without trailing dots", () => {
    expect(routingRecord("app.acme-corp.com.", "acme.app.example.com.")).toEqual({
      type: "CNAME",
      name: "app.acme-corp.com",
      value: "acme.app.example.com",
      purpose: "routing",
    });
  });
});

describe("acmCustomerRecords", () => {
  const option = {
    resourceRecordName: "_3f2a.app.acme-corp.com.",
    resourceRecordType: "CNAME",
    resourceRecordValue: "_9c1b.jkddzztszm.acm-validations.aws.",
  };

  it("asks for the routing CNAME and each validation record", () => {
    expect(acmCustomerRecords("app.acme-corp.com", "acme.app.example.com", [option])).toEqual([
      { type: "CNAME", name: "app.acme-corp.com", value: "acme.app.example.com", purpose: "routing" },
      {
        type: "CNAME",
        name: "_3f2a.app.acme-corp.com",
        value: "_9c1b.jkddzztszm.acm-validations.aws",
        purpose: "validation",
      },
    ]);
  });

  it("lists a validation record ACM repeats only once", () => {
    const records = acmCustomerRecords("app.acme-corp.com", "acme.app.example.com", [option, { ...option }]);
    expect(records.filter((record) => record.purpose === "validation")).toHaveLength(1);
  });

  it("skips options ACM has not filled in yet", () => {
    const records = acmCustomerRecords("app.acme-corp.com", "acme.app.example.com", [
      { resourceRecordName: "_x.app.acme-corp.com." },
    ]);
    expect(records.map((record) => record.purpose)).toEqual(["routing"]);
    expect(acmCustomerRecords("app.acme-corp.com", "acme.app.example.com", undefined)).toHaveLength(1);
  });
});

describe("acmDomainStatus", () => {
  it.each([
    ["ISSUED", "active"],
    ["PENDING_VALIDATION", "pending"],
    [undefined, "pending"],
    ["", "pending"],
    ["VALIDATION_TIMED_OUT", "failed"],
    ["FAILED", "failed"],
    ["EXPIRED", "failed"],
    ["REVOKED", "failed"],
    ["INACTIVE", "failed"],
  ] as const)("%s → %s", (status, expected) => {
    expect(acmDomainStatus(status)).toBe(expected);
  });
});

describe("cloudflareCustomerRecords", () => {
  it("asks for routing, ownership and TXT validation records", () => {
    const records = cloudflareCustomerRecords("app.acme-corp.com", "acme.app.example.com", {
      status: "pending",
      ownershipVerification: { type: "txt", name: "_cf-custom-hostname.app.acme-corp.com", value: "5cc4a4c8-0b4a" },
      ssl: {
        status: "pending_validation",
        validationRecords: [{ txtName: "_acme-challenge.app.acme-corp.com", txtValue: "Gx9-token" }],
      },
    });
    expect(records).toEqual([
      { type: "CNAME", name: "app.acme-corp.com", value: "acme.app.example.com", purpose: "routing" },
      { type: "TXT", name: "_cf-custom-hostname.app.acme-corp.com", value: "5cc4a4c8-0b4a", purpose: "ownership" },
      { type: "TXT", name: "_acme-challenge.app.acme-corp.com", value: "Gx9-token", purpose: "validation" },
    ]);
  });

  it("reports CNAME validation records (delegated DCV) as CNAMEs", () => {
    const records = cloudflareCustomerRecords("app.acme-corp.com", "acme.app.example.com", {
      ssl: {
        validationRecords: [
          { cname: "_acme-challenge.app.acme-corp.com", cnameTarget: "app.acme-corp.com.dcv.cloudflare.com" },
        ],
      },
    });
    expect(records[1]).toEqual({
      type: "CNAME",
      name: "_acme-challenge.app.acme-corp.com",
      value: "app.acme-corp.com.dcv.cloudflare.com",
      purpose: "validation",
    });
  });

  it("asks only for the routing CNAME once the hostname is verified and HTTP validation is in use", () => {
    const records = cloudflareCustomerRecords("app.acme-corp.com", "acme.app.example.com", {
      status: "active",
      ownershipVerification: {},
      ssl: { status: "pending_validation", validationRecords: [{}] },
    });
    expect(records.map((record) => record.purpose)).toEqual(["routing"]);
  });
});

describe("cloudflareDomainStatus", () => {
  it.each([
    ["active", "active", "active"],
    ["active_redeploying", "active", "active"],
    ["active", "pending_validation", "pending"],
    ["pending", "initializing", "pending"],
    [undefined, undefined, "pending"],
    ["moved", "active", "failed"],
    ["blocked", "pending_validation", "failed"],
    ["pending", "validation_timed_out", "failed"],
    ["active", "expired", "failed"],
  ] as const)("hostname %s, ssl %s → %s", (hostname, ssl, expected) => {
    expect(cloudflareDomainStatus(hostname, ssl)).toBe(expected);
  });

  it("keeps Cloudflare's own words for humans", () => {
    expect(cloudflareProviderStatus("pending", undefined)).toBe("hostname pending, ssl unknown");
  });
});
