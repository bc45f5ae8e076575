/**
 * The DNS rules of `validate`, for every DNS provider: a name that points at itself, a CNAME loop through the
 * platform's own names, a name outside the zone, and names a DNS server refuses (label and name lengths, characters),
 * each reported at the line that causes it, with its message and fix.
 */
import { describe, expect, it } from "vitest";
import { TEMPLATE, fleetWith, where } from "../../support/fleetFixture";

const tenant = (slug: string, extra = "") => `slug: ${slug}\nname: ${slug}\n${extra}`;
const customDomains = (...hostnames: string[]) =>
  `domains:\n  custom:\n${hostnames.map((hostname) => `    - hostname: ${hostname}\n`).join("")}`;
const withTemplate = (from: string, to: string) => {
  expect(TEMPLATE).toContain(from);
  return TEMPLATE.replace(from, to);
};
const ingressUnderBaseDomain = withTemplate(
  "ingressHostname: edge.example.com",
  "ingressHostname: lb7.app.example.com",
);

describe.each(["cloudflare", "route53", "powerdns"])("with dns.provider %s", (provider) => {
  const template = (source: string) =>
    source.replace(
      "dns: { provider: cloudflare, zone: example.com }",
      provider === "powerdns"
        ? "dns: { provider: powerdns, zone: example.com, powerdns: { apiUrl: http://pdns.example.com:8081 } }"
        : `dns: { provider: ${provider}, zone: example.com }`,
    );

  it("tenantHostnameIsNotTheIngress: a tenant whose platform name is the ingress, at its subdomain line", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme"), "globex.yaml": tenant("globex", "domains:\n  subdomain: lb7\n") },
      template(ingressUnderBaseDomain),
    );
    expect(where(fleet)).toEqual(["tenants/globex.yaml:4:14 domains.subdomain tenantHostnameIsNotTheIngress"]);
    expect(fleet.errors[0]!.message).toBe(
      "the tenant hostname `lb7.app.example.com` is `platform.ingressHostname` itself: its CNAME to the ingress would point at itself",
    );
    expect(fleet.errors[0]!.fix).toBe("choose another `domains.subdomain`: `lb7` is the ingress's name");
  });

  it("tenantHostnameIsNotTheIngress: at the slug when the subdomain is the slug's", () => {
    const fleet = fleetWith({ "lb7.yaml": tenant("lb7") }, template(ingressUnderBaseDomain));
    expect(where(fleet)).toEqual(["tenants/lb7.yaml:1:7 slug tenantHostnameIsNotTheIngress"]);
  });

  it("customHostnameIsNotTheIngress: a custom domain equal to the ingress closes a CNAME loop", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", customDomains("shop.acme.com", "Edge.Example.com.")) },
      template(TEMPLATE),
    );
    expect(where(fleet)).toEqual(["tenants/acme.yaml:6:17 domains.custom[1].hostname customHostnameIsNotTheIngress"]);
    expect(fleet.errors[0]!.message).toBe(
      "custom hostname `edge.example.com` is `platform.ingressHostname`: it would point at `acme.app.example.com`, which points back at it (a CNAME loop)",
    );
    expect(fleet.errors[0]!.fix).toBe("a custom hostname is a name the customer owns: remove this one");
  });

  it("a custom domain that is another tenant's platform name is refused (a loop through the platform's names)", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme"), "globex.yaml": tenant("globex", customDomains("acme.app.example.com")) },
      template(TEMPLATE),
    );
    expect(where(fleet)).toEqual(["tenants/globex.yaml:5:17 domains.custom[0].hostname customHostnamesOutsideOthers"]);
    expect(fleet.errors[0]!.fix).toBe(
      "tenants get `<subdomain>.<baseDomain>` already: set `domains.subdomain` instead",
    );
  });

  it("baseDomainInsideDnsZone: tenant names outside the zone the provider writes to", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme") },
      template(withTemplate("baseDomain: app.example.com", "baseDomain: app.example.org")),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:2:15 platform.baseDomain baseDomainInsideDnsZone"]);
  });

  it("the fleet without those mistakes has none", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", customDomains("shop.acme.com")), "lb7.yaml": tenant("lb7") },
      template(TEMPLATE),
    );
    expect(where(fleet)).toEqual([]);
  });
});

describe("powerdnsApiNamed", () => {
  it("asks where PowerDNS's API is, at dns.provider, and keeps the key out of the files", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme") },
      withTemplate("provider: cloudflare, zone: example.com", "provider: powerdns, zone: example.com"),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:4:18 dns.provider powerdnsApiNamed"]);
    expect(fleet.errors[0]!.fix).toContain("`powerdns: { apiUrl: http://pdns.internal.example.com:8081 }` under `dns`");
    expect(fleet.errors[0]!.fix).toContain("TENANTCTL_POWERDNS_API_KEY, never in the files");
  });

  it("refuses an API URL that is not http(s), at its line", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme") },
      withTemplate(
        "dns: { provider: cloudflare, zone: example.com }",
        "dns:\n  provider: powerdns\n  zone: example.com\n  powerdns: { apiUrl: pdns.example.com }",
      ),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:7:23 dns.powerdns.apiUrl schema"]);
  });
});

describe("names a DNS server refuses (the schema's hostnameProblem)", () => {
  const problem = (hostname: string) => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", customDomains(hostname)) });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:17 domains.custom[0].hostname schema"]);
    const { message } = fleet.errors[0]!;
    // The loader quotes the value first (shortened when long).
    expect(message.startsWith(`"${hostname.slice(0, 20)}`)).toBe(true);
    return message.slice(message.indexOf(": ") + 2);
  };

  it("a label over 63 bytes", () => {
    expect(problem(`${"a".repeat(64)}.example.org`)).toBe(
      "not a valid fully qualified hostname: the label `aaaaaaaaaaaaaaaaaaaa…` has 64 characters; a DNS label has at most 63",
    );
  });

  it("a name over 253 characters", () => {
    const name = `${Array.from({ length: 5 }, () => "b".repeat(60)).join(".")}.org`;
    expect(problem(name)).toBe(
      `not a valid fully qualified hostname: ${name.length} characters; a DNS name has at most 253`,
    );
  });

  it("characters a hostname cannot hold, with the punycode hint for an internationalized name", () => {
    expect(problem("shop_1.example.org")).toBe(
      "not a valid fully qualified hostname: `_` is not allowed: a hostname has letters, digits, inner hyphens and dots only",
    );
    expect(problem("bücher.example.org")).toBe(
      "not a valid fully qualified hostname: `ü` is not ASCII: write an internationalized name in its punycode form (`xn--…`)",
    );
    expect(problem("shop..example.org")).toContain("an empty label (two dots, or a leading dot)");
    expect(problem("-shop.example.org")).toContain("the label `-shop` starts or ends with a hyphen");
  });
});
