/** Inline fleets for spec tests: write files into a temp dir, load them, return the fleet. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { type Fleet, loadFleet } from "../../src/core/load";

/** A small template; line numbers in tests refer to it, so edit with care. */
export const TEMPLATE = `platform:
  baseDomain: app.example.com
  ingressHostname: edge.example.com
dns: { provider: cloudflare, zone: example.com }
tls: { provider: cloudflare }
database:
  servers:
    primary: { host: db.example.com, port: 5432, sharedDatabase: tenants, maxConnections: 200 }
auth:
  provider: auth0
  resourceServers:
    - { identifier: https://api.example.com, name: API, scopes: [read:data, write:data, manage:users] }
  roles:
    - { name: admin, description: Admin, permissions: [read:data, write:data, manage:users] }
    - { name: member, description: Member, permissions: [read:data] }
plans:
  basic: { limits: { users: 100, dbConnections: 10 }, database: { isolation: schema } }
  enterprise: { limits: { users: 1000, dbConnections: 100 }, database: { isolation: database }, settings: { features: { sso: true } } }
defaults:
  plan: basic
  database: { server: primary, extensions: [pgcrypto] }
  settings:
    locale: en-US
    features: { sso: false }
    security: { mfa: required, sessionTimeoutMinutes: 60 }
    branding: { primaryColor: "#000000" }
locked: [settings.security.mfa]
seedOnly: [settings.branding]
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export function writeFleet(files: Record<string, string | Uint8Array>, template: string | null = TEMPLATE): string {
  const cwd = mkdtempSync(join(tmpdir(), "tenantctl-spec-"));
  dirs.push(cwd);
  mkdirSync(join(cwd, "tenants"));
  if (template !== null) writeFileSync(join(cwd, "tenants", "_control-plane.yaml"), template);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(cwd, "tenants", name), content);
  return cwd;
}

export function fleetWith(files: Record<string, string | Uint8Array>, template: string | null = TEMPLATE): Fleet {
  return loadFleet({ cwd: writeFleet(files, template) });
}

/** The diagnostics in a compact, exact form: `file:line:col path rule`. */
export function where(fleet: Fleet): string[] {
  return [...fleet.errors, ...fleet.warnings].map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.rule}`);
}
