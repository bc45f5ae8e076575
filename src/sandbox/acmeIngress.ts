/**
 * The local counterparts of `tls.provider: acme` for `tenantctl sandbox --tls` and the e2e tests: Pebble (Let's
 * Encrypt's test CA, with pebble-challtestsrv as the DNS it validates against: every name resolves to 127.0.0.1, so
 * every customer's DNS is "ready"), the registry's ask endpoint (examples/ingress/ask.mjs) and Caddy with on-demand TLS
 * on free loopback ports. Binaries come from the tools cache (tools/ensure-pebble.sh, tools/ensure-caddy.sh).
 *
 * Plain TypeScript (no Pulumi, no vitest): it spawns processes and writes their configuration under `dir`. Each
 * process is detached with its log in `dir`, so a kept sandbox's servers outlive this process; `stop()` ends them by
 * their pid, `keepRunning()` returns the shell command that does.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freeLoopbackPorts, stopChild } from "./localProcess";

export interface AcmeTools {
  /** tools/ensure-pebble.sh's directory: bin/pebble, bin/pebble-challtestsrv, certs/. */
  readonly pebbleDir: string;
  /** tools/ensure-caddy.sh's directory: caddy. */
  readonly caddyBinDir: string;
}

/** Builds (first time) or finds Pebble and Caddy. Throws with the script's own message when a build fails. */
export function ensureAcmeTools(repoRoot: string, log: (line: string) => void = () => undefined): AcmeTools {
  const run = (script: string) => {
    log(`${script} (a first build from Go modules takes a few minutes)`);
    const result = spawnSync("bash", [join(repoRoot, "tools", script)], { encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(
        `tools/${script} failed (exit ${result.status}): ${result.stderr.trim().split("\n").slice(-5).join("\n")}`,
      );
    return result.stdout.trim();
  };
  return { pebbleDir: run("ensure-pebble.sh"), caddyBinDir: run("ensure-caddy.sh") };
}

/** A process this module started. */
interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

export interface AcmeIngress {
  /** Pebble's ACME directory. */
  readonly directoryUrl: string;
  /** `127.0.0.1:<port>`: where Caddy serves TLS (the template's `tls.acme.ingressAddress`). */
  readonly ingressAddress: string;
  readonly httpsPort: number;
  /** The CA of Pebble's own HTTPS endpoint (not of the certificates it issues). */
  readonly acmeApiCaFile: string;
  /** Where the PEM of the root that signs issued certificates is written (`writeIssuingRoot`). */
  readonly issuingRootFile: string;
  /** The ask endpoint Caddy calls, once `startAsk` ran. */
  askUrl?: string;
  /** Fetches the root Pebble signs certificates with (a new one every start) into `issuingRootFile`; returns the PEM. */
  writeIssuingRoot(): Promise<string>;
  /** The ask endpoint, reading the registry at `registryUrl`; then Caddy, asking it. */
  startIngress(registryUrl: string): Promise<void>;
  stop(): Promise<void>;
  /** Leaves the processes running after this process exits; returns the shell command that stops them. */
  keepRunning(): string;
}

/** Starts Pebble and its DNS; `startIngress` adds the ask endpoint and Caddy once the registry exists. */
export async function startAcmeIngress(tools: AcmeTools, dir: string, repoRoot: string): Promise<AcmeIngress> {
  mkdirSync(dir, { recursive: true });
  const [acmePort, managementPort, dnsPort, dnsManagementPort, httpPort, httpsPort] = (await freeLoopbackPorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const started: Started[] = [];
  const certs = join(tools.pebbleDir, "certs");
  const pebbleConfig = join(dir, "pebble-config.json");
  writeFileSync(
    pebbleConfig,
    `${JSON.stringify(
      {
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: join(certs, "cert.pem"),
          privateKey: join(certs, "key.pem"),
          // The CA validates customers' hostnames here: Caddy's HTTP and HTTPS ports.
          httpPort,
          tlsPort: httpsPort,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
          retryAfter: { authz: 1, order: 1 },
        },
      },
      null,
      2,
    )}\n`,
  );
  const directoryUrl = `https://localhost:${acmePort}/dir`;
  const acmeApiCaFile = join(certs, "pebble.minica.pem");
  const issuingRootFile = join(dir, "pebble-issuing-root.pem");
  const stop = async () => {
    for (const process of started.reverse()) await stopChild(process.child);
  };
  try {
    started.push(
      startProcess(
        "pebble-challtestsrv",
        join(tools.pebbleDir, "bin", "pebble-challtestsrv"),
        [
          "-dnsserver",
          `127.0.0.1:${dnsPort}`,
          "-management",
          `127.0.0.1:${dnsManagementPort}`,
          "-defaultIPv6",
          "",
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
          "-doh",
          "",
        ],
        dir,
      ),
    );
    started.push(
      startProcess(
        "pebble",
        join(tools.pebbleDir, "bin", "pebble"),
        ["-config", pebbleConfig, "-dnsserver", `127.0.0.1:${dnsPort}`],
        dir,
        // No sleeps before validation, no rejected nonces, a fresh authorization every time: fast and deterministic.
        { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
      ),
    );
    await waitFor(started, async () => (await fetchText(`https://localhost:${managementPort}/roots/0`)) !== undefined);
  } catch (error) {
    await stop();
    throw error;
  }

  const ingress: AcmeIngress = {
    directoryUrl,
    ingressAddress: `127.0.0.1:${httpsPort}`,
    httpsPort,
    acmeApiCaFile,
    issuingRootFile,
    async writeIssuingRoot() {
      const pem = await fetchText(`https://localhost:${managementPort}/roots/0`);
      if (!pem) throw new Error("Pebble did not give its issuing root");
      writeFileSync(issuingRootFile, pem);
      return pem;
    },
    async startIngress(registryUrl) {
      const ask = startProcess(
        "ask",
        process.execPath,
        [join(repoRoot, "examples", "ingress", "ask.mjs"), "--port", "0"],
        dir,
        { TENANTCTL_REGISTRY_URL: registryUrl },
      );
      started.push(ask);
      await waitFor(started, async () => /"url"/.test(readLog(ask)));
      ingress.askUrl = (
        JSON.parse(
          readLog(ask)
            .split("\n")
            .find((line) => line.startsWith("{"))!,
        ) as { url: string }
      ).url;
      const caddyfile = join(dir, "Caddyfile");
      writeFileSync(
        caddyfile,
        sandboxCaddyfile({ dir, directoryUrl, acmeApiCaFile, askUrl: ingress.askUrl, httpPort, httpsPort }),
      );
      started.push(
        startProcess(
          "caddy",
          join(tools.caddyBinDir, "caddy"),
          ["run", "--config", caddyfile, "--adapter", "caddyfile"],
          dir,
          {
            HOME: dir,
            XDG_DATA_HOME: join(dir, "caddy-data"),
            XDG_CONFIG_HOME: join(dir, "caddy-config"),
          },
        ),
      );
      await waitFor(started, async () => await listening(httpsPort));
    },
    stop,
    keepRunning() {
      for (const { child } of started) child.unref();
      // Never fails, so that the stop command's next steps (PostgreSQL's) run even when one is already gone.
      return `kill ${started.map(({ child }) => child.pid).join(" ")} 2>/dev/null || true`;
    },
  };
  return ingress;
}

/** The ingress of the sandbox: on-demand certificates from Pebble, each asked for at the registry's ask endpoint. */
export function sandboxCaddyfile(options: {
  readonly dir: string;
  readonly directoryUrl: string;
  readonly acmeApiCaFile: string;
  readonly askUrl: string;
  readonly httpPort: number;
  readonly httpsPort: number;
}): string {
  return `# Written by tenantctl (src/sandbox/acmeIngress.ts): the sandbox's ingress. examples/ingress/Caddyfile is the production one.
{
	admin off
	persist_config off
	default_bind 127.0.0.1
	http_port ${options.httpPort}
	https_port ${options.httpsPort}
	storage file_system ${join(options.dir, "caddy-data")}
	acme_ca ${options.directoryUrl}
	acme_ca_root ${options.acmeApiCaFile}
	ocsp_stapling off
	skip_install_trust
	on_demand_tls {
		ask ${options.askUrl}
	}
}

https:// {
	tls {
		on_demand
	}
	respond "{host}: tenantctl's sandbox ingress; a real one proxies to the app" 200
}
`;
}

function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  dir: string,
  env: Record<string, string> = {},
): Started {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, "w");
  // The log is a file, not a pipe: a server left running (--keep) must not die writing to a reader that went away.
  const child = spawn(command, args, {
    cwd: dir,
    stdio: ["ignore", fd, fd],
    detached: true,
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  child.on("error", () => undefined);
  return { name, child, logFile };
}

function readLog({ logFile }: Started): string {
  return existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
}

/** Polls `ready` until it holds; fails naming the process that exited (with its log's tail) or after 30 s. */
async function waitFor(started: readonly Started[], ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = started.find(({ child }) => child.exitCode !== null);
    if (exited) throw new Error(`${exited.name} exited with code ${exited.child.exitCode}:\n${tail(readLog(exited))}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      const last = started[started.length - 1]!;
      throw new Error(`${last.name} was not ready within ${timeoutMs / 1000} s:\n${tail(readLog(last))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-15).join("\n");
}

/** GETs a Pebble URL (its HTTPS certificate is for localhost, signed by its minica: not worth trusting for this). */
async function fetchText(url: string): Promise<string | undefined> {
  const https = await import("node:https");
  return new Promise((resolve) => {
    https
      .get(url, { rejectUnauthorized: false }, (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve(response.statusCode === 200 ? body : undefined));
      })
      .on("error", () => resolve(undefined));
  });
}

async function listening(port: number): Promise<boolean> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
