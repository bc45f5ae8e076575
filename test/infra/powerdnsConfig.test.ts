/** How a deployment finds PowerDNS's API: template, config and environment, and messages that never quote the key. */
import { describe, expect, it } from "vitest";
import { POWERDNS_ENV, resolvePowerDns } from "../../infra/context/powerdnsConfig";
import { presentation } from "../../infra/dns/powerdns";

const template = { apiUrl: "http://pdns.internal.example.com:8081", serverId: "localhost" };

describe("resolvePowerDns", () => {
  it("takes the address from the template and the key from config", () => {
    expect(resolvePowerDns({ config: { apiKey: "from-config" }, env: {} }, template)).toEqual({
      apiUrl: "http://pdns.internal.example.com:8081",
      serverId: "localhost",
      apiKey: "from-config",
    });
  });

  it("lets the environment win, field by field (the sandbox points a fleet at its own server)", () => {
    const env = { [POWERDNS_ENV.apiUrl]: "http://127.0.0.1:18081/", [POWERDNS_ENV.apiKey]: "from-env" };
    expect(resolvePowerDns({ config: { apiKey: "from-config", serverId: "main" }, env }, template)).toEqual({
      apiUrl: "http://127.0.0.1:18081",
      serverId: "main",
      apiKey: "from-env",
    });
  });

  it("says how to set a missing key, and never takes it from the template", () => {
    expect(() => resolvePowerDns({ config: undefined, env: {} }, template)).toThrow(
      /no PowerDNS API key is configured: set `pulumi config set --secret --path tenantctl:powerdns.apiKey …` or TENANTCTL_POWERDNS_API_KEY/,
    );
  });

  it("says where the URL goes when none is known", () => {
    expect(() => resolvePowerDns({ config: { apiKey: "k" }, env: {} }, undefined)).toThrow(/dns\.powerdns\.apiUrl/);
  });

  it("refuses an unknown or non-string field without quoting any value", () => {
    expect(() => resolvePowerDns({ config: { apikey: "secret-value" }, env: {} }, template)).toThrow(
      'tenantctl:powerdns: unknown field "apikey"; fields are apiUrl, serverId, apiKey.',
    );
    const failure = (() => {
      try {
        resolvePowerDns({ config: { apiKey: 42 }, env: {} }, template);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(failure).toBe("tenantctl:powerdns.apiKey must be a string, not number.");
  });
});

describe("presentation", () => {
  it("writes CNAME targets absolute and TXT text quoted, as PowerDNS stores them", () => {
    expect(presentation("CNAME", "Edge.Example.com")).toBe("edge.example.com.");
    expect(presentation("CNAME", "edge.example.com.")).toBe("edge.example.com.");
    expect(presentation("TXT", 'say "hi"')).toBe('"say \\"hi\\""');
    expect(presentation("A", "192.0.2.10")).toBe("192.0.2.10");
  });
});
