/**
 * `tls.provider: acme` for real: Pebble (Let's Encrypt's test CA), Caddy with on-demand TLS, the registry's ask endpoint
 * (examples/ingress/ask.mjs) and the real engine's `up` of the fleet, which writes the registry rows the ask reads.
 * An active tenant's custom domain gets a certificate issued by Pebble (checked with node's tls and X509Certificate,
 * against Pebble's root only); a decommissioned tenant's domain and an unknown one get none. Its own PostgreSQL, state,
 * Pebble and Caddy (src/sandbox/acmeIngress.ts, the same as `sandbox --tls`).
 */
import type { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcmeIngress, ensureAcmeTools, startAcmeIngress } from "../../src/sandbox/acmeIngress";
import { type OwnWorld, sqlOn, startOwnWorld } from "../support/ownWorld";
import { pulumiEngine } from "../support/pulumi";
import { type ProcessRun, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();
const ACTIVE = "app.acme-corp.com";
const DECOMMISSIONED = "tenants.globex.io";
const UNKNOWN = "nobody.example.net";

interface CustomDomainOutput {
  readonly hostname: string;
  readonly status: string;
  readonly providerStatus: string;
}

/** One TLS handshake with the ingress naming `hostname`, trusting Pebble's root and nothing else. */
function handshake(ingress: AcmeIngress, hostname: string, root: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: ingress.httpsPort, servername: hostname, ca: root });
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no handshake for ${hostname} within 30 s`)));
    socket.once("secureConnect", () => {
      const certificate = socket.getPeerX509Certificate();
      socket.destroy();
      certificate ? resolve(certificate) : reject(new Error("no certificate"));
    });
    socket.once("error", reject);
  });
}

describe("tls.provider acme: on-demand certificates from an ACME CA, allowed by the registry", () => {
  let world: OwnWorld | undefined;
  let ingress: AcmeIngress | undefined;
  let acmeDir: string;
  let env: NodeJS.ProcessEnv;
  let root: string;
  let firstUp: ProcessRun;

  const tenantctl = (args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: world!.project.dir, env });
  const customDomainsOf = (run: ProcessRun, slug: string) =>
    ((run.report.tenants.find((tenant) => tenant.slug === slug) as { outputs?: { customDomains?: unknown } })?.outputs
      ?.customDomains ?? []) as CustomDomainOutput[];

  beforeAll(async () => {
    const tools = ensureAcmeTools(engine.repoRoot);
    world = await startOwnWorld(engine.repoRoot, "acme-tls");
    acmeDir = mkdtempSync(join(tmpdir(), "tenantctl-e2e-acme-"));
    ingress = await startAcmeIngress(tools, acmeDir, engine.repoRoot);
    const { project } = world;
    project.writeFile(
      "_control-plane.yaml",
      project
        .readFile("_control-plane.yaml")
        .replace(
          /^tls:\n {2}provider: cloudflare.*$/m,
          `tls:\n  provider: acme\n  acme: { directoryUrl: "${ingress.directoryUrl}", ingressAddress: "${ingress.ingressAddress}" }`,
        ),
    );
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml")}status: decommissioned\n`);
    // TLS on: the stacks look at what the ingress serves; DNS and auth stay off (no cloud here).
    env = { ...world.env, TENANTCTL_DISABLE: "dns,auth" };

    const controlPlane = await tenantctl(["up", "control-plane"]);
    expect(controlPlane.code, controlPlane.stderr).toBe(0);
    // The ingress is not there yet: the custom domains cannot have certificates, and the `up` still succeeds.
    firstUp = await tenantctl(["up", "acme", "globex"]);
    expect(firstUp.code, firstUp.stderr).toBe(0);

    // The ask endpoint logs in as the registry's reader, with the URL the control-plane stack gives (a secret output).
    const automation = await import("@pulumi/pulumi/automation");
    const stack = await automation.LocalWorkspace.selectStack(
      { stackName: "control-plane", workDir: project.dir },
      { envVars: env as Record<string, string> },
    );
    const registryUrl = String((await stack.outputs())["registryUrl"]?.value);
    expect(new URL(registryUrl).username).toBe("tenantctl_registry_reader");
    await ingress.startIngress(registryUrl);
    root = await ingress.writeIssuingRoot();
  }, 600_000);

  afterAll(async () => {
    await ingress?.stop();
    await world?.close();
    if (acmeDir) rmSync(acmeDir, { recursive: true, force: true });
  });

  it("reports a domain pending, without blocking the up, while nothing serves it", () => {
    expect(customDomainsOf(firstUp, "acme").map(({ hostname, status }) => `${hostname} ${status}`)).toEqual([
      `${ACTIVE} pending`,
      "portal.acme-corp.com pending",
    ]);
    expect(customDomainsOf(firstUp, "acme")[0]!.providerStatus).toContain(`has no certificate for ${ACTIVE} yet`);
  });

  it("issues a certificate from the CA for an active tenant's custom domain; the next up reports it active", async () => {
    const certificate = await handshake(ingress!, ACTIVE, root);
    expect(certificate.subjectAltName).toBe(`DNS:${ACTIVE}`);
    expect(certificate.issuer).toMatch(/^CN=Pebble Intermediate CA /);
    expect(certificate.checkIssued(certificate)).toBe(false);
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 30 * 24 * 3600_000);

    const again = await tenantctl(["up", "acme"]);
    expect(again.code, again.stderr).toBe(0);
    const [active] = customDomainsOf(again, "acme");
    expect(active).toMatchObject({ hostname: ACTIVE, status: "active" });
    expect(active!.providerStatus).toMatch(/^certificate issued by Pebble Intermediate CA /);
    const { host, port, user, password } = world!.postgres;
    const rows = await sqlOn(
      { host, port, user, password },
      "tenantctl",
      `SELECT tls_status FROM tenantctl.tenant_domains WHERE hostname = '${ACTIVE}'`,
    );
    expect(rows).toEqual([{ tls_status: "active" }]);
  });

  it("refuses a decommissioned tenant's domain and an unknown one: no certificate, and the ask says why", async () => {
    for (const hostname of [DECOMMISSIONED, UNKNOWN]) {
      await expect(handshake(ingress!, hostname, root), hostname).rejects.toThrow();
    }
    const ask = async (domain: string) => (await fetch(`${ingress!.askUrl}?domain=${domain}`)).status;
    expect([await ask(ACTIVE), await ask(DECOMMISSIONED), await ask(UNKNOWN)]).toEqual([200, 403, 404]);
  });
});
