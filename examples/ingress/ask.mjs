#!/usr/bin/env node
/**
 * The ingress's `ask` endpoint for `tls.provider: acme`: before Caddy (`on_demand_tls { ask … }`) gets a certificate for
 * a hostname it has never seen, it asks `GET /ask?domain=<hostname>`; 200 lets it, anything else refuses. The answer is
 * the registry's: 200 only for a hostname in `tenantctl.tenant_domains` whose tenant is active or suspended (a
 * suspended tenant keeps its hostnames and TLS: the app shows it a "suspended" page). An unknown hostname gets 404, a
 * decommissioned tenant's 403, and a registry that cannot be read 503: refusing is the safe side, since every
 * certificate the CA issues counts against its rate limits and proves control of a domain that may not be ours.
 *
 *   TENANTCTL_REGISTRY_URL=postgres://tenantctl_registry_reader:…@db/tenantctl node examples/ingress/ask.mjs [--port 9123]
 *
 * It reads nothing but TENANTCTL_REGISTRY_URL (the registry's reader role can read nothing else), listens on
 * 127.0.0.1 (the ingress runs beside it; `--host` to change), and prints one JSON line `{"url": "http://…/ask"}` once it
 * listens (`--port 0`: any free port), then one line per answer on stderr.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import pg from "pg";

const ALLOWED_STATUSES = new Set(["active", "suspended"]);

const { values } = parseArgs({
  options: { port: { type: "string", default: "9123" }, host: { type: "string", default: "127.0.0.1" } },
});
const registryUrl = process.env.TENANTCTL_REGISTRY_URL;
if (!registryUrl) {
  process.stderr.write("ask: TENANTCTL_REGISTRY_URL is not set: the registry's reader login (postgres://…)\n");
  process.exit(2);
}

const pool = new pg.Pool({ connectionString: registryUrl, max: 4, application_name: "tenantctl-ingress-ask" });
// A broken idle connection is replaced on the next query; it must not end the process.
pool.on("error", (error) => process.stderr.write(`ask: registry connection lost: ${error.message}\n`));

/** @returns {Promise<{code: number, why: string}>} */
async function answer(domain) {
  const hostname = domain.trim().toLowerCase().replace(/\.$/, "");
  if (hostname === "") return { code: 400, why: "no ?domain=" };
  const { rows } = await pool.query(
    `SELECT d.slug, t.status FROM tenantctl.tenant_domains d JOIN tenantctl.tenants t ON t.slug = d.slug
     WHERE d.hostname = $1`,
    [hostname],
  );
  const row = rows[0];
  if (!row) return { code: 404, why: `${hostname}: no tenant has this hostname` };
  if (!ALLOWED_STATUSES.has(row.status)) return { code: 403, why: `${hostname}: tenant ${row.slug} is ${row.status}` };
  return { code: 200, why: `${hostname}: tenant ${row.slug} (${row.status})` };
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://ask");
  if (url.pathname !== "/ask") {
    response.writeHead(404).end();
    return;
  }
  answer(url.searchParams.get("domain") ?? "").then(
    ({ code, why }) => {
      process.stderr.write(`ask: ${code} ${why}\n`);
      response.writeHead(code, { "content-type": "text/plain" }).end(`${why}\n`);
    },
    (error) => {
      process.stderr.write(`ask: 503 registry unreadable: ${error.message}\n`);
      response.writeHead(503, { "content-type": "text/plain" }).end("registry unreadable\n");
    },
  );
});

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  const host = address.includes(":") ? `[${address}]` : address;
  process.stdout.write(`${JSON.stringify({ url: `http://${host}:${port}/ask`, pid: process.pid })}\n`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pool.end().finally(() => process.exit(0));
  });
}
