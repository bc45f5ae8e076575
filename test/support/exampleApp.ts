/**
 * The example app (examples/app) for integration and e2e tests: the registry's relations as the contract names them
 * (for tests that build a registry by hand), the app started as a user starts it (`node examples/app/start.js`, from
 * dist/: `npm run build` first), and requests to it with the Host header that picks the tenant.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { createInterface } from "node:readline";

/** `tenantctl.tenants` and `tenantctl.tenant_domains` with the columns of DESIGN.md "The registry". */
export const REGISTRY_DDL = `
  CREATE SCHEMA tenantctl;
  CREATE TABLE tenantctl.tenants (
    slug text PRIMARY KEY, name text NOT NULL, plan text NOT NULL, status text NOT NULL, limits jsonb NOT NULL,
    server text NOT NULL, host text NOT NULL, port integer NOT NULL, database text NOT NULL, schema text NOT NULL,
    role text NOT NULL, organization_id text, migration_version text, updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE tenantctl.tenant_domains (
    hostname text PRIMARY KEY, slug text NOT NULL REFERENCES tenantctl.tenants (slug) ON DELETE CASCADE,
    kind text NOT NULL, is_primary boolean NOT NULL, tls_status text, customer_records jsonb
  );`;

export interface RunningExampleApp {
  readonly url: string;
  /** Everything the app wrote on stderr so far (its error log). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts the app with a shell command line, in `cwd`, as a user types the sandbox's printed lines (e.g.
 * `. .tenantctl/sandbox/env.sh && exec env TENANTCTL_AUTH_AUDIENCE=… PORT=0 node …/examples/app/start.js`: `exec`, so
 * that stopping it reaches node; PORT=0 picks a free port), and waits for its "listening on" line.
 */
export async function startExampleApp(commandLine: string, cwd: string): Promise<RunningExampleApp> {
  const child: ChildProcess = spawn("sh", ["-c", commandLine], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`examples/app exited with ${code} before listening: ${errors}`)));
  });
  return {
    url,
    stderr: () => errors,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** A request to the app for `host` (the Host header decides the tenant), with an optional bearer token. */
export async function askApp(
  app: Pick<RunningExampleApp, "url">,
  host: string,
  path: string,
  options: { token?: string; method?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  // fetch() cannot set Host; node:http can, as curl -H 'Host: …' does.
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      `${app.url}${path}`,
      {
        method: options.method ?? "GET",
        headers: {
          host,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { "content-type": "application/json" } : {}),
        },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => {
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new Error(`${path} for ${host}: ${response.statusCode} ${text}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
