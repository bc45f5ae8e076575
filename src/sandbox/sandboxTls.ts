/**
 * `tenantctl sandbox --tls`: the fleet's custom domains served with `tls.provider: acme` whatever the template says,
 * through a local Pebble and Caddy (src/sandbox/acmeIngress.ts). Pebble starts before the `up` (the stacks' looks at
 * the served certificates need the ingress address); the ask endpoint and Caddy start after it, once the registry they
 * read exists. Then the sandbox makes one handshake per active tenant's custom domain, so the certificates are issued
 * before the user looks, and prints the `curl --resolve` line that shows one.
 */
import type { X509Certificate } from "node:crypto";
import { relative } from "node:path";
import { connect } from "node:tls";
import { type AcmeIngress, ensureAcmeTools, startAcmeIngress } from "./acmeIngress";

export interface SandboxTls {
  /** What the run's environment gets: the acme override, towards the local CA and ingress. */
  readonly env: Record<string, string>;
  /** Starts the ask endpoint and Caddy, gets each domain's certificate; returns what to print. */
  serve(registryUrl: string, customDomains: readonly string[], projectDir: string): Promise<string>;
  stop(): Promise<void>;
  keepRunning(): string;
}

export async function startSandboxTls(repoRoot: string, dir: string, log: (line: string) => void): Promise<SandboxTls> {
  const tools = ensureAcmeTools(repoRoot, log);
  const ingress = await startAcmeIngress(tools, dir, repoRoot);
  return {
    env: { TENANTCTL_ACME_DIRECTORY_URL: ingress.directoryUrl, TENANTCTL_ACME_INGRESS_ADDRESS: ingress.ingressAddress },
    async serve(registryUrl, customDomains, projectDir) {
      await ingress.startIngress(registryUrl);
      const root = await ingress.writeIssuingRoot();
      const lines = [
        "",
        `TLS: Pebble (ACME CA) at ${ingress.directoryUrl}, Caddy on ${ingress.ingressAddress} asking ${ingress.askUrl}:`,
      ];
      for (const hostname of customDomains)
        lines.push(`  ${hostname}: ${await describeServed(ingress, hostname, root)}`);
      const example = customDomains[0];
      if (example) {
        lines.push(
          `  curl --resolve ${example}:${ingress.httpsPort}:127.0.0.1 --cacert ${relative(projectDir, ingress.issuingRootFile)} https://${example}:${ingress.httpsPort}/`,
        );
      }
      lines.push(
        "  The run above looked before the ingress ran, so it reported these domains pending; the next `up` or `drift`",
        "  looks again and writes their status to the registry (`tenant_domains.tls_status`).",
      );
      return `${lines.join("\n")}\n`;
    },
    stop: () => ingress.stop(),
    keepRunning: () => ingress.keepRunning(),
  };
}

/** One handshake naming `hostname`, trusting Pebble's root only: who issued what Caddy serves, or why nothing. */
function describeServed(ingress: AcmeIngress, hostname: string, root: string): Promise<string> {
  const [host, port] = [ingress.ingressAddress.split(":")[0]!, Number(ingress.ingressAddress.split(":")[1])];
  return new Promise((resolve) => {
    const socket = connect({ host, port, servername: hostname, ca: root });
    socket.setTimeout(20_000, () => {
      socket.destroy();
      resolve("no certificate within 20 s");
    });
    socket.once("secureConnect", () => {
      const certificate = socket.getPeerX509Certificate() as X509Certificate;
      socket.destroy();
      resolve(
        `certificate for ${certificate.subjectAltName} from ${certificate.issuer.replace(/^CN=/, "")}, until ${certificate.validTo}`,
      );
    });
    socket.once("error", (error) => resolve(`no certificate (${error.message})`));
  });
}
