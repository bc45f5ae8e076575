/**
 * The session of `tenantctl sandbox [--dir tenants] [--keep] [--auth authhero]` (src/commands/sandbox.ts parses it):
 * the README's "see it for real". Starts a throwaway PostgreSQL per database server the template names
 * (src/sandbox/databaseServers.ts; started in parallel) and, with `--auth authhero`, a real AuthHero server
 * (test/authhero-server, installed on first use); runs the real `up --all` of the fleet into it (the control-plane stack first, then the tenants; DNS and TLS off,
 * since they need cloud accounts; auth off too unless AuthHero runs), prints the RunReport and, per tenant, what was
 * created and how to look at it. Everything is stopped on exit unless `--keep`.
 *
 * With `--auth authhero`, the fleet's auth is deployed into the local AuthHero whatever the template's
 * `auth.provider` says (TENANTCTL_AUTH_PROVIDER=authhero): the resource servers and template roles by the
 * control-plane stack, an organization and the tenant's own roles by each tenant stack.
 *
 * State lives in a file backend under `.tenantctl/sandbox/` (gitignored) with a fixed local passphrase; it is
 * wiped at the start of every run, because the PostgreSQL it describes is new every run. No password is
 * printed: the superuser's goes into a 0600 pgpass file, the tenants' are Pulumi secrets in that state.
 *
 * The run gets the sandbox's environment (backend, passphrase, database servers, the engine on PATH) for itself
 * (orchestrate/run/runFleet.ts `env`): this process's environment is never changed, and it never exits by itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { InterruptedError, type Outcome, UsageError } from "../core/errors";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { loadFleet } from "../core/load";
import type { Tenant } from "../core/model";
import { projectFileWithAbsoluteMain } from "../orchestrate/engine/projectFile";
import { SECRETS_PROVIDER_ENV } from "../orchestrate/engine/secretsProvider";
import { runFleet } from "../orchestrate/run/runFleet";
import { renderRunTable } from "../report/renderRun";
import { runOutcome } from "../report/runReport";
import { type RunningAuthHero, startAuthHero } from "./authhero";
import { envScript, pgpassLines } from "./envScript";
import { RUNTIME_CREDENTIALS_FILE_ENV, writeCredentialsFile } from "../orchestrate/rotate/credentialsFile";
import { registryCredentialsOf } from "../orchestrate/rotate/registryCredentials";
import { databaseServersJson, type SandboxServer, startDatabaseServers, stopDatabaseServers } from "./databaseServers";
import { engineEnv, findOrBuildEngine, repositoryRoot } from "./pulumiEngine";
import { exampleAppCommands } from "./exampleApp";
import { describeSandbox, howToLook } from "./report";
import { type SandboxTls, startSandboxTls } from "./sandboxTls";
import { describeSandboxDns, sandboxDnsEnv, startSandboxDns, withDnsEnabled } from "./dns";
import type { RunningPowerDns } from "./powerdns";

export interface SandboxOptions {
  readonly dir: string;
  /** Leave PostgreSQL and the sandbox's state behind, and say how to use and stop them. */
  readonly keep?: boolean;
  /** @default 2 */
  readonly parallel?: number;
  /** Also start a real AuthHero server and deploy the fleet's auth into it. @default none: auth off */
  readonly auth?: SandboxAuth;
  /** Also start Pebble and Caddy, and serve the custom domains with `tls.provider: acme` (src/sandbox/sandboxTls.ts). */
  readonly tls?: boolean;
  /** Also start PowerDNS with the template's zone and write the tenants' records into it. @default none: DNS off */
  readonly dns?: boolean;
}

/** The auth providers the sandbox can run locally. */
export const SANDBOX_AUTH_PROVIDERS = ["authhero"] as const;
export type SandboxAuth = (typeof SANDBOX_AUTH_PROVIDERS)[number];

/** The runtime role's credentials file under the sandbox's directory (TENANTCTL_RUNTIME_CREDENTIALS_FILE). */
export const RUNTIME_CREDENTIALS_FILE = "runtime-credentials.json";

/** Written when AuthHero is kept running: what `--stop` reports having stopped. Holds no secret. */
const AUTHHERO_FILE = "authhero.json";

/** Written when PowerDNS is kept running (`--dns`): what `--stop` reports having stopped. Holds no secret. */
const POWERDNS_FILE = "powerdns.json";

/** Where the sandbox keeps its state, relative to the project directory. */
export const SANDBOX_DIR = join(".tenantctl", "sandbox");

/** Not a secret: it encrypts the state of a throwaway local sandbox, and is written into env.sh for the user. */
export const SANDBOX_PASSPHRASE = "tenantctl-sandbox";

/** With `--tls`: Pebble's, Caddy's and the ask endpoint's configuration and logs. */
const SANDBOX_TLS_DIR = "acme";

/** What `--stop` runs: the kept server's stop command. */
const STOP_SCRIPT = "stop.sh";

/** `tenantctl sandbox --stop`: stops what `sandbox --keep` started here and removes `.tenantctl/sandbox/`. */
export function stopSandbox(out: (text: string) => void, err: (text: string) => void): Outcome {
  const sandboxDir = join(process.cwd(), SANDBOX_DIR);
  const script = join(sandboxDir, STOP_SCRIPT);
  if (!existsSync(script)) {
    rmSync(sandboxDir, { recursive: true, force: true });
    out(`no sandbox is running here (no ${join(SANDBOX_DIR, STOP_SCRIPT)})\n`);
    return "ok";
  }
  const withAuthHero = existsSync(join(sandboxDir, AUTHHERO_FILE));
  const withTls = existsSync(join(sandboxDir, SANDBOX_TLS_DIR));
  const withPowerDns = existsSync(join(sandboxDir, POWERDNS_FILE));
  const servers = [
    "PostgreSQL",
    ...(withAuthHero ? ["AuthHero"] : []),
    ...(withPowerDns ? ["PowerDNS"] : []),
    ...(withTls ? ["Pebble", "Caddy"] : []),
  ];
  const what = `${servers.slice(0, -1).join(", ")}${servers.length > 1 ? " and " : ""}${servers[servers.length - 1]}`;
  const stopped = spawnSync("sh", [script], { encoding: "utf8" });
  if (stopped.status !== 0) {
    err(
      `tenantctl sandbox --stop: stopping ${what} failed: ${(stopped.stderr || stopped.error?.message || "").trim()}\n`,
    );
    return "failed";
  }
  rmSync(sandboxDir, { recursive: true, force: true });
  out(`stopped the sandbox's ${what} and removed ${SANDBOX_DIR}/\n`);
  return "ok";
}

/** The features that need cloud accounts (auth, unless the sandbox runs its own AuthHero). */
const SANDBOX_DISABLE = "dns,tls,auth";
const SANDBOX_DISABLE_WITH_AUTH = "dns,tls";

/**
 * The sandbox's session: returns how its `up --all` ended, after saying why on `err` when it could not get that far
 * (`failed`). `interrupt` (Ctrl-C or SIGTERM, owned by the CLI) cancels the run through the engine, or stops the start
 * before it; either way what the sandbox started is stopped and removed, unless `--keep` kept it after a run.
 */
export async function runSandbox(
  options: SandboxOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  interrupt?: AbortSignal,
): Promise<Outcome> {
  const projectDir = process.cwd();
  if (!existsSync(join(projectDir, "Pulumi.yaml")))
    throw new UsageError(`sandbox: no Pulumi.yaml in ${projectDir}: run it from the project root`);
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd(), authProvider: options.auth });
  if (!fleet.controlPlane) {
    err("tenantctl sandbox: the control-plane template is invalid; run `tenantctl validate` first\n");
    return "failed";
  }
  // A fleet written for Auth0 may hold what AuthHero refuses (a longer role name): said here, before anything starts.
  const refusedByAuth = options.auth ? fleet.errors.filter((diagnostic) => diagnostic.rule === "authheroLimits") : [];
  if (refusedByAuth.length > 0) {
    err(
      `tenantctl sandbox: AuthHero would refuse these values of the fleet:\n\n${renderDiagnosticsText(refusedByAuth, fleet.sources)}\n`,
    );
    return "failed";
  }
  const servers = fleet.controlPlane.databaseServers.map((server) => server.name);

  err("sandbox: looking for the Pulumi engine (a first build from Go modules takes several minutes)\n");
  let binDir: string;
  try {
    const engine = await findOrBuildEngine({ repoRoot: repositoryRoot(), log: (line) => err(`  ${line}\n`) });
    if (!engine.available) {
      err(`tenantctl sandbox: no Pulumi engine: ${engine.reason}\n`);
      return "failed";
    }
    binDir = engine.binDir;
  } catch (error) {
    err(`tenantctl sandbox: ${(error as Error).message}\n`);
    return "failed";
  }
  throwIfInterrupted(interrupt, "before the sandbox started anything");

  const sandboxDir = join(projectDir, SANDBOX_DIR);
  let authhero: RunningAuthHero | undefined;
  if (options.auth === "authhero") {
    err("sandbox: starting a throwaway AuthHero server\n");
    try {
      rmSync(sandboxDir, { recursive: true, force: true });
      mkdirSync(sandboxDir, { recursive: true });
      authhero = await startAuthHero(repositoryRoot(), {
        logFile: join(sandboxDir, "authhero.log"),
        log: (line) => err(`sandbox: ${line}\n`),
      });
    } catch (error) {
      err(`tenantctl sandbox: could not start AuthHero: ${(error as Error).message}\n`);
      return "failed";
    }
  }

  err(
    `sandbox: starting a throwaway PostgreSQL${servers.length > 1 ? ` per database server (${servers.join(", ")})` : ""}\n`,
  );
  let clusters: SandboxServer[];
  try {
    clusters = await startDatabaseServers(servers);
  } catch (error) {
    err(`tenantctl sandbox: could not start PostgreSQL: ${(error as Error).message}\n`);
    await authhero?.stop();
    return "failed";
  }

  const stateDir = join(sandboxDir, "state");
  // The engine writes a Pulumi.<stack>.yaml (the passphrase's salt) next to Pulumi.yaml: the sandbox runs its
  // own copy of the project under .tenantctl/sandbox/, so nothing is written into the user's project.
  const sandboxProject = join(sandboxDir, "project");
  let kept = false;
  let tls: SandboxTls | undefined;
  let powerdns: RunningPowerDns | undefined;
  try {
    throwIfInterrupted(interrupt, "before the sandbox's run started: PostgreSQL stopped");
    if (!authhero) rmSync(sandboxDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    mkdirSync(sandboxProject, { recursive: true });
    if (options.dns) powerdns = await startSandboxDns(fleet.controlPlane, join(sandboxDir, "powerdns"), err);
    writeFileSync(join(sandboxProject, "Pulumi.yaml"), projectFileWithAbsoluteMain(projectDir));
    if (options.tls) {
      err("sandbox: starting Pebble (ACME CA); Caddy follows the run\n");
      tls = await startSandboxTls(repositoryRoot(), join(sandboxDir, SANDBOX_TLS_DIR), (line) =>
        err(`sandbox: ${line}\n`),
      );
    }
    const pgpass = join(sandboxDir, "pgpass");
    writeFileSync(pgpass, pgpassLines(clusters), { mode: 0o600 });

    const env: Record<string, string> = {
      ...engineEnv(binDir),
      PULUMI_BACKEND_URL: `file://${stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: SANDBOX_PASSPHRASE,
      // Throwaway stacks under the sandbox's passphrase, whatever key the shell names for real stacks.
      [SECRETS_PROVIDER_ENV]: "",
      TENANTCTL_DISABLE: withoutTls(
        withDnsEnabled(authhero ? SANDBOX_DISABLE_WITH_AUTH : SANDBOX_DISABLE, powerdns),
        tls !== undefined,
      ),
      ...tls?.env,
      ...sandboxDnsEnv(powerdns),
      ...(authhero
        ? {
            TENANTCTL_AUTH_PROVIDER: "authhero",
            TENANTCTL_AUTHHERO_URL: authhero.url,
            TENANTCTL_AUTHHERO_CLIENT_ID: authhero.clientId,
            TENANTCTL_AUTHHERO_CLIENT_SECRET: authhero.clientSecret,
          }
        : {}),
      TENANTCTL_DATABASE_SERVERS: databaseServersJson(clusters),
    };
    const writeEnvScript = (extra: Record<string, string> = {}) =>
      writeFileSync(
        join(sandboxDir, "env.sh"),
        envScript({ ...env, ...extra }, pgpass, clusters, sandboxProject, resolve(projectDir, options.dir)),
        { mode: 0o600 },
      );
    writeEnvScript();

    if (authhero)
      err(`sandbox: AuthHero on ${authhero.url} (started in ${(authhero.startupMs / 1000).toFixed(1)} s)\n`);
    const where = clusters
      .map(({ name, postgres }) => `${clusters.length > 1 ? `${name} ` : ""}${postgres.host}:${postgres.port}`)
      .join(", ");
    err(`sandbox: PostgreSQL on ${where}; state in ${relative(projectDir, stateDir)}; running up --all\n`);
    // The run's engine and program get the sandbox's environment; this process's own stays as it is.
    const report = await runFleet("up", [], { dir: options.dir, all: true, parallel: options.parallel ?? 2 }, err, {
      projectDir: sandboxProject,
      env,
      ...(interrupt ? { interrupt } : {}),
    });

    out(renderRunTable(report));
    out(describeSandbox(report, clusters, fleet.controlPlane.databaseServers));
    if (authhero) out(describeAuthHero(authhero, options.keep === true));
    if (tls) {
      // The ask endpoint logs in as the registry's reader (the control plane's secret output), as a real one would.
      const reader = await registryCredentialsOf(sandboxProject, { ...process.env, ...env }).catch(() => undefined);
      out(
        await tls.serve(
          reader?.registryUrl ?? adminRegistryUrl(clusters),
          activeCustomDomains(fleet.tenants),
          projectDir,
        ),
      );
    }
    if (powerdns) out(describeSandboxDns(powerdns, fleet.tenants, options.keep === true));
    const outcome = runOutcome(report);
    // Ctrl-C means stop: an interrupted run's servers go, even with --keep.
    if (options.keep && outcome !== "interrupted") {
      const stopAuthHero = [authhero?.keepRunning(), tls?.keepRunning()].filter(Boolean).join(" && ") || undefined;
      // One command that stops every cluster the sandbox started (one per database server).
      const stopPostgres = clusters.map(({ postgres }) => postgres.keepRunning());
      const stopPowerDns = powerdns?.keepRunning();
      const stop = [stopAuthHero, stopPowerDns, ...stopPostgres]
        .filter((command) => command !== undefined)
        .join(" && ");
      kept = true;
      // What apps log in with (the registry's reader, the runtime role): from the control plane's secret outputs
      // into env.sh and the credentials file, both 0600, never onto the terminal.
      const registry = await registryCredentialsOf(sandboxProject, { ...process.env, ...env }).catch((error: Error) => {
        err(`tenantctl sandbox: could not read the registry's credentials: ${error.message.split("\n")[0]}\n`);
        return undefined;
      });
      if (registry) {
        const credentialsFile = join(sandboxDir, RUNTIME_CREDENTIALS_FILE);
        writeCredentialsFile(credentialsFile, registry.runtime);
        writeEnvScript({
          TENANTCTL_REGISTRY_URL: registry.registryUrl,
          [RUNTIME_CREDENTIALS_FILE_ENV]: credentialsFile,
        });
      }
      if (powerdns)
        writeFileSync(
          join(sandboxDir, POWERDNS_FILE),
          `${JSON.stringify({ apiUrl: powerdns.apiUrl, dnsPort: powerdns.dnsPort, pid: powerdns.pid })}\n`,
        );
      if (authhero)
        writeFileSync(join(sandboxDir, AUTHHERO_FILE), `${JSON.stringify({ url: authhero.url, pid: authhero.pid })}\n`);
      writeFileSync(
        join(sandboxDir, STOP_SCRIPT),
        `#!/bin/sh\n# Written by \`tenantctl sandbox --keep\`: stops its servers (\`tenantctl sandbox --stop\` runs it).\n${stop}\n`,
        { mode: 0o700 },
      );
      out(howToLook(report, clusters, relative(projectDir, sandboxDir) || ".", stop));
      // The example app needs the registry's logins: without them (the registry switched off) it has nothing to read.
      if (registry)
        out(
          exampleAppCommands({
            tenants: fleet.tenants,
            audience: fleet.controlPlane.auth.resourceServers[0]?.identifier,
            withAuth: authhero !== undefined,
            repoRoot: repositoryRoot(),
            projectDir,
            envScript: join(relative(projectDir, sandboxDir) || ".", "env.sh"),
          }),
        );
    } else {
      out(
        `\n${authhero ? "PostgreSQL and AuthHero are" : "PostgreSQL is"} stopped and ${SANDBOX_DIR}/ removed now that the sandbox is done; run \`tenantctl sandbox --keep\` to keep ` +
          "it running and look around with psql and pulumi.\n",
      );
    }
    return outcome;
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    err(`tenantctl sandbox: ${(error as Error).message}\n`);
    return "failed";
  } finally {
    if (!kept) {
      await tls
        ?.stop()
        .catch((error: Error) => err(`tenantctl sandbox: stopping Pebble and Caddy failed: ${error.message}\n`));
      await powerdns
        ?.stop()
        .catch((error: Error) => err(`tenantctl sandbox: stopping PowerDNS failed: ${error.message}\n`));
      await authhero
        ?.stop()
        .catch((error: Error) => err(`tenantctl sandbox: stopping AuthHero failed: ${error.message}\n`));
      await stopDatabaseServers(clusters).catch((error: Error) =>
        err(`tenantctl sandbox: stopping PostgreSQL failed: ${error.message}\n`),
      );
      rmSync(sandboxDir, { recursive: true, force: true });
    }
  }
}

function withoutTls(disable: string, tls: boolean): string {
  return tls
    ? disable
        .split(",")
        .filter((feature) => feature !== "tls")
        .join(",")
    : disable;
}

/** The hostnames the ingress should serve: custom domains of tenants that are not decommissioned. */
function activeCustomDomains(tenants: readonly Tenant[]): string[] {
  return tenants
    .filter((tenant) => tenant.status !== "decommissioned")
    .flatMap((tenant) => tenant.domains.custom.map(({ hostname }) => hostname));
}

/** When the control plane's outputs cannot be read: the registry database as the administrator of the first cluster. */
function adminRegistryUrl(clusters: readonly SandboxServer[]): string {
  const { host, port, user, password } = clusters[0]!.postgres;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/tenantctl`;
}

/** Where the sandbox's AuthHero is, and how to reach its Management API (the client secret is in env.sh only). */
function describeAuthHero(authhero: RunningAuthHero, kept: boolean): string {
  const client = kept
    ? `; the Management API client ${authhero.clientId} and its secret are in ${join(SANDBOX_DIR, "env.sh")} (TENANTCTL_AUTHHERO_*)`
    : "";
  return `\nAuthHero ${authhero.url}: organizations and roles are in its control-plane tenant (${authhero.tenantId})${client}.\n`;
}

/** Ctrl-C or SIGTERM while the sandbox starts: nothing to report yet, and what it started is stopped on the way out. */
function throwIfInterrupted(interrupt: AbortSignal | undefined, when: string): void {
  if (interrupt?.aborted) throw new InterruptedError(`sandbox: interrupted ${when}`);
}
