/**
 * The zod schemas of the two files users write. Strict: an unknown key is an error (with a suggestion),
 * because a typo that is silently ignored in an infrastructure file is a production incident later.
 * The JSON Schema files for editors are generated from these (see jsonSchema.ts), never written by hand.
 */
import { z } from "zod";
import {
  AUTH0_METADATA_VALUE_MAX_LENGTH,
  AUTH0_ORGANIZATION_DISPLAY_NAME_MAX_LENGTH,
  AUTH0_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH,
  AUTH0_RESOURCE_SERVER_NAME_MAX_LENGTH,
  AUTH0_SCOPE_MAX_LENGTH,
  POSTGRES_IDENTIFIER_MAX_BYTES,
  POSTGRES_INT4_MAX,
} from "../limits";
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from "../naming";

const FQDN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const DNS_LABEL_MAX_BYTES = 63;
const DNS_NAME_MAX_CHARACTERS = 253;

/** A fully qualified domain name; compared case-insensitively and without its trailing dot. */
export function isHostname(value: string): boolean {
  return hostnameProblem(value) === undefined;
}

/**
 * What a DNS server would refuse in `value` as a hostname, in words that say which label and why; undefined when it is
 * a fully qualified hostname (RFC 1035 lengths: 63 bytes a label, 253 characters a name; RFC 952/1123 characters).
 */
export function hostnameProblem(value: string): string | undefined {
  const name = value.replace(/\.$/, "");
  if (name.length === 0) return "an empty hostname";
  const labels = name.split(".");
  if (labels.some((label) => label.length === 0)) return "an empty label (two dots, or a leading dot)";
  const foreign = [...name].find((character) => !/[A-Za-z0-9.-]/.test(character));
  if (foreign !== undefined) {
    return foreign.charCodeAt(0) > 0x7f
      ? `\`${foreign}\` is not ASCII: write an internationalized name in its punycode form (\`xn--…\`)`
      : `\`${foreign}\` is not allowed: a hostname has letters, digits, inner hyphens and dots only`;
  }
  const long = labels.find((label) => label.length > DNS_LABEL_MAX_BYTES);
  if (long !== undefined)
    return `the label \`${long.slice(0, 20)}…\` has ${long.length} characters; a DNS label has at most ${DNS_LABEL_MAX_BYTES}`;
  if (name.length > DNS_NAME_MAX_CHARACTERS)
    return `${name.length} characters; a DNS name has at most ${DNS_NAME_MAX_CHARACTERS}`;
  const hyphened = labels.find((label) => !FQDN_LABEL.test(label));
  if (hyphened !== undefined) return `the label \`${hyphened}\` starts or ends with a hyphen`;
  if (labels.length < 2) return "a single label: a fully qualified hostname has a dot (`app.example.com`)";
  const topLevel = labels[labels.length - 1]!;
  // A top-level domain has two characters or more and is not all digits (ACM's DomainNameString pattern says the same).
  if (topLevel.length < 2 || /^\d+$/.test(topLevel))
    return `\`${topLevel}\` is not a top-level domain (two letters or more, not all digits)`;
  return undefined;
}

const slug = z
  .string()
  .max(SLUG_MAX_LENGTH, { message: `a slug has at most ${SLUG_MAX_LENGTH} characters` })
  .regex(SLUG_PATTERN, {
    message: "a slug is a lowercase DNS label: a letter first, then letters, digits or inner hyphens (`acme-corp`)",
  })
  .meta({
    description: "Lowercase DNS label; also the file name, the stack name and the base of the tenant's database names.",
  });

const hostname = z
  .string()
  .superRefine((value, context) => {
    const problem = hostnameProblem(value);
    if (problem) context.addIssue({ code: "custom", message: `not a valid fully qualified hostname: ${problem}` });
  })
  .meta({ description: "A fully qualified hostname, compared case-insensitively and without a trailing dot." });

const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { message: "a subdomain is one lowercase DNS label (`acme`)" });

const identifier = z
  .string()
  .max(POSTGRES_IDENTIFIER_MAX_BYTES)
  .regex(/^[a-z_][a-z0-9_]*$/, {
    message: "a PostgreSQL identifier: lowercase letters, digits and underscores, not starting with a digit",
  });

// PostgreSQL refuses extension names with `--` or a leading or trailing `-` (extension.c check_valid_extension_name).
const extensionName = z
  .string()
  .max(POSTGRES_IDENTIFIER_MAX_BYTES)
  .regex(/^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$/, { message: "an extension name such as `pg_trgm`" });
const positiveInt = z.number().int().positive();
const name = z.string().trim().min(1, { message: "must not be empty" });
/** The tenant's name is its organization's display name at the auth provider. */
const displayName = name.max(AUTH0_ORGANIZATION_DISPLAY_NAME_MAX_LENGTH);
/** Role permissions name scopes of the template's resource servers. */
const scope = z.string().min(1).max(AUTH0_SCOPE_MAX_LENGTH);
/** Plan names are written into each organization's metadata (`plan`). */
const planName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/)
  .max(AUTH0_METADATA_VALUE_MAX_LENGTH);

export const DNS_PROVIDERS = ["cloudflare", "route53", "powerdns"] as const;

/** A PowerDNS server's HTTP API; the API key is a secret (`tenantctl:powerdns.apiKey`), never in the files. */
const powerdnsServer = z
  .strictObject({
    apiUrl: z.string().regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
      message: "the base URL of PowerDNS's HTTP API (`http://pdns.internal.example.com:8081`)",
    }),
    serverId: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { message: "a PowerDNS server id (`localhost`)" })
      .optional()
      .meta({ description: "The `server_id` in the API's paths. Default: localhost." }),
  })
  .meta({ description: "For `provider: powerdns`: where its HTTP API is (`/api/v1` is added)." });

export const STATUSES = ["active", "suspended", "decommissioned"] as const;
export const ISOLATIONS = ["database", "schema"] as const;

const status = z.enum(STATUSES).meta({
  description: "active | suspended (logins disabled, data kept) | decommissioned (DNS/TLS removed, data kept)",
});

export const roleSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, { message: "a role name: lowercase letters, digits, `_` or `-`" }),
  description: name,
  permissions: z.array(scope).min(1, { message: "a role needs at least one permission" }),
});

const settingsTree = z.record(z.string(), z.json()).meta({
  description: "Free-form settings, seeded into the tenant's `tenant_settings` table. Keys must exist in the template.",
});

const limits = z.strictObject({
  users: positiveInt.optional(),
  dbConnections: positiveInt
    .max(POSTGRES_INT4_MAX)
    .optional()
    .meta({ description: "Connection limit of the tenant's database role." }),
});

const databaseLayer = z.strictObject({
  isolation: z
    .enum(ISOLATIONS)
    .optional()
    .meta({ description: "database: a database of its own; schema: a schema in the server's shared database." }),
  server: z.string().optional().meta({ description: "A key of `database.servers` in the template." }),
  extensions: z.array(extensionName).optional(),
});

const planSchema = z.strictObject({
  description: z.string().optional(),
  limits: limits.optional(),
  database: databaseLayer.optional(),
  settings: settingsTree.optional(),
});

const defaultsSchema = z.strictObject({
  plan: z.string().optional(),
  status: status.optional(),
  limits: limits.optional(),
  database: databaseLayer.optional(),
  settings: settingsTree.optional(),
});

/**
 * `acme`: the ingress gets each custom domain's certificate from an ACME CA on its first request, after asking the
 * registry whether the hostname belongs to a tenant (on-demand TLS); tenantctl reports what the ingress serves.
 */
const acmeTls = z
  .strictObject({
    directoryUrl: z
      .url({
        protocol: /^https?$/,
        message: "an ACME directory URL (`https://acme-v02.api.letsencrypt.org/directory`)",
      })
      .meta({ description: "The ACME CA's directory, which the ingress gets certificates from." }),
    ingressAddress: z
      .string()
      .regex(/^(\[[0-9a-f:.]+\]|[^\s:/[\]]+):[0-9]{1,5}$/i, {
        message: "host:port where the ingress serves TLS (`edge.example.com:443`)",
      })
      .optional()
      .meta({
        description:
          "Where tenantctl looks at the certificate the ingress serves for each custom domain. Default: `<platform.ingressHostname>:443`.",
      }),
  })
  .meta({ description: "Settings of `provider: acme`." });

const tlsSchema = z
  .strictObject({
    provider: z.enum(["cloudflare", "acm", "acme"]).meta({
      description:
        "cloudflare (Cloudflare for SaaS custom hostnames) | acm (AWS Certificate Manager) | acme (on-demand certificates at the ingress from an ACME CA)",
    }),
    acme: acmeTls.optional(),
  })
  .superRefine((tls, context) => {
    if (tls.provider === "acme" && tls.acme === undefined) {
      context.addIssue({
        code: "custom",
        path: ["provider"],
        message:
          "`provider: acme` needs `tls.acme.directoryUrl`: the ACME CA the ingress gets certificates from (`https://acme-v02.api.letsencrypt.org/directory`)",
      });
    }
    if (tls.provider !== "acme" && tls.acme !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["acme"],
        message: `\`tls.acme\` is read only with \`provider: acme\`, not \`${tls.provider}\`: remove it or set \`provider: acme\``,
      });
    }
  });

export const tenantSchema = z
  .strictObject({
    slug,
    name: displayName,
    plan: z.string().optional().meta({ description: "A key of `plans` in the template." }),
    status: status.optional(),
    limits: limits.optional(),
    domains: z
      .strictObject({
        subdomain: dnsLabel
          .optional()
          .meta({ description: "Tenant gets <subdomain>.<platform.baseDomain>. Default: the slug." }),
        custom: z.array(z.strictObject({ hostname })).optional(),
      })
      .optional(),
    database: databaseLayer.optional(),
    auth: z.strictObject({ roles: z.array(roleSchema).optional() }).optional(),
    settings: settingsTree.optional(),
    rollout: z
      .strictObject({
        group: z
          .string()
          .regex(/^[a-z][a-z0-9_-]*$/, { message: "a rollout group name such as `canary`" })
          .meta({ description: "A group `--waves` can name (`--waves canary,25%,100%`)." }),
      })
      .optional(),
  })
  .meta({
    title: "tenantctl tenant",
    description: "One customer tenant. Holds only what differs from the control-plane template.",
  });

export const controlPlaneSchema = z
  .strictObject({
    platform: z.strictObject({ baseDomain: hostname, ingressHostname: hostname }),
    dns: z.strictObject({
      provider: z.enum(DNS_PROVIDERS),
      zone: hostname,
      powerdns: powerdnsServer.optional(),
    }),
    tls: tlsSchema,
    database: z.strictObject({
      servers: z.record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/),
        z.strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).optional(),
          sharedDatabase: identifier.meta({
            description: "Database holding one schema per tenant with `isolation: schema`.",
          }),
          maxConnections: positiveInt
            .optional()
            .meta({ description: "Refuse a fleet whose tenants' connection limits add up to more." }),
        }),
      ),
    }),
    auth: z.strictObject({
      provider: z.enum(["auth0", "authhero"]),
      resourceServers: z.array(
        z.strictObject({
          identifier: z.string().min(1).max(AUTH0_RESOURCE_SERVER_IDENTIFIER_MAX_LENGTH),
          name: name
            .max(AUTH0_RESOURCE_SERVER_NAME_MAX_LENGTH)
            .regex(/^[^<>]+$/, { message: "a resource server's name cannot contain `<` or `>`" }),
          scopes: z.array(scope),
        }),
      ),
      roles: z.array(roleSchema),
    }),
    plans: z.record(planName, planSchema),
    defaults: defaultsSchema,
    registry: z
      .strictObject({
        server: z
          .string()
          .optional()
          .meta({ description: "A key of `database.servers`. Default: `defaults.database.server`." }),
        database: identifier
          .optional()
          .meta({ description: "The registry's database (schema `tenantctl` in it). Default: `tenantctl`." }),
      })
      .optional()
      .meta({
        description:
          "Where the registry lives: tables `tenantctl.tenants` and `tenantctl.tenant_domains`, owned by the control-plane stack and written by each tenant stack.",
      }),
    locked: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: "Dotted keys only this template may set (`settings.security.mfa`)." }),
    migrations: z
      .strictObject({
        dir: z.string().min(1).optional().meta({
          description:
            "The folder of ordered SQL migrations (`0001_<name>.sql`), relative to the directory that holds the tenants directory. Default: `migrations`.",
        }),
      })
      .optional(),
    seedOnly: z
      .array(z.string().regex(/^settings(\.|$)/, { message: "seed-only keys are settings: `settings.branding`" }))
      .optional()
      .meta({
        description: "Settings written once into a tenant; the tenant's later changes are kept and are not drift.",
      }),
  })
  .meta({
    title: "tenantctl control plane",
    description: "The template every tenant inherits from: defaults < plans.<plan> < tenant.",
  });

export type TenantFile = z.infer<typeof tenantSchema>;
export type ControlPlaneFile = z.infer<typeof controlPlaneSchema>;
