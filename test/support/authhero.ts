/**
 * The real AuthHero server for integration and e2e tests (src/sandbox/authhero.ts starts it), a Management API
 * client for making changes "by hand" as a person in the admin UI would, and a tiny HTTP proxy in front of the server
 * that can answer some requests itself: the real server has no rate limiting and never fails on purpose, so 429,
 * 5xx and a rejected token are injected there, at the lowest layer; everything else reaches the real server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type RunningAuthHero, startAuthHero } from "../../src/sandbox/authhero";
import type { AuthHeroConnection } from "../../infra/dynamic/authhero/connection";

export const REPO_ROOT = join(__dirname, "..", "..");

export function startTestAuthHero(): Promise<RunningAuthHero> {
  return startAuthHero(REPO_ROOT);
}

export function connectionOf(server: Pick<RunningAuthHero, "url" | "clientId" | "clientSecret">): AuthHeroConnection {
  return { url: server.url, clientId: server.clientId, clientSecret: server.clientSecret };
}

/** Calls the Management API directly, as a person would: for the changes behind the tool's back, and for checks. */
export class ManagementClient {
  private accessToken?: string;

  constructor(private readonly connection: AuthHeroConnection) {}

  async token(): Promise<string> {
    if (this.accessToken) return this.accessToken;
    const response = await fetch(`${this.connection.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: this.connection.clientId,
        client_secret: this.connection.clientSecret,
        audience: "urn:authhero:management",
      }),
    });
    const body = (await response.json()) as { access_token: string };
    this.accessToken = body.access_token;
    return this.accessToken;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const send = async () =>
      fetch(`${this.connection.url}/api/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.token()}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A test that blocked its event loop (execFileSync of a tenantctl run) may come back to a kept-alive socket the
    // server closed meanwhile: that one failure is the client's, so the request is sent once more on a new socket.
    const response = await send().catch(send);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text ("OK")
    }
    return { status: response.status, body: parsed as T };
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async roles(): Promise<{ id: string; name: string; description?: string }[]> {
    return this.json("GET", "/roles?per_page=100");
  }

  async organizations(): Promise<
    { id: string; name: string; display_name: string; metadata: Record<string, string> }[]
  > {
    return this.json("GET", "/organizations?per_page=100");
  }

  async resourceServers(): Promise<
    { id: string; identifier: string; name: string; scopes?: { value: string }[]; token_lifetime?: number }[]
  > {
    return this.json("GET", "/resource-servers?per_page=100");
  }

  async rolePermissions(id: string): Promise<{ permission_name: string; resource_server_identifier: string }[]> {
    return this.json("GET", `/roles/${id}/permissions?per_page=100`);
  }
}

/** An answer the proxy gives instead of forwarding. */
export interface InjectedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The proxy answered it itself. */
  readonly injected: boolean;
}

/**
 * A proxy in front of `target`. `inject(match, answers)` queues answers for the next requests whose "METHOD path"
 * matches; the rest are forwarded unchanged. `requests` records every request in order.
 */
export class AuthHeroProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: { match: RegExp; answer: InjectedAnswer }[] = [];
  private server?: Server;
  url = "";

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  inject(match: RegExp, ...answers: InjectedAnswer[]): void {
    for (const answer of answers) this.queue.push({ match, answer });
  }

  /** Requests that reached the token endpoint. */
  tokenRequests(): number {
    return this.requests.filter((request) => request.path === "/oauth/token").length;
  }

  clear(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? "/";
    const line = `${request.method} ${path}`;
    const index = this.queue.findIndex((entry) => entry.match.test(line));
    if (index >= 0) {
      const { answer } = this.queue.splice(index, 1)[0]!;
      this.requests.push({ method: request.method ?? "", path: path.split("?")[0]!, injected: true });
      const text =
        answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status, {
        "content-type": typeof answer.body === "string" ? "text/plain" : "application/json",
        ...answer.headers,
      });
      response.end(text);
      return;
    }
    this.requests.push({ method: request.method ?? "", path: path.split("?")[0]!, injected: false });
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([key]) => !["host", "connection", "content-length"].includes(key)) as [
        string,
        string,
      ][],
    );
    const upstream = await fetch(`${this.target}${path}`, {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/octet-stream",
    });
    response.end(body);
  }
}
