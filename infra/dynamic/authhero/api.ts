/**
 * AuthHero's Management API v2, as the dynamic providers call it: a client-credentials token per connection,
 * cached and refreshed before it expires (and once more when the server rejects it), 429 and 5xx retried with
 * bounded exponential backoff and jitter, and every other failure one message naming the tenant, the entity and the
 * server's answer. Never a secret in a message.
 *
 * A self-contained factory: its source travels in state with the providers (see ../prebuilt.ts), so it may refer to
 * nothing outside itself but globals (`fetch`, `setTimeout`).
 */
import type { AuthHeroConnection } from "./connection";

/** Who is asking, for messages: the stack's tenant (or `control-plane`) and the entity (`role "acme:auditor"`). */
export interface CallContext {
  readonly tenant: string;
  readonly entity: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface RequestOptions {
  /** Statuses that are an answer rather than a failure (404 for a read, say). @default none beyond 2xx */
  readonly accept?: readonly number[];
  /** What the call was for, in the message of a failure: `create it`, `read it`. */
  readonly doing: string;
}

export function authheroApi() {
  /** The audience of AuthHero's own Management API. */
  const MANAGEMENT_AUDIENCE = "urn:authhero:management";
  /** Attempts for 429, 5xx and unreachable servers, in all; the waits double from BASE_DELAY_MS up to MAX_DELAY_MS. */
  const MAX_ATTEMPTS = 5;
  const BASE_DELAY_MS = 200;
  const MAX_DELAY_MS = 5_000;
  /** Refresh a token this long before AuthHero says it expires (a fifth of its lifetime, for short-lived ones). */
  const REFRESH_MARGIN_MS = 60_000;

  interface CachedToken {
    readonly accessToken: string;
    readonly refreshAt: number;
  }
  /** One token per server and client, for every resource of the provider process. */
  const tokens = new Map<string, Promise<CachedToken>>();
  /** How many tokens were fetched: the tests check that a cached token is reused. */
  const counters = { tokenRequests: 0 };

  class AuthHeroApiError extends Error {
    constructor(
      message: string,
      readonly status?: number,
    ) {
      super(message);
      this.name = "AuthHeroApiError";
    }
  }

  function baseUrl(connection: AuthHeroConnection): string {
    return connection.url.replace(/\/+$/, "");
  }

  function where(connection: AuthHeroConnection, context: CallContext): string {
    return `AuthHero ${baseUrl(connection)}, tenant "${context.tenant}", ${context.entity}`;
  }

  /** The server's answer in a few words: its `message` (and error code) when it sent JSON, else its text. */
  function answerText(status: number, body: unknown): string {
    let text: string;
    if (body !== null && typeof body === "object") {
      const fields = body as { message?: unknown; error?: unknown; errorCode?: unknown; error_description?: unknown };
      const message = fields.message ?? fields.error_description ?? fields.error;
      text = typeof message === "string" ? message : JSON.stringify(body);
      if (typeof fields.errorCode === "string") text += ` (${fields.errorCode})`;
    } else {
      text = String(body ?? "").trim();
    }
    if (text.length > 300) text = `${text.slice(0, 300)}…`;
    return `${status}${text ? `: ${text}` : ""}`;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Exponential backoff with jitter (half to all of the doubled wait), never below what Retry-After asks, capped. */
  function backoff(attempt: number, retryAfter: string | null): number {
    const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    const asked = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 0;
    return Math.min(MAX_DELAY_MS, Math.max(jittered, asked));
  }

  function retryable(status: number): boolean {
    return status === 429 || status >= 500;
  }

  async function parseBody(response: Response): Promise<unknown> {
    const text = await response.text();
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  /**
   * One HTTP exchange, retried while the server is busy (429), failing (5xx) or unreachable. Resolves with the last
   * answer, whatever its status; rejects only when the server could not be reached at all.
   */
  async function exchange(url: string, init: RequestInit, describe: () => string): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          const reason = cause?.code ?? cause?.message ?? (error as Error).message;
          throw new AuthHeroApiError(
            `${describe()}: the server could not be reached after ${attempt} attempts (${reason}): check tenantctl:authhero.url / TENANTCTL_AUTHHERO_URL and that AuthHero is running.`,
          );
        }
        await sleep(backoff(attempt, null));
        continue;
      }
      if (retryable(response.status) && attempt < MAX_ATTEMPTS) {
        await response.text().catch(() => undefined);
        await sleep(backoff(attempt, response.headers.get("retry-after")));
        continue;
      }
      return { status: response.status, body: await parseBody(response) };
    }
  }

  async function fetchToken(connection: AuthHeroConnection, context: CallContext): Promise<CachedToken> {
    counters.tokenRequests++;
    const answer = await exchange(
      `${baseUrl(connection)}/oauth/token`,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          grant_type: "client_credentials",
          client_id: connection.clientId,
          client_secret: connection.clientSecret,
          audience: MANAGEMENT_AUDIENCE,
        }),
      },
      () => `${where(connection, context)}: getting a Management API token`,
    );
    const body = (answer.body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (answer.status !== 200 || typeof body.access_token !== "string") {
      throw new AuthHeroApiError(
        `${where(connection, context)}: AuthHero refused a Management API token for client "${connection.clientId}" (${answerText(answer.status, answer.body)}): ` +
          "check tenantctl:authhero (clientId, clientSecret) or TENANTCTL_AUTHHERO_CLIENT_ID / TENANTCTL_AUTHHERO_CLIENT_SECRET, and that the client has a grant for urn:authhero:management.",
        answer.status,
      );
    }
    const lifetimeMs = (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5);
    return { accessToken: body.access_token, refreshAt: Date.now() + lifetimeMs - margin };
  }

  /** A valid token for `connection`: the cached one until its refresh time, else a new one. */
  async function token(connection: AuthHeroConnection, context: CallContext, force = false): Promise<string> {
    const key = `${baseUrl(connection)}\n${connection.clientId}\n${connection.clientSecret}`;
    const cached = tokens.get(key);
    if (cached && !force) {
      const current = await cached.catch(() => undefined);
      if (current && Date.now() < current.refreshAt) return current.accessToken;
    }
    const fresh = fetchToken(connection, context);
    tokens.set(key, fresh);
    fresh.catch(() => tokens.delete(key));
    return (await fresh).accessToken;
  }

  /**
   * AuthHero answers an expired (or otherwise stale) token with 403 "Invalid JWT signature" or "Invalid token",
   * where Auth0 says 401: both mean "get a new token", once.
   */
  function tokenRejected(answer: ApiResponse): boolean {
    if (answer.status === 401) return true;
    if (answer.status !== 403) return false;
    const message = String((answer.body as { message?: unknown } | undefined)?.message ?? answer.body ?? "");
    return /invalid jwt|invalid token|jwt expired|token expired/i.test(message);
  }

  /** Calls the Management API: `path` is under /api/v2. Rejects with one message for any answer not accepted. */
  async function call(
    connection: AuthHeroConnection,
    context: CallContext,
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
  ): Promise<ApiResponse> {
    const url = `${baseUrl(connection)}/api/v2${path}`;
    const send = async (accessToken: string) =>
      exchange(
        url,
        {
          method,
          headers: {
            authorization: `Bearer ${accessToken}`,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        () => `${where(connection, context)}: could not ${options.doing}: ${method} /api/v2${path}`,
      );
    let answer = await send(await token(connection, context));
    if (tokenRejected(answer)) answer = await send(await token(connection, context, true));
    if ((answer.status >= 200 && answer.status < 300) || (options.accept ?? []).includes(answer.status)) return answer;
    throw new AuthHeroApiError(
      `${where(connection, context)}: could not ${options.doing}: ${method} /api/v2${path} answered ${answerText(answer.status, answer.body)}`,
      answer.status,
    );
  }

  /** Every item of a paged list (`?page=&per_page=`); AuthHero answers a plain array when totals are not asked for. */
  async function listAll<T>(
    connection: AuthHeroConnection,
    context: CallContext,
    path: string,
    field: string,
    doing: string,
  ): Promise<T[]> {
    const perPage = 100;
    const items: T[] = [];
    for (let page = 0; page < 1000; page++) {
      const separator = path.includes("?") ? "&" : "?";
      const answer = await call(
        connection,
        context,
        "GET",
        `${path}${separator}page=${page}&per_page=${perPage}`,
        undefined,
        { doing },
      );
      const body = answer.body as T[] | Record<string, T[]> | undefined;
      const batch = Array.isArray(body) ? body : ((body?.[field] ?? []) as T[]);
      items.push(...batch);
      if (batch.length < perPage) break;
    }
    return items;
  }

  return { MANAGEMENT_AUDIENCE, AuthHeroApiError, call, listAll, token, counters, answerText };
}

export type AuthHeroApi = ReturnType<typeof authheroApi>;
