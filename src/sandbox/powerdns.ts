/**
 * A throwaway PowerDNS Authoritative server (Debian `pdns-server` + `pdns-backend-sqlite3`) for `tenantctl sandbox
 * --dns` and for the tests: a SQLite database made from the backend's own schema, DNS and the HTTP API on free
 * loopback ports, the template's zone created through the API. Starts in under a second.
 *
 * Plain TypeScript (no Pulumi, no vitest): it spawns pdns_server and sqlite3, and looks at the file system.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPorts, stopChild } from "./localProcess";

/** Where Debian puts what the sandbox needs; `apt-get install -y pdns-server pdns-backend-sqlite3 sqlite3` installs it. */
const PDNS_SERVER_CANDIDATES = ["/usr/sbin/pdns_server", "/usr/local/sbin/pdns_server"];
const SQLITE_SCHEMA = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql";
export const POWERDNS_INSTALL_HINT = "apt-get install -y pdns-server pdns-backend-sqlite3 sqlite3";

export interface RunningPowerDns {
  /** Base URL of the HTTP API (`http://127.0.0.1:PORT`), as `dns.powerdns.apiUrl` takes it. */
  readonly apiUrl: string;
  readonly serverId: "localhost";
  /** A fresh random key per server: a secret, never printed. */
  readonly apiKey: string;
  /** The port DNS answers on (UDP and TCP), on 127.0.0.1. */
  readonly dnsPort: number;
  readonly zone: string;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its files unless they were given. */
  stop(): Promise<void>;
  /** Leaves the server running after this process exits; returns the shell command that stops it. */
  keepRunning(): string;
}

export interface StartPowerDnsOptions {
  /** The zone to create (tenantctl writes records into it, never zones). */
  readonly zone: string;
  /** Where its configuration, database and log go. @default a temporary directory, removed on stop */
  readonly dir?: string;
  /** @default 15 s */
  readonly timeoutMs?: number;
}

/** The server binary, or undefined when PowerDNS is not installed. */
export function findPowerDns(): string | undefined {
  return PDNS_SERVER_CANDIDATES.find((candidate) => existsSync(candidate));
}

export async function startPowerDns(options: StartPowerDnsOptions): Promise<RunningPowerDns> {
  const server = findPowerDns();
  if (!server || !existsSync(SQLITE_SCHEMA))
    throw new Error(`PowerDNS is not installed (no pdns_server or no ${SQLITE_SCHEMA}): ${POWERDNS_INSTALL_HINT}`);
  const tempDir = options.dir ? undefined : mkdtempSync(join(tmpdir(), "tenantctl-powerdns-"));
  const dir = options.dir ?? tempDir!;
  mkdirSync(dir, { recursive: true });
  const database = join(dir, "pdns.sqlite3");
  rmSync(database, { force: true });
  const created = spawnSync("sqlite3", [database], { input: readFileSync(SQLITE_SCHEMA), encoding: "utf8" });
  if (created.error || created.status !== 0)
    throw new Error(
      `could not create PowerDNS's SQLite database with sqlite3 (${created.error?.message ?? created.stderr.trim()}): ${POWERDNS_INSTALL_HINT}`,
    );
  const apiKey = randomBytes(18).toString("base64url");
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const [dnsPort, webPort] = (await freeLoopbackPorts(2)) as [number, number];
    try {
      return await startOn(server, dir, database, apiKey, dnsPort, webPort, options, removeTemp);
    } catch (error) {
      // Another process may take a port between the probe and the server's bind: a new pair of ports, a few times.
      if (attempt >= attempts) {
        removeTemp();
        throw error;
      }
    }
  }
}

async function startOn(
  server: string,
  dir: string,
  database: string,
  apiKey: string,
  dnsPort: number,
  webPort: number,
  options: StartPowerDnsOptions,
  removeTemp: () => void,
): Promise<RunningPowerDns> {
  // The key goes into a 0600 file, not onto the command line, where `ps` would show it.
  writeFileSync(
    join(dir, "pdns.conf"),
    [
      "launch=gsqlite3",
      `gsqlite3-database=${database}`,
      `local-address=127.0.0.1:${dnsPort}`,
      "api=yes",
      `api-key=${apiKey}`,
      "webserver=yes",
      "webserver-address=127.0.0.1",
      `webserver-port=${webPort}`,
      "webserver-allow-from=127.0.0.0/8",
      `socket-dir=${dir}`,
      "guardian=no",
      "daemon=no",
      "disable-syslog=yes",
      "loglevel=4",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const logFile = join(dir, "pdns.log");
  // The log is a file, not a pipe: a server left running (--keep) must not die writing to a reader that went away.
  const logFd = openSync(logFile, "a");
  const child = spawn(server, [`--config-dir=${dir}`], { stdio: ["ignore", logFd, logFd], detached: true });
  closeSync(logFd);
  const stopOnExit = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    removeTemp();
  };
  process.on("exit", stopOnExit);
  const apiUrl = `http://127.0.0.1:${webPort}`;
  try {
    await untilApiAnswers(child, apiUrl, apiKey, options.timeoutMs ?? 15_000, logFile);
    await createZone(apiUrl, apiKey, options.zone);
  } catch (error) {
    process.removeListener("exit", stopOnExit);
    await stopChild(child);
    throw error;
  }
  let exited = child.exitCode !== null;
  child.once("exit", () => (exited = true));
  return {
    apiUrl,
    serverId: "localhost",
    apiKey,
    dnsPort,
    zone: options.zone,
    pid: child.pid!,
    async stop() {
      process.removeListener("exit", stopOnExit);
      if (!exited) await stopChild(child);
      removeTemp();
    },
    keepRunning() {
      process.removeListener("exit", stopOnExit);
      child.unref();
      return `kill ${child.pid} 2>/dev/null || true`;
    },
  };
}

async function untilApiAnswers(
  child: ChildProcess,
  apiUrl: string,
  apiKey: string,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tail = () => readFileSync(logFile, "utf8").trim().split("\n").slice(-15).join("\n");
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`pdns_server exited (${child.exitCode ?? child.signalCode}) before it answered:\n${tail()}`);
    const answer = await fetch(`${apiUrl}/api/v1/servers/localhost`, {
      headers: { "x-api-key": apiKey },
      signal: AbortSignal.timeout(1_000),
    }).catch(() => undefined);
    if (answer?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pdns_server did not answer on ${apiUrl} within ${timeoutMs / 1000} s:\n${tail()}`);
}

async function createZone(apiUrl: string, apiKey: string, zone: string): Promise<void> {
  const name = `${zone.replace(/\.$/, "")}.`;
  const answer = await fetch(`${apiUrl}/api/v1/servers/localhost/zones`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": "application/json" },
    body: JSON.stringify({ name, kind: "Native", nameservers: [`ns1.${name}`] }),
  });
  if (answer.status !== 201)
    throw new Error(`PowerDNS refused the zone ${name}: ${answer.status} ${await answer.text()}`);
}
