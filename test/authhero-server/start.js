#!/usr/bin/env node
/**
 * A real AuthHero server for tenantctl's tests and `tenantctl sandbox --auth authhero`.
 *
 * Listens on a free loopback port (port 0), keeps everything in a throwaway SQLite database (in memory unless
 * `--db <file>` is given), seeds the control-plane tenant with a machine-to-machine client for the Management API
 * (audience `urn:authhero:management`), and prints ONE JSON line on stdout once it answers:
 *
 *   {"url":"http://127.0.0.1:40123","clientId":"…","clientSecret":"…","tenantId":"control_plane","pid":1234,"startupMs":812}
 *
 * Everything else (AuthHero's own logs) goes to stderr. SIGTERM/SIGINT stop it. The workarounds below are for the
 * versions pinned in package.json: @authhero/kysely-adapter is older than authhero, so the server asks for a few
 * things the adapter lacks (see `adaptAdapter`, `addMissingColumns`).
 */
"use strict";
const startedAt = process.hrtime.bigint();

const { randomBytes } = require("node:crypto");
const Database = require("better-sqlite3");
const { Kysely, SqliteDialect } = require("kysely");
const kyselyAdapter = require("@authhero/kysely-adapter");
const { init, seed } = require("authhero");
const { serve } = require("@hono/node-server");

const CONTROL_PLANE_TENANT = "control_plane";
const MANAGEMENT_AUDIENCE = "urn:authhero:management";

function argument(name) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * The server reads and writes columns this adapter's migrations do not create yet; SQLite names them in its errors,
 * so they are added as nullable text the first time they are missing. `tenants.default_client_id` is read at start;
 * the login of a user (`/co/authenticate` then `/authorize`, the example app's tokens) needs the others.
 */
const MISSING_COLUMNS = {
  tenants: ["default_client_id"],
  login_sessions: ["authenticated_at", "auth_strategy_strategy", "auth_strategy_strategy_type"],
  users: ["registration_completed_at"],
};

async function addMissingColumns(db, sqlite) {
  for (const [table, columns] of Object.entries(MISSING_COLUMNS)) {
    const have = new Set(
      sqlite
        .prepare(`PRAGMA table_info(${table})`)
        .all()
        .map((column) => column.name),
    );
    for (const column of columns) {
      if (!have.has(column)) sqlite.exec(`ALTER TABLE ${table} ADD COLUMN ${column} text`);
    }
  }
  void db;
}

/**
 * The adapter answers a `q` of the form `a:1 AND b:2` by splitting on spaces, so the literal `AND` becomes a search
 * term of its own and nothing matches: the server's own key-list queries send that form. Strip it.
 */
function withoutAnd(q) {
  return typeof q === "string" ? q.replace(/\s+AND\s+/g, " ") : q;
}

/** Wraps the adapter so the server (newer than the adapter) finds what it calls. */
function adaptAdapter(adapters) {
  const keys = adapters.keys;
  const wrappedKeys = {
    ...keys,
    list: (params = {}) => keys.list({ ...params, q: withoutAnd(params.q) }),
  };
  const users = adapters.users;
  const wrappedUsers = { ...users, rawCreate: users.rawCreate ?? users.create };
  return {
    ...adapters,
    keys: wrappedKeys,
    users: wrappedUsers,
    // Creating a user runs inside a transaction, whose adapters the kysely adapter builds afresh: they need the same
    // wrapping, or `users.rawCreate` is missing there (POST /api/v2/users answered 500).
    transaction: (work) => adapters.transaction((inner) => work(adaptAdapter(inner))),
    // Management tokens of the control-plane tenant may act on every tenant's entities.
    multiTenancyConfig: { controlPlaneTenantId: CONTROL_PLANE_TENANT },
  };
}

/**
 * `seed` returns the tenant's default (interactive) application; the machine-to-machine client it also provisions,
 * with a client grant for every Management API scope, is the one named "API Explorer Application".
 */
async function managementClient(dataAdapter) {
  const { clients } = await dataAdapter.clients.list(CONTROL_PLANE_TENANT, { page: 0, per_page: 100 });
  const client = clients.find(
    (candidate) =>
      candidate.app_type === "non_interactive" && (candidate.grant_types ?? []).includes("client_credentials"),
  );
  if (!client?.client_secret) throw new Error("seed created no machine-to-machine client for the Management API");
  return client;
}

/**
 * A user's token for one organization comes from a token exchange (RFC 8693, `organization` required): the user logs
 * in (`/co/authenticate`, then `/authorize` with the login ticket), and the seeded "Default Application" exchanges that
 * token for one that carries `org_id` and the permissions of the user's roles in that organization. AuthHero lets a
 * client do this only when its `organization_usage` allows it; the Management API cannot update a client with this
 * adapter (it writes columns the adapter lacks), so the flag is set here, once, in SQLite.
 */
function allowOrganizationsForDefaultClient(sqlite) {
  sqlite
    .prepare("UPDATE clients SET organization_usage = 'allow' WHERE tenant_id = ? AND client_id = 'default'")
    .run(CONTROL_PLANE_TENANT);
}

async function main() {
  const file = argument("--db") ?? ":memory:";
  const sqlite = new Database(file);
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  // AuthHero's migrations print progress on stdout; stdout is reserved for the one JSON line.
  const log = console.log;
  console.log = (...args) => console.error(...args);
  await kyselyAdapter.migrateToLatest(db, false);
  await addMissingColumns(db, sqlite);
  const dataAdapter = adaptAdapter(kyselyAdapter.default(db));

  const { app } = init({ dataAdapter });
  let issuer = "http://127.0.0.1/";
  const server = await new Promise((resolve, reject) => {
    const listening = serve(
      { fetch: (request) => app.fetch(request, { ISSUER: issuer, data: dataAdapter }), port: 0, hostname: "127.0.0.1" },
      () => resolve(listening),
    );
    listening.once("error", reject);
  });
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  issuer = `${url}/`;

  const seeded = await seed(dataAdapter, {
    adminUsername: "admin",
    adminPassword: randomBytes(18).toString("base64url"),
    tenantId: CONTROL_PLANE_TENANT,
    tenantName: "Control Plane",
    audience: MANAGEMENT_AUDIENCE,
    issuer,
    debug: false,
  });
  // AuthHero keeps logging while it serves: all of it goes to stderr, and a closed stdout (the caller read its
  // line and went away) must not bring the server down.
  void log;
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  const client = await managementClient(dataAdapter);
  allowOrganizationsForDefaultClient(sqlite);

  const stop = () => server.close(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  const startupMs = Number((process.hrtime.bigint() - startedAt) / 1_000_000n);
  process.stdout.write(
    `${JSON.stringify({ url, clientId: client.client_id, clientSecret: client.client_secret, tenantId: seeded.tenantId, audience: MANAGEMENT_AUDIENCE, pid: process.pid, startupMs })}\n`,
  );
}

main().catch((error) => {
  console.error(`authhero-server: ${error?.stack ? error.stack : error}`);
  process.exit(1);
});
