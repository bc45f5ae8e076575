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

/** A fully qualified domain name; compared case-insensitively and without its trailing dot. */
export function isHostname(value: string): boolean {
  const name = value.replace(/\.$/, "");
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  const topLevel = labels[labels.length - 1]!;
  // A top-level domain has two characters or more and is not all digits (ACM's DomainNameString pattern says the same).
  return (
    labels.length >= 2 &&
    labels.every((label) => FQDN_LABEL.test(label)) &&
    topLevel.length >= 2 &&
    !/^\d+$/.test(topLevel)
  );
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
  .refine(isHostname, { message: "not a valid fully qualified hostname (`app.example.com`)" })
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
    dns: z.strictObject({ provider: z.enum(["cloudflare", "route53"]), zone: hostname }),
    tls: z.strictObject({ provider: z.enum(["cloudflare", "acm"]) }),
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
