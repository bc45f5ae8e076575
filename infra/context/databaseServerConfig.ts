/**
 * How a deployment reaches its database servers as an administrator: stack config `tenantctl:databaseServers` and
 * the environment, checked with zod and resolved field by field. Pure (no @pulumi): program.ts reads the values once,
 * the offline plan passes placeholders, and the tests call these directly.
 *
 * The template (`database.servers`) names the servers and says where they are; it never holds credentials, because
 * it lives in git. The admin credentials, and optionally a different address (a tunnel, a test server on 127.0.0.1),
 * come from Pulumi config `tenantctl:databaseServers`, an object keyed by server name:
 *
 * ```sh
 * pulumi config set --path --secret 'tenantctl:databaseServers.primary.password' '...'
 * pulumi config set --path 'tenantctl:databaseServers.primary.username' tenantctl_admin
 * pulumi config set --path 'tenantctl:databaseServers.primary.port' 6543    # optional override
 * ```
 *
 * or, without any stack config file (the sandbox, the end-to-end tests, a CI job that holds the credentials in its own
 * secret store), from the environment variable `TENANTCTL_DATABASE_SERVERS`: JSON of the same shape.
 *
 * Precedence, field by field: `TENANTCTL_DATABASE_SERVERS` entry > config entry > environment (`PGUSER`, `PGPASSWORD`,
 * `PGSSLMODE`, the libpq names every PostgreSQL tool already honours) > template (host, port) > built-in default
 * (sslmode `require`, superuser `true`). Missing credentials are an error that names the config key to set. No error
 * message ever quotes a password, or the text that holds one.
 */
import { z } from "zod";
import { SetupError } from "../../src/core/errors";
import type { DatabaseServer } from "../../src/core/model";
import { didYouMean } from "../../src/core/suggest";

/** How the admin connection negotiates TLS; the libpq names, restricted to those node-postgres can honour. */
export const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** One entry of `tenantctl:databaseServers` (or of `TENANTCTL_DATABASE_SERVERS`). */
export const databaseServerConfigSchema = z.strictObject({
  /** @default the template's `database.servers.<name>.host` */
  host: z.string().min(1).optional(),
  /** @default the template's `database.servers.<name>.port` */
  port: z.number().int().min(1).max(65535).optional(),
  /** @default env PGUSER */
  username: z.string().min(1).optional(),
  /** @default env PGPASSWORD */
  password: z.string().optional(),
  /** @default env PGSSLMODE, else "require" */
  sslmode: z.enum(SSL_MODES).optional(),
  /**
   * Whether `username` is a PostgreSQL superuser. Set it to false on managed services (RDS, Cloud SQL), so the
   * provider grants itself membership in a role before acting for it instead of assuming it can.
   * @default true
   */
  superuser: z.boolean().optional(),
});
export type DatabaseServerConfig = z.infer<typeof databaseServerConfigSchema>;

const FIELDS = Object.keys(databaseServerConfigSchema.shape);

/** The resolved admin connection of one server, password in clear: only pure code and the provider see this shape. */
export interface ResolvedDatabaseServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly sslmode: SslMode;
  readonly superuser: boolean;
}

/** The environment variable holding server entries as JSON; see the module comment for the precedence. */
export const DATABASE_SERVERS_ENV = "TENANTCTL_DATABASE_SERVERS";

/** What a deployment was given for its database servers, before resolution: config entries and the environment. */
export interface DatabaseServerSettings {
  /** `tenantctl:databaseServers`, as the stack config holds it (checked here, not trusted). */
  readonly config: unknown;
  /** TENANTCTL_DATABASE_SERVERS, PGUSER, PGPASSWORD, PGSSLMODE (adminCredentialsEnv). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Of an environment, the variables the admin credentials come from (and only those: nothing else is handed on). */
export function adminCredentialsEnv(env: Readonly<Record<string, string | undefined>>): DatabaseServerSettings["env"] {
  return {
    [DATABASE_SERVERS_ENV]: env[DATABASE_SERVERS_ENV],
    PGUSER: env["PGUSER"],
    PGPASSWORD: env["PGPASSWORD"],
    PGSSLMODE: env["PGSSLMODE"],
  };
}

/**
 * Parses `TENANTCTL_DATABASE_SERVERS`; an unset or empty variable is `{}`. Throws a SetupError naming the variable,
 * the server and the field at fault, and never quoting the text (it holds passwords): not even the snippet that
 * `JSON.parse`'s own message would show.
 */
export function databaseServersFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, DatabaseServerConfig>> {
  const text = env[DATABASE_SERVERS_ENV];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SetupError(
      `${DATABASE_SERVERS_ENV} is not valid JSON: set it to an object keyed by server name, e.g. {"primary": {"username": "...", "password": "..."}}.`,
    );
  }
  return parseEntries(
    DATABASE_SERVERS_ENV,
    parsed,
    'must be a JSON object keyed by server name, e.g. {"primary": {...}}.',
  );
}

/** Checks `tenantctl:databaseServers` as the stack config holds it; absent is `{}`. */
export function databaseServersFromConfig(config: unknown): Readonly<Record<string, DatabaseServerConfig>> {
  if (config === undefined || config === null) return {};
  return parseEntries(
    "tenantctl:databaseServers",
    config,
    "must be an object keyed by server name (`pulumi config set --path 'tenantctl:databaseServers.primary.username' ...`).",
  );
}

function parseEntries(source: string, value: unknown, shapeFix: string): Record<string, DatabaseServerConfig> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SetupError(`${source} ${shapeFix}`);
  const servers: Record<string, DatabaseServerConfig> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw new SetupError(`${source}: the entry of server "${name}" must be an object.`);
    const result = databaseServerConfigSchema.safeParse(entry);
    if (!result.success)
      throw new SetupError(
        result.error.issues
          .map((issue) => describeIssue(source, name, entry as Record<string, unknown>, issue))
          .join(" "),
      );
    servers[name] = result.data;
  }
  return servers;
}

/** One zod issue as a sentence: the field and what it must be; a value is quoted only when it cannot be a secret. */
function describeIssue(
  source: string,
  server: string,
  entry: Record<string, unknown>,
  issue: z.core.$ZodIssue,
): string {
  const where = `database server "${server}" (${source})`;
  if (issue.code === "unrecognized_keys") {
    const field = issue.keys[0]!;
    // `user` and `pass` are what libpq and most URLs call them.
    const prefixed = FIELDS.find((known) => field.length >= 4 && known.startsWith(field));
    const hint = didYouMean(field, FIELDS) ?? (prefixed ? `did you mean \`${prefixed}\`?` : undefined);
    return `${source}: unknown field "${field}" for server "${server}"${hint ? ` (${hint})` : ""}; fields are ${FIELDS.join(", ")}.`;
  }
  const field = String(issue.path[0]);
  const value = entry[field];
  if (field === "sslmode" && typeof value === "string")
    return `Unsupported sslmode "${value}" for ${where}; use one of ${SSL_MODES.join(", ")}.`;
  if (field === "port" && typeof value === "number")
    return `Invalid port ${value} for ${where}; use a number between 1 and 65535.`;
  const expected =
    {
      host: "a non-empty string",
      port: "a number",
      username: "a non-empty string",
      password: "a string",
      sslmode: "a string",
      superuser: "a boolean",
    }[field] ?? "valid";
  return `${source}: "${server}.${field}" must be ${expected}, not ${value === null ? "null" : typeof value}.`;
}

/**
 * Applies the precedence above. Throws a SetupError whose message names the missing setting and how to set it.
 */
export function resolveDatabaseServer(
  server: DatabaseServer,
  settings: DatabaseServerSettings,
): ResolvedDatabaseServer {
  const key = `tenantctl:databaseServers.${server.name}`;
  const { env } = settings;
  const config: DatabaseServerConfig = {
    ...databaseServersFromConfig(settings.config)[server.name],
    ...databaseServersFromEnv(env)[server.name],
  };
  const username = config.username ?? env["PGUSER"];
  const password = config.password ?? env["PGPASSWORD"];
  if (!username) {
    throw new SetupError(
      `No admin user for database server "${server.name}": set \`pulumi config set --path '${key}.username' <user>\`, or "username" in ${DATABASE_SERVERS_ENV}, or env PGUSER.`,
    );
  }
  if (password === undefined) {
    throw new SetupError(
      `No admin password for database server "${server.name}": set \`pulumi config set --path --secret '${key}.password' <password>\`, or "password" in ${DATABASE_SERVERS_ENV}, or env PGPASSWORD.`,
    );
  }
  const sslmode = config.sslmode ?? env["PGSSLMODE"] ?? "require";
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new SetupError(
      `Unsupported sslmode "${sslmode}" for database server "${server.name}" (PGSSLMODE); use one of ${SSL_MODES.join(", ")}.`,
    );
  }
  return {
    name: server.name,
    host: config.host ?? server.host,
    port: config.port ?? server.port,
    username,
    password,
    sslmode: sslmode as SslMode,
    superuser: config.superuser ?? true,
  };
}
