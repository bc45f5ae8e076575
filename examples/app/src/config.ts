import type { AuthSettings } from "./tokens";

/** Everything the app reads from its environment: the registry, the runtime login, the auth issuer, where to listen. */
export interface AppConfig {
  /** `TENANTCTL_REGISTRY_URL`: postgres:// as `tenantctl_registry_reader`. */
  readonly registryUrl: string;
  /** `TENANTCTL_RUNTIME_CREDENTIALS_FILE`: `{"user": "tenantctl_runtime", "passwords": [...]}`. */
  readonly runtimeCredentialsFile: string;
  /** Absent: the endpoints that need a token answer 503 (a sandbox without `--auth authhero`). */
  readonly auth?: AuthSettings;
  readonly host: string;
  readonly port: number;
}

/**
 * Reads the configuration, or throws one message naming every variable that is missing or wrong. The issuer is
 * `TENANTCTL_AUTH_ISSUER`, or AuthHero's URL from the sandbox's env.sh (`TENANTCTL_AUTHHERO_URL`), which is the same.
 */
export function configFrom(env: NodeJS.ProcessEnv): AppConfig {
  const problems: string[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set: ${hint}`);
    return value ?? "";
  };
  const registryUrl = required("TENANTCTL_REGISTRY_URL", "source .tenantctl/sandbox/env.sh, or set the reader's URL");
  const runtimeCredentialsFile = required(
    "TENANTCTL_RUNTIME_CREDENTIALS_FILE",
    "source .tenantctl/sandbox/env.sh, or name the runtime role's credentials file",
  );
  const issuer =
    env.TENANTCTL_AUTH_ISSUER ?? (env.TENANTCTL_AUTHHERO_URL ? `${env.TENANTCTL_AUTHHERO_URL}/` : undefined);
  const audience = env.TENANTCTL_AUTH_AUDIENCE;
  if (issuer && !audience)
    problems.push("TENANTCTL_AUTH_AUDIENCE is not set: the resource server identifier, e.g. https://api.example.com");
  const port = Number(env.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT "${env.PORT}" is not a port number`);
  if (problems.length > 0) throw new Error(`examples/app: ${problems.join("; ")}.`);
  return {
    registryUrl,
    runtimeCredentialsFile,
    auth: issuer && audience ? { issuer: issuer.endsWith("/") ? issuer : `${issuer}/`, audience } : undefined,
    host: env.HOST ?? "127.0.0.1",
    port,
  };
}
