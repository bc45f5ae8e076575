/**
 * The files the sandbox writes for the user's shell: a pgpass line, and env.sh. Both are mode 0600: env.sh holds the
 * throwaway server's admin credentials (TENANTCTL_DATABASE_SERVERS), so that after `source`-ing it every tenantctl
 * command reaches the sandbox as the sandbox's own run did, and plain `psql` logs in as its administrator.
 */
import type { RunningPostgres } from "./postgres";
import type { SandboxServer } from "./databaseServers";
import { shellQuote } from "./shellQuote";

/** Where env.sh says the sandbox's project copy is: tenantctl runs its stacks there (commands/run.ts). */
export const SANDBOX_PROJECT_ENV = "TENANTCTL_SANDBOX_PROJECT";

/** Where Pulumi.yaml is for a command: the sandbox's copy after `source .tenantctl/sandbox/env.sh`, else the working directory. */
export function commandProjectDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[SANDBOX_PROJECT_ENV] ?? process.cwd();
}

/** A pgpass field: `:` and `\` are escaped with a backslash. */
function pgpassEscape(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

/** The pgpass line that lets psql log in as the sandbox's superuser. */
export function pgpassLine(postgres: Pick<RunningPostgres, "host" | "port" | "user" | "password">): string {
  return `${postgres.host}:${postgres.port}:*:${pgpassEscape(postgres.user)}:${pgpassEscape(postgres.password)}\n`;
}

/** A pgpass line per server's cluster (each has its own port and password). */
export function pgpassLines(servers: readonly SandboxServer[]): string {
  return servers.map((server) => pgpassLine(server.postgres)).join("");
}

/** What env.sh needs of each server's cluster. */
export type EnvServer = { readonly name: string; readonly postgres: Pick<RunningPostgres, "host" | "port" | "user"> };

/** env.sh: what tenantctl, `pulumi` and `psql` need to reach the sandbox. */
export function envScript(
  env: Readonly<Record<string, string>>,
  pgpass: string,
  /** Each server of the template and its cluster; plain psql goes to the first (the template's first server). */
  servers: readonly EnvServer[],
  /** The sandbox's copy of the project, where its stacks' Pulumi.<stack>.yaml files live. */
  project: string,
  /** The tenants directory, absolute. */
  tenantsDir: string,
): string {
  const postgres = servers[0]!.postgres;
  const lines = [
    "# Written by `tenantctl sandbox`: `source` it to use pulumi and psql against the sandbox.",
    `export PATH=${shellQuote(env.PATH!.split(":")[0]!)}:"$PATH"`,
    ...[
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "PULUMI_SKIP_UPDATE_CHECK",
      "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
      "TENANTCTL_DISABLE",
      "TENANTCTL_DATABASE_SERVERS",
    ].map((key) => `export ${key}=${shellQuote(env[key]!)}`),
    // With `--auth authhero`: the auth provider override and the sandbox's AuthHero client (its secret is why env.sh is 0600).
    ...[
      "TENANTCTL_AUTH_PROVIDER",
      "TENANTCTL_AUTHHERO_URL",
      "TENANTCTL_AUTHHERO_CLIENT_ID",
      "TENANTCTL_AUTHHERO_CLIENT_SECRET",
      // With `--tls`: custom domains through the sandbox's Pebble and Caddy.
      "TENANTCTL_ACME_DIRECTORY_URL",
      "TENANTCTL_ACME_INGRESS_ADDRESS",
      // The registry (after the run, with --keep): the reader's URL and where the runtime role's credentials are.
      "TENANTCTL_REGISTRY_URL",
      "TENANTCTL_RUNTIME_CREDENTIALS_FILE",
    ]
      .filter((key) => env[key] !== undefined)
      .map((key) => `export ${key}=${shellQuote(env[key]!)}`),
    `export PGHOST=${postgres.host} PGPORT=${postgres.port} PGUSER=${shellQuote(postgres.user)} PGSSLMODE=disable`,
    `export PGPASSFILE=${shellQuote(pgpass)}`,
    // Every server has its own cluster (and a line in PGPASSFILE): `psql -p <port>` reaches another one.
    ...(servers.length > 1
      ? servers.map(
          ({ name, postgres: cluster }) =>
            `# server ${name}: psql -h ${cluster.host} -p ${cluster.port} -U ${shellQuote(cluster.user)} -d postgres`,
        )
      : []),
    // The engine writes each stack's Pulumi.<stack>.yaml next to the Pulumi.yaml it runs: tenantctl and pulumi run in
    // the sandbox's copy of the project, so nothing is written into the repository.
    `export ${SANDBOX_PROJECT_ENV}=${shellQuote(project)} TENANTCTL_DIR=${shellQuote(tenantsDir)}`,
    `pulumi() { command pulumi -C "$${SANDBOX_PROJECT_ENV}" "$@"; }`,
  ];
  return `${lines.join("\n")}\n`;
}
