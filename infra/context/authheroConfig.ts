/**
 * How a deployment reaches AuthHero's Management API: stack config `tenantctl:authhero` = `{url, clientId,
 * clientSecret}` (the secret set with `pulumi config set --secret --path tenantctl:authhero.clientSecret …`), or the
 * environment `TENANTCTL_AUTHHERO_URL`, `TENANTCTL_AUTHHERO_CLIENT_ID`, `TENANTCTL_AUTHHERO_CLIENT_SECRET`; the
 * environment wins, field by field. The client is a machine-to-machine client of AuthHero's control-plane tenant with
 * a grant for `urn:authhero:management`. Pure (no @pulumi): program.ts reads the values once; the deployment context
 * turns the result into a Pulumi secret. No message ever quotes the secret.
 */
import { SetupError } from "../../src/core/errors";
import type { AuthHeroConnection } from "../dynamic/authhero/connection";

export const AUTHHERO_ENV = {
  url: "TENANTCTL_AUTHHERO_URL",
  clientId: "TENANTCTL_AUTHHERO_CLIENT_ID",
  clientSecret: "TENANTCTL_AUTHHERO_CLIENT_SECRET",
} as const;

/** What a deployment was given for AuthHero, before resolution. */
export interface AuthHeroSettings {
  /** `tenantctl:authhero`, as the stack config holds it (checked here, not trusted). */
  readonly config: unknown;
  /** The three TENANTCTL_AUTHHERO_* variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const FIELDS = ["url", "clientId", "clientSecret"] as const;

function configEntry(config: unknown): Partial<Record<(typeof FIELDS)[number], string>> {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new SetupError(
      "tenantctl:authhero must be an object {url, clientId, clientSecret}: `pulumi config set --path tenantctl:authhero.url https://auth.example.com`.",
    );
  }
  const entry: Partial<Record<(typeof FIELDS)[number], string>> = {};
  for (const [field, value] of Object.entries(config)) {
    if (!(FIELDS as readonly string[]).includes(field))
      throw new SetupError(`tenantctl:authhero: unknown field "${field}"; fields are ${FIELDS.join(", ")}.`);
    if (typeof value !== "string")
      throw new SetupError(
        `tenantctl:authhero.${field} must be a string, not ${value === null ? "null" : typeof value}.`,
      );
    entry[field as (typeof FIELDS)[number]] = value;
  }
  return entry;
}

/** Applies the precedence; throws a SetupError naming what is missing and how to set it. */
export function resolveAuthHero(settings: AuthHeroSettings): AuthHeroConnection {
  const fromConfig = configEntry(settings.config);
  const value = (field: (typeof FIELDS)[number]) => {
    const fromEnv = settings.env[AUTHHERO_ENV[field]];
    return fromEnv !== undefined && fromEnv !== "" ? fromEnv : fromConfig[field];
  };
  const missing = FIELDS.filter((field) => !value(field));
  if (missing.length > 0) {
    const how = missing
      .map(
        (field) =>
          `\`pulumi config set${field === "clientSecret" ? " --secret" : ""} --path tenantctl:authhero.${field} …\` or ${AUTHHERO_ENV[field]}`,
      )
      .join("; ");
    throw new SetupError(`auth.provider is authhero, but no AuthHero ${missing.join(", ")} is configured: set ${how}.`);
  }
  const url = value("url")!;
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new SetupError(
      `AuthHero url "${url}" (tenantctl:authhero.url / ${AUTHHERO_ENV.url}) is not an http(s) URL: use the server's base URL, e.g. https://auth.example.com.`,
    );
  }
  return { url: url.replace(/\/+$/, ""), clientId: value("clientId")!, clientSecret: value("clientSecret")! };
}
