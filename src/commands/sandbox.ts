/**
 * `tenantctl sandbox [--dir tenants] [--keep]`: the README's "see it for real". Starts a throwaway PostgreSQL,
 * runs the real `up --all` of the fleet into it (the control-plane stack first, then the tenants; DNS, TLS and
 * auth off, since they need cloud accounts), prints the RunReport and, per tenant, what was created and how to
 * look at it. PostgreSQL is stopped on exit unless `--keep`.
 *
 * State lives in a file backend under `.tenantctl/sandbox/` (gitignored) with a fixed local passphrase; it is
 * wiped at the start of every run, because the PostgreSQL it describes is new every run. No password is
 * printed: the superuser's goes into a 0600 pgpass file, the tenants' are Pulumi secrets in that state.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CONTROL_PLANE_STACK } from "../core/naming";
import { renderRunTable } from "../report/renderRun";
import { changesNothing, exitCodeFor, type RunReport, type TenantRun } from "../report/runReport";
import { engineEnv, findOrBuildEngine, repositoryRoot } from "../sandbox/pulumiEngine";
import { type RunningPostgres, startPostgres } from "../sandbox/postgres";
import { loadFleet } from "../core/load";
import { executeRun } from "./run";

export interface SandboxOptions {
  readonly dir: string;
  /** Leave PostgreSQL and the sandbox's state behind, and say how to use and stop them. */
  readonly keep?: boolean;
  /** @default 2 */
  readonly parallel?: number;
}

/** Where the sandbox keeps its state, relative to the project directory. */
export const SANDBOX_DIR = join(".tenantctl", "sandbox");

/** Not a secret: it encrypts the state of a throwaway local sandbox, and is written into env.sh for the user. */
export const SANDBOX_PASSPHRASE = "tenantctl-sandbox";

/** The features that need cloud accounts. */
const SANDBOX_DISABLE = "dns,tls,auth";

export async function sandbox(options: SandboxOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const projectDir = process.cwd();
  if (!existsSync(join(projectDir, "Pulumi.yaml"))) {
    err(`tenantctl sandbox: no Pulumi.yaml in ${projectDir}: run it from the project root\n`);
    return 2;
  }
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  if (!fleet.controlPlane) {
    err("tenantctl sandbox: the control-plane template is invalid; run `tenantctl validate` first\n");
    return 1;
  }
  const servers = fleet.controlPlane.databaseServers.map((server) => server.name);

  err("sandbox: looking for the Pulumi engine (a first build from Go modules takes several minutes)\n");
  let binDir: string;
  try {
    const engine = await findOrBuildEngine({ repoRoot: repositoryRoot(), log: (line) => err(`  ${line}\n`) });
    if (!engine.available) {
      err(`tenantctl sandbox: no Pulumi engine: ${engine.reason}\n`);
      return 1;
    }
    binDir = engine.binDir;
  } catch (error) {
    err(`tenantctl sandbox: ${(error as Error).message}\n`);
    return 1;
  }

  err("sandbox: starting a throwaway PostgreSQL\n");
  let postgres: RunningPostgres;
  try {
    postgres = await startPostgres();
  } catch (error) {
    err(`tenantctl sandbox: could not start PostgreSQL: ${(error as Error).message}\n`);
    return 1;
  }
  // Ctrl-C: exiting runs startPostgres' exit hook, which stops the server.
  const onSignal = (signal: NodeJS.Signals) => {
    err(`\nsandbox: ${signal}: stopping PostgreSQL\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const sandboxDir = join(projectDir, SANDBOX_DIR);
  const stateDir = join(sandboxDir, "state");
  // The engine writes a Pulumi.<stack>.yaml (the passphrase's salt) next to Pulumi.yaml: the sandbox runs its
  // own copy of the project under .tenantctl/sandbox/, so nothing is written into the user's project.
  const sandboxProject = join(sandboxDir, "project");
  let kept = false;
  try {
    rmSync(sandboxDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    mkdirSync(sandboxProject, { recursive: true });
    writeFileSync(join(sandboxProject, "Pulumi.yaml"), projectFileWithAbsoluteMain(projectDir));
    const pgpass = join(sandboxDir, "pgpass");
    writeFileSync(pgpass, `${postgres.host}:${postgres.port}:*:${pgpassEscape(postgres.user)}:${pgpassEscape(postgres.password)}\n`, { mode: 0o600 });

    const env: Record<string, string> = {
      ...engineEnv(binDir),
      PULUMI_BACKEND_URL: `file://${stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: SANDBOX_PASSPHRASE,
      TENANTCTL_DISABLE: SANDBOX_DISABLE,
      TENANTCTL_DATABASE_SERVERS: JSON.stringify(
        Object.fromEntries(
          servers.map((name) => [name, { host: postgres.host, port: postgres.port, username: postgres.user, password: postgres.password, sslmode: "disable" }]),
        ),
      ),
    };
    writeFileSync(join(sandboxDir, "env.sh"), envScript(env, pgpass, postgres), { mode: 0o600 });

    err(`sandbox: PostgreSQL on ${postgres.host}:${postgres.port}; state in ${relative(projectDir, stateDir)}; running up --all\n`);
    const report = await withEnv(env, () =>
      executeRun("up", [], { dir: options.dir, all: true, parallel: options.parallel ?? 2, format: "text" }, err, sandboxProject),
    );

    out(renderRunTable(report));
    out(describeSandbox(report, postgres, fleet.controlPlane.databaseServers));
    const code = exitCodeFor(report);
    if (options.keep) {
      const stop = postgres.keepRunning();
      kept = true;
      out(howToLook(report, postgres, relative(projectDir, sandboxDir) || ".", stop));
    } else {
      out(
        `\nPostgreSQL is stopped and ${SANDBOX_DIR}/ removed now that the sandbox is done; run \`tenantctl sandbox --keep\` to keep ` +
          "it running and look around with psql and pulumi.\n",
      );
    }
    return code;
  } catch (error) {
    err(`tenantctl sandbox: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    if (!kept) {
      await postgres.stop().catch((error: Error) => err(`tenantctl sandbox: stopping PostgreSQL failed: ${error.message}\n`));
      rmSync(sandboxDir, { recursive: true, force: true });
    }
  }
}

/** The project's Pulumi.yaml with `main` made absolute, for a copy of the project in another directory. */
export function projectFileWithAbsoluteMain(projectDir: string): string {
  const text = readFileSync(join(projectDir, "Pulumi.yaml"), "utf8");
  const main = /^main:[ \t]*(\S.*?)[ \t]*$/m.exec(text)?.[1];
  if (main === undefined) return `${text.trimEnd()}\nmain: ${projectDir}\n`;
  return text.replace(/^main:.*$/m, `main: ${resolve(projectDir, main.replace(/^["']|["']$/g, ""))}`);
}

/** Sets `env` on this process for the duration of `work` (the Automation API runs `pulumi` with process.env). */
async function withEnv<T>(env: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A pgpass field: `:` and `\` are escaped with a backslash. */
function pgpassEscape(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** env.sh: what `pulumi` and `psql` need to reach the sandbox, without any password in it. */
function envScript(env: Readonly<Record<string, string>>, pgpass: string, postgres: RunningPostgres): string {
  const lines = [
    "# Written by `tenantctl sandbox`: `source` it to use pulumi and psql against the sandbox.",
    `export PATH=${shellQuote(env.PATH!.split(":")[0]!)}:"$PATH"`,
    ...["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_SKIP_UPDATE_CHECK", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "TENANTCTL_DISABLE"].map(
      (key) => `export ${key}=${shellQuote(env[key]!)}`,
    ),
    `export PGHOST=${postgres.host} PGPORT=${postgres.port} PGSSLMODE=disable`,
    `export PGPASSFILE=${shellQuote(pgpass)}`,
  ];
  return lines.join("\n") + "\n";
}

interface DatabaseOutput {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly schema?: string;
  readonly user?: string;
}

/** A short account of every stack: the database objects and the resources by type. */
export function describeSandbox(report: RunReport, postgres: { host: string; port: number; user: string }, servers: readonly { name: string; sharedDatabase: string }[]): string {
  const width = Math.max(...report.tenants.map((t) => t.slug.length), CONTROL_PLANE_STACK.length);
  const lines = ["", `What the sandbox created, in PostgreSQL ${postgres.host}:${postgres.port} (superuser ${postgres.user}):`, ""];
  for (const tenant of report.tenants) {
    const head = `  ${tenant.slug.padEnd(width)}  `;
    const more = " ".repeat(head.length);
    if (tenant.outcome === "failed" || tenant.outcome === "skipped") {
      lines.push(`${head}${tenant.outcome}: ${(tenant.message ?? "").split("\n")[0]}`);
      continue;
    }
    if (tenant.slug === CONTROL_PLANE_STACK) {
      const shared = servers.map((server) => `"${server.sharedDatabase}"`).join(", ");
      lines.push(`${head}shared database ${shared} for schema-isolated tenants; PUBLIC may not connect to it`);
    } else {
      const outputs = tenant.outputs ?? {};
      const db = (outputs["database"] ?? {}) as DatabaseOutput;
      const where = db.schema && db.schema !== "public" ? `schema ${db.schema} in database ${db.database}` : `database ${db.database}`;
      const login = outputs["status"] === "active" ? "login role" : "role (login disabled)";
      lines.push(`${head}${where}, owned by ${login} ${db.user} (${String(outputs["plan"])} plan, ${String(outputs["status"])})`);
      const keys = Array.isArray(outputs["settingsKeys"]) ? outputs["settingsKeys"].length : 0;
      lines.push(`${more}settings: ${keys} keys in ${db.database}: ${db.schema}.tenant_settings`);
    }
    const byType = new Map<string, number>();
    for (const resource of tenant.resources) {
      if (changesNothing(resource.op)) continue;
      const type = resource.type.split(":").pop() ?? resource.type;
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    if (byType.size > 0) lines.push(`${more}resources: ${[...byType].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

/** psql command lines (host, port, user; never a password) and how to read a tenant's password. */
export function howToLook(report: RunReport, postgres: { host: string; port: number; user: string }, sandboxDir: string, stop: string): string {
  const tenants = report.tenants.filter((t): t is TenantRun & { outputs: Record<string, unknown> } => t.slug !== CONTROL_PLANE_STACK && t.outputs !== undefined);
  const lines = [
    "",
    "PostgreSQL keeps running (--keep). Look at it:",
    "",
    `  source ${sandboxDir}/env.sh    # PATH, the sandbox's Pulumi backend and passphrase, PGPASSFILE`,
    `  psql -h ${postgres.host} -p ${postgres.port} -U ${postgres.user} -d postgres    # the superuser; its password is in ${sandboxDir}/pgpass`,
  ];
  for (const tenant of tenants) {
    const db = (tenant.outputs["database"] ?? {}) as DatabaseOutput;
    lines.push(`  psql -h ${db.host} -p ${db.port} -U ${db.user} -d ${db.database}    # as ${tenant.slug}`);
  }
  if (tenants[0]) {
    const slug = tenants[0].slug;
    lines.push(
      "",
      "A tenant's password is a Pulumi secret (encrypted in the sandbox's state, never printed). To read it, or to connect with it:",
      "",
      `  pulumi -C ${sandboxDir}/project stack output connectionString --show-secrets -s ${slug}`,
      `  psql "$(pulumi -C ${sandboxDir}/project stack output connectionString --show-secrets -s ${slug})"`,
      "",
      "(after `source`-ing env.sh, from this directory; the same for every tenant's stack)",
    );
  }
  lines.push("", "Stop it and remove its data:", "", `  ${stop} && rm -rf ${sandboxDir}`);
  return lines.join("\n") + "\n";
}
