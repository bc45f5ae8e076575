/** `tls.provider: acme` in the template: what it needs, what it refuses, and what it resolves to. */
import { describe, expect, it } from "vitest";
import { TEMPLATE, fleetWith, where } from "../../support/fleetFixture";

const withTls = (tls: string) => fleetWith({}, TEMPLATE.replace("tls: { provider: cloudflare }", tls));

describe("tls.provider: acme", () => {
  it("resolves the CA's directory and defaults the ingress address to the ingress hostname on port 443", () => {
    const fleet = withTls("tls: { provider: acme, acme: { directoryUrl: https://acme.example.net/directory } }");
    expect(fleet.errors).toEqual([]);
    expect(fleet.controlPlane?.tls).toEqual({
      provider: "acme",
      acme: { directoryUrl: "https://acme.example.net/directory", ingressAddress: "edge.example.com:443" },
    });
  });

  it("keeps an ingress address the template gives", () => {
    const fleet = withTls(
      "tls: { provider: acme, acme: { directoryUrl: https://localhost:14000/dir, ingressAddress: 127.0.0.1:8443 } }",
    );
    expect(fleet.errors).toEqual([]);
    expect(fleet.controlPlane?.tls.acme?.ingressAddress).toBe("127.0.0.1:8443");
  });

  it("refuses acme without a directory, acme settings under another provider, and a bad URL or address", () => {
    expect(where(withTls("tls: { provider: acme }"))).toEqual(["tenants/_control-plane.yaml:5:18 tls.provider schema"]);
    expect(withTls("tls: { provider: acme }").errors[0]!.message).toContain("needs `tls.acme.directoryUrl`");
    expect(where(withTls("tls: { provider: acm, acme: { directoryUrl: https://ca.example/dir } }"))).toEqual([
      "tenants/_control-plane.yaml:5:29 tls.acme schema",
    ]);
    expect(
      where(withTls("tls: { provider: acme, acme: { directoryUrl: ftp://ca.example/dir, ingressAddress: edge } }")),
    ).toEqual([
      "tenants/_control-plane.yaml:5:46 tls.acme.directoryUrl schema",
      "tenants/_control-plane.yaml:5:84 tls.acme.ingressAddress schema",
    ]);
  });
});
