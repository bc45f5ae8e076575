/**
 * What the ingress serves for one custom domain of `tls.provider: acme`: a TLS handshake with the ingress, naming the
 * customer's hostname (SNI), and a look at the certificate that comes back.
 *
 * Under on-demand TLS the ingress obtains the certificate itself, on the first handshake for a hostname the registry
 * lists, so the handshake is both the check and the nudge: on an `up`, it asks the ingress to get the certificate
 * now rather than on the customer's first visit. It never waits long (`PROBE_TIMEOUT_MS`): a customer whose DNS does
 * not point at us yet makes the CA's validation fail, the domain is reported `pending`, and the `up` goes on. The
 * status is read again on every refresh (`up` and `drift` refresh first), so it follows the customer's progress; it is
 * an output, never an input, so a change of it is not drift.
 */
import type * as pulumi from "@pulumi/pulumi";
import { composedProviderSource, loadProviderSource, PrebuiltDynamicResource } from "../dynamic/prebuilt";
import type { CustomDomainStatus } from "./customerRecords";

export interface ServedCertificateInputs {
  /** The customer's hostname, lower case, no trailing dot. */
  readonly hostname: string;
  /** `host:port` of the ingress's TLS listener. */
  readonly ingressAddress: string;
  /** The CA the ingress is configured with; recorded so that a change of CA shows in `plan` and `preview`. */
  readonly directoryUrl: string;
}

/** The certificate the ingress served, as far as a client can see it (public data: no key ever leaves the ingress). */
export interface ServedCertificateDetails {
  readonly subjectAltName: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprint256: string;
  /** Whether the chain verifies against the CAs this process trusts (Node's, plus `NODE_EXTRA_CA_CERTS`). */
  readonly trusted: boolean;
}

export interface ServedCertificateOutputs extends ServedCertificateInputs {
  readonly status: CustomDomainStatus;
  /** What was seen, in words, for the report. */
  readonly providerStatus: string;
  readonly certificate?: ServedCertificateDetails;
}

/**
 * The provider, as one self-contained function: its source is what travels in state (see prebuilt.ts), so it may
 * refer to nothing outside itself but globals and `require`.
 */
export function servedCertificateModule() {
  /** A handshake that has not finished by then counts as "no certificate yet"; an `up` never waits longer per domain. */
  const PROBE_TIMEOUT_MS = 10_000;

  function splitAddress(address: string): { host: string; port: number } {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
    if (!match) throw new Error(`ingress address \`${address}\` is not host:port`);
    return { host: match[1]!, port: Number(match[2]) };
  }

  function nameOf(distinguishedName: string): string {
    const commonName = /(?:^|\n)CN=([^\n]*)/.exec(distinguishedName);
    return commonName ? commonName[1]! : distinguishedName.replace(/\n/g, ", ");
  }

  type Judged = Pick<ServedCertificateOutputs, "status" | "providerStatus" | "certificate">;

  /** Pure: what a served certificate means for the domain, at `now`. */
  function judge(hostname: string, certificate: import("crypto").X509Certificate, trusted: boolean, now: Date): Judged {
    const details: ServedCertificateDetails = {
      subjectAltName: certificate.subjectAltName ?? "",
      issuer: nameOf(certificate.issuer),
      validFrom: new Date(certificate.validFrom).toISOString(),
      validTo: new Date(certificate.validTo).toISOString(),
      fingerprint256: certificate.fingerprint256,
      trusted,
    };
    if (certificate.checkHost(hostname) === undefined) {
      return {
        status: "pending",
        providerStatus: `the ingress served a certificate for ${details.subjectAltName || nameOf(certificate.subject)}, not ${hostname}`,
        certificate: details,
      };
    }
    if (now.getTime() > Date.parse(details.validTo)) {
      return {
        status: "failed",
        providerStatus: `the certificate for ${hostname} expired on ${details.validTo}: the ingress did not renew it`,
        certificate: details,
      };
    }
    if (certificate.issuer === certificate.subject) {
      return {
        status: "pending",
        providerStatus: `the ingress served a self-signed certificate for ${hostname}, not one from the CA`,
        certificate: details,
      };
    }
    return {
      status: "active",
      providerStatus: `certificate issued by ${details.issuer}, valid until ${details.validTo}`,
      certificate: details,
    };
  }

  /** One handshake with the ingress, naming `hostname`; never rejects, never takes longer than PROBE_TIMEOUT_MS. */
  function probe(inputs: ServedCertificateInputs): Promise<Judged> {
    // biome-ignore lint/style/useNodejsImportProtocol: this source is serialised into state (__provider): it stays as deployed
    const tls = require("tls") as typeof import("tls");
    const waiting = `pending: the ingress at ${inputs.ingressAddress} has no certificate for ${inputs.hostname} yet`;
    const why = "its CNAME may not point at us yet, or the registry does not list it as a tenant's";
    return new Promise((resolve) => {
      let address: { host: string; port: number };
      try {
        address = splitAddress(inputs.ingressAddress);
      } catch (error) {
        resolve({ status: "failed", providerStatus: (error as Error).message });
        return;
      }
      const socket = tls.connect({
        host: address.host,
        port: address.port,
        servername: inputs.hostname,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"],
      });
      const done = (judged: Judged) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(judged);
      };
      const timer = setTimeout(
        () =>
          done({
            status: "pending",
            providerStatus: `${waiting} (no answer within ${PROBE_TIMEOUT_MS / 1000} s): ${why}`,
          }),
        PROBE_TIMEOUT_MS,
      );
      socket.once("secureConnect", () => {
        const certificate = socket.getPeerX509Certificate();
        if (!certificate) {
          done({ status: "pending", providerStatus: `${waiting} (it served none): ${why}` });
          return;
        }
        done(judge(inputs.hostname, certificate, socket.authorized, new Date()));
      });
      socket.once("error", (error: NodeJS.ErrnoException) =>
        done({ status: "pending", providerStatus: `${waiting} (${error.code ?? error.message}): ${why}` }),
      );
    });
  }

  function inputsOf(props: ServedCertificateInputs): ServedCertificateInputs {
    return { hostname: props.hostname, ingressAddress: props.ingressAddress, directoryUrl: props.directoryUrl };
  }

  const provider: pulumi.dynamic.ResourceProvider<ServedCertificateInputs, ServedCertificateOutputs> = {
    async create(inputs) {
      return { id: inputs.hostname, outs: { ...inputsOf(inputs), ...(await probe(inputs)) } };
    },

    // Only what the tenant files and the template say is compared: the status is the customer's progress, not drift.
    async diff(_id, olds, news) {
      const replaces = olds.hostname === news.hostname ? [] : ["hostname"];
      const changed = (["ingressAddress", "directoryUrl"] as const).filter((key) => olds[key] !== news[key]);
      return {
        changes: replaces.length + changed.length > 0,
        replaces,
        deleteBeforeReplace: false,
      };
    },

    async update(_id, _olds, news) {
      return { outs: { ...inputsOf(news), ...(await probe(news)) } };
    },

    // Every refresh looks again: what the ingress serves now.
    async read(id, props) {
      if (!props) return { id };
      return { id, props: { ...inputsOf(props), ...(await probe(props)) } };
    },

    // Nothing to delete at the ingress: once the registry no longer lists the hostname, the ingress stops renewing
    // its certificate, and the app refuses the hostname.
    async delete() {},
  };

  return { provider, judge };
}

const servedCertificate = servedCertificateModule();
/** What the engine runs: the provider's own source. */
export const SERVED_CERTIFICATE_PROVIDER_SOURCE = composedProviderSource([servedCertificateModule]);
/** The provider, loaded from that source as the engine loads it: tests exercise exactly what ships. */
export const servedCertificateProvider = loadProviderSource<typeof servedCertificate.provider>(
  SERVED_CERTIFICATE_PROVIDER_SOURCE,
);
/** Pure judgement of a served certificate, for tests. */
export const judgeServedCertificate = servedCertificate.judge;

export type ServedCertificateArgs = { readonly [K in keyof ServedCertificateInputs]: pulumi.Input<string> };

export class ServedCertificate extends PrebuiltDynamicResource {
  declare public readonly status: pulumi.Output<CustomDomainStatus>;
  declare public readonly providerStatus: pulumi.Output<string>;
  declare public readonly certificate: pulumi.Output<ServedCertificateDetails | undefined>;

  constructor(name: string, args: ServedCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      SERVED_CERTIFICATE_PROVIDER_SOURCE,
      "AcmeServedCertificate",
      name,
      { ...args, status: undefined, providerStatus: undefined, certificate: undefined },
      opts,
    );
  }
}
