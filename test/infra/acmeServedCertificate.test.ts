/**
 * The provider behind `tls.provider: acme`'s per-domain status, loaded from the source that ships: a real TLS server on
 * loopback stands in for the ingress, serving certificates made here with openssl.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext, createServer, type SecureContext, type Server } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeServedCertificate, servedCertificateProvider } from "../../infra/tls/acmeServedCertificate";

const ISSUED = "app.acme-corp.test";
const SELF_SIGNED = "self.acme-corp.test";
const DIRECTORY = "https://localhost:14000/dir";

let dir: string;
let server: Server;
let ingressAddress: string;
let issuedPem: string;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tenantctl-served-cert-"));
  openssl("req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Test Issuing CA", "-days", "9");
  openssl("req", ...EC, "-keyout", "issued.key", "-out", "issued.csr", "-subj", `/CN=${ISSUED}`);
  writeFileSync(join(dir, "san.ext"), `subjectAltName=DNS:${ISSUED}\n`);
  openssl(
    ...["x509", "-req", "-in", "issued.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
    ...["-out", "issued.pem", "-days", "9", "-extfile", "san.ext"],
  );
  openssl(
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-subj",
    `/CN=${SELF_SIGNED}`,
    "-days",
    "9",
  );
  issuedPem = readFileSync(join(dir, "issued.pem"), "utf8");
  const contexts = new Map<string, SecureContext>([
    [ISSUED, createSecureContext({ cert: issuedPem, key: readFileSync(join(dir, "issued.key")) })],
    [
      SELF_SIGNED,
      createSecureContext({ cert: readFileSync(join(dir, "self.pem")), key: readFileSync(join(dir, "self.key")) }),
    ],
  ]);
  // Like an on-demand ingress: a hostname it has no certificate for fails the handshake.
  server = createServer({
    SNICallback: (name, callback) => {
      const context = contexts.get(name);
      callback(context ? null : new Error(`no certificate for ${name}`), context);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ingressAddress = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const inputs = (hostname: string, address = ingressAddress) => ({
  hostname,
  ingressAddress: address,
  directoryUrl: DIRECTORY,
});

describe("ServedCertificate", () => {
  it("is active when the ingress serves a CA-issued certificate for the hostname, and says whose and until when", async () => {
    const { id, outs } = await servedCertificateProvider.create(inputs(ISSUED));
    expect(id).toBe(ISSUED);
    expect(outs!.status).toBe("active");
    expect(outs!.providerStatus).toMatch(/^certificate issued by Test Issuing CA, valid until \d{4}-/);
    expect(outs!.certificate).toMatchObject({
      subjectAltName: `DNS:${ISSUED}`,
      issuer: "Test Issuing CA",
      fingerprint256: new X509Certificate(issuedPem).fingerprint256,
      trusted: false,
    });
  });

  it("is pending, without waiting, when the ingress refuses the hostname, serves a self-signed one, or is not there", async () => {
    const refused = await servedCertificateProvider.create(inputs("unknown.acme-corp.test"));
    expect(refused.outs!.status).toBe("pending");
    expect(refused.outs!.providerStatus).toContain(`has no certificate for unknown.acme-corp.test yet`);
    expect(refused.outs!.certificate).toBeUndefined();

    const selfSigned = await servedCertificateProvider.create(inputs(SELF_SIGNED));
    expect(selfSigned.outs!.status).toBe("pending");
    expect(selfSigned.outs!.providerStatus).toContain("self-signed");

    const started = Date.now();
    const nobody = await servedCertificateProvider.create(inputs(ISSUED, "127.0.0.1:1"));
    expect(nobody.outs!.status).toBe("pending");
    expect(nobody.outs!.providerStatus).toContain("ECONNREFUSED");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("looks again on every refresh, and diffs only what the files say (the status is progress, not drift)", async () => {
    const before = { ...inputs(ISSUED), status: "pending" as const, providerStatus: "pending: no certificate yet" };
    const read = await servedCertificateProvider.read!(ISSUED, before);
    expect(read.props?.status).toBe("active");
    expect((await servedCertificateProvider.diff!(ISSUED, before, inputs(ISSUED))).changes).toBe(false);
    expect((await servedCertificateProvider.diff!(ISSUED, before, inputs(ISSUED, "edge:443"))).changes).toBe(true);
    expect(await servedCertificateProvider.diff!(ISSUED, before, inputs(SELF_SIGNED))).toMatchObject({
      changes: true,
      replaces: ["hostname"],
    });
  });

  it("calls an expired certificate failed, and one for another name pending", () => {
    const certificate = new X509Certificate(issuedPem);
    expect(judgeServedCertificate(ISSUED, certificate, true, new Date("2999-01-01")).status).toBe("failed");
    const other = judgeServedCertificate("shop.acme-corp.test", certificate, true, new Date());
    expect(other.status).toBe("pending");
    expect(other.providerStatus).toContain(`a certificate for DNS:${ISSUED}, not shop.acme-corp.test`);
  });
});
