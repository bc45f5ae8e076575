import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { admissionOf, type Refusal, unknownHost } from "./admission";
import { type AccessClaims, authorize } from "./claims";
import { hostnameOf } from "./hostname";
import type { Registry } from "./registry";
import { readSettings } from "./settings";
import type { TenantData } from "./tenantData";
import type { Tenant } from "./tenant";
import type { TokenVerifier } from "./tokens";
import { countUsers, createUser } from "./users";

declare module "fastify" {
  interface FastifyRequest {
    /** The admitted tenant of this request (set by the onRequest hook before any route runs). */
    tenant: Tenant;
  }
}

export interface AppParts {
  readonly registry: Pick<Registry, "tenantByHostname">;
  readonly data: TenantData;
  /** Absent when no auth issuer is configured: the endpoints that need a token answer 503. */
  readonly tokens?: TokenVerifier;
}

function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  return reply.code(refusal.statusCode).send({ error: refusal.error, message: refusal.message });
}

/**
 * The example app: every request is first routed by its `Host` to a tenant of the registry and admitted by that
 * tenant's status; then each route says which permission it needs, and reads or writes the tenant's own data as the
 * tenant's role.
 */
export function buildApp(parts: AppParts): FastifyInstance {
  const app = Fastify({ logger: false });
  app.decorateRequest("tenant", undefined as unknown as Tenant);

  app.addHook("onRequest", async (request, reply) => {
    const hostname = hostnameOf(request.headers.host);
    const tenant = hostname ? await parts.registry.tenantByHostname(hostname) : undefined;
    if (!tenant) return refuse(reply, unknownHost(hostname));
    const refusal = admissionOf(tenant);
    if (refusal) return refuse(reply, refusal);
    request.tenant = tenant;
  });

  /** A preHandler that lets the request through only with a valid token of the tenant's organization granting `permission`. */
  const requires = (permission: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!parts.tokens)
      return refuse(reply, {
        statusCode: 503,
        error: "auth_not_configured",
        message: "This app has no auth issuer: set TENANTCTL_AUTH_ISSUER and TENANTCTL_AUTH_AUDIENCE.",
      });
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (!match?.[1]) {
      reply.header("www-authenticate", 'Bearer error="invalid_request"');
      return refuse(reply, {
        statusCode: 401,
        error: "missing_token",
        message: "Send `Authorization: Bearer <access token>`.",
      });
    }
    let claims: AccessClaims;
    try {
      claims = await parts.tokens.verify(match[1]);
    } catch (error) {
      reply.header("www-authenticate", 'Bearer error="invalid_token"');
      return refuse(reply, {
        statusCode: 401,
        error: "invalid_token",
        message: `The token is not valid: ${(error as Error).message}`,
      });
    }
    const refusal = authorize(claims, request.tenant, permission);
    if (refusal) return refuse(reply, refusal);
  };

  app.get("/", async (request) => {
    const { slug, name, status, plan, limits } = request.tenant;
    return { tenant: slug, name, status, plan, limits };
  });

  app.get("/settings", { preHandler: requires("read:data") }, async (request) => {
    const settings = await parts.data.asTenant(request.tenant, readSettings);
    return { tenant: request.tenant.slug, settings };
  });

  app.get("/users", { preHandler: requires("read:data") }, async (request) => {
    const count = await parts.data.asTenant(request.tenant, countUsers);
    return { tenant: request.tenant.slug, count, limit: request.tenant.limits.users ?? null };
  });

  app.post<{ Body: { email: string } }>(
    "/users",
    {
      preHandler: requires("manage:users"),
      schema: {
        body: {
          type: "object",
          required: ["email"],
          additionalProperties: false,
          properties: { email: { type: "string", minLength: 3, maxLength: 254 } },
        },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant;
      const limit = typeof tenant.limits.users === "number" ? tenant.limits.users : undefined;
      const outcome = await parts.data.asTenant(tenant, (client, schema) =>
        createUser(client, schema, request.body.email, limit),
      );
      if ("limitReached" in outcome)
        return refuse(reply, {
          statusCode: 403,
          error: "users_limit_reached",
          message: `Tenant "${tenant.slug}" has ${outcome.limitReached.count} users, the limit of its plan "${tenant.plan}" (limits.users: ${outcome.limitReached.limit}).`,
        });
      if ("exists" in outcome)
        return refuse(reply, {
          statusCode: 409,
          error: "user_exists",
          message: `"${outcome.exists}" is already a user.`,
        });
      return reply.code(201).send({ tenant: tenant.slug, user: outcome.created });
    },
  );

  // A failure of ours (the registry or the tenant's database unreachable) is logged here and answered without its
  // details; what the client got wrong (a 4xx of Fastify's own validation) keeps its message.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const statusCode = error.statusCode ?? 500;
    if (statusCode < 500) return reply.code(statusCode).send({ error: "bad_request", message: error.message });
    console.error(`examples/app: ${request.method} ${request.url} (${request.headers.host}): ${error.stack ?? error}`);
    return reply.code(500).send({ error: "internal_error", message: "The request failed; see the app's log." });
  });

  return app;
}
