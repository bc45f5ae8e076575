/**
 * `validate` exit 0 is a promise: `plan` renders every stack. Thousands of generated fleets, drawn from pools that hold
 * the values providers and the program refuse (dotted and empty setting keys, strings jsonb cannot store, hostnames too
 * long for a certificate or DNS, a base domain outside its zone, the SaaS zone as a custom hostname, duplicate
 * extensions, roles and resource servers, more roles than the metadata can list, names AuthHero refuses): whenever the loader finds
 * no error, every stack renders offline without one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadFleet } from "../../src/core/load";
import { renderStack } from "../../src/orchestrate/plan/offlinePlan/renderStack";

const root = mkdtempSync(join(tmpdir(), "tenantctl-agreement-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const long = (n: number) => "a".repeat(n);
/** Mostly what a platform team writes, now and then what something downstream refuses. */
function mostly<T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: unusual, weight: 1 });
}
const scalar = mostly(
  fc.oneof(
    fc.constantFrom("en-US", "dark", "\uD83D\uDE00", "", long(300)),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ),
  fc.constantFrom("x\u0000y", "\uD800"),
);
const settingKey = mostly(
  fc.constantFrom("theme", "sso", "limits", "features", "colour"),
  fc.constantFrom("ui.theme", "", "a.b", `k${long(2100)}`),
);
const settingsTree = fc.dictionary(
  settingKey,
  fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.dictionary(settingKey, scalar, { maxKeys: 2 })),
  { maxKeys: 3 },
);
const scopes = ["read:data", "write:data", "read:audit"];
const roleName = fc.constantFrom(
  "admin",
  "member",
  "viewer",
  "auditor",
  "billing",
  "ops",
  ...Array.from({ length: 10 }, (_, i) => `role${i}`),
);
const role = fc.record({
  name: roleName,
  description: mostly(fc.constant("Role"), fc.constant(long(300))),
  permissions: fc.subarray(scopes, { minLength: 1 }),
});
const roles = (maxLength: number) =>
  mostly(fc.uniqueArray(role, { selector: (r) => r.name, maxLength }), fc.array(role, { maxLength }));
const extensions = mostly<string[]>(
  fc.uniqueArray(fc.constantFrom("pgcrypto", "pg_trgm", "citext"), { maxLength: 3 }),
  fc.constant(["pg_trgm", "pg_trgm"]),
);

const template = fc.record({
  platform: fc.record({
    baseDomain: mostly(
      fc.constantFrom("app.example.com", "example.com", `${long(63)}.${long(63)}.${long(60)}.example.com`),
      fc.constant("app.example.org"),
    ),
    ingressHostname: fc.constant("edge.example.com"),
  }),
  dns: fc.record({ provider: fc.constantFrom("cloudflare", "route53"), zone: fc.constant("example.com") }),
  tls: fc.record({ provider: fc.constantFrom("cloudflare", "acm") }),
  database: fc.constant({ servers: { primary: { host: "db.example.com", port: 5432, sharedDatabase: "tenants" } } }),
  auth: fc.record({
    provider: mostly(fc.constant("auth0"), fc.constant("authhero")),
    resourceServers: mostly<{ identifier: string; name: string; scopes: string[] }[]>(
      fc.constantFrom(
        [{ identifier: "https://api.example.com", name: "API", scopes }],
        [
          { identifier: "https://api.example.com", name: "API", scopes: scopes.slice(0, 2) },
          { identifier: "https://audit.example.com", name: "Audit", scopes: ["read:audit"] },
        ],
      ),
      fc.constant([
        { identifier: "https://api.example.com", name: "API", scopes: scopes.slice(0, 2) },
        { identifier: "http://api.example.com", name: "API 2", scopes: ["read:audit"] },
      ]),
    ),
    roles: roles(3),
  }),
  plans: fc.record({
    basic: fc.record({
      limits: fc.constant({ users: 100, dbConnections: 10 }),
      database: fc.record({ isolation: fc.constant("schema"), extensions }),
    }),
    enterprise: fc.record({
      limits: fc.constant({ users: 1000, dbConnections: 100 }),
      database: fc.record({ isolation: fc.constant("database"), extensions }),
      settings: settingsTree,
    }),
  }),
  defaults: fc.record({
    plan: fc.constant("basic"),
    database: fc.constant({ server: "primary" }),
    settings: settingsTree.map((tree) => ({ locale: "en-US", branding: { color: "#000" }, ...tree })),
  }),
});

const slug = fc.constantFrom("acme", "globex", "initech", "umbrella");
const hostname = mostly(
  fc.constantFrom("app.acme-corp.com", "shop.globex.io", "portal.initech.net", `${long(54)}.acme.io`),
  fc.constantFrom("example.com", `${long(60)}.acme.io`, "shop.app.example.com"),
);
const tenant = fc.record({
  slug,
  renamed: mostly(fc.constant(false), fc.constant(true)),
  name: mostly(fc.constant("Acme Corporation"), fc.constant(long(256))),
  plan: fc.constantFrom("basic", "enterprise", undefined),
  domains: fc.record(
    {
      subdomain: fc.constantFrom(undefined, long(63)),
      custom: fc.uniqueArray(fc.record({ hostname }), { selector: (h) => h.hostname, maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
  database: fc.record({ extensions }, { requiredKeys: [] }),
  roles: mostly(roles(3), roles(12)),
  // Keys the template has, with a value of its type; now and then one it lacks or cannot store.
  settings: mostly(
    fc.record(
      { locale: fc.constantFrom("de-DE", "fr-FR"), branding: fc.record({ color: fc.constantFrom("#fff", "#123456") }) },
      { requiredKeys: [] },
    ),
    settingsTree,
  ),
});
const fleet = fc.record({
  template,
  tenants: fc.uniqueArray(tenant, { selector: (t) => t.slug, minLength: 1, maxLength: 3 }),
});

type GeneratedFleet = typeof fleet extends fc.Arbitrary<infer T> ? T : never;

let written = 0;
/** JSON is YAML: `\u0000` and lone surrogates reach the loader escaped, as a user would write them in double quotes. */
function write(generated: GeneratedFleet): string {
  const dir = join(root, String(written++));
  mkdirSync(join(dir, "tenants"), { recursive: true });
  writeFileSync(join(dir, "tenants", "_control-plane.yaml"), JSON.stringify(generated.template));
  for (const t of generated.tenants) {
    const file = t.renamed ? `${t.slug}-file.yaml` : `${t.slug}.yaml`;
    const spec = {
      slug: t.slug,
      name: t.name,
      ...(t.plan ? { plan: t.plan } : {}),
      domains: Object.fromEntries(Object.entries(t.domains).filter(([, value]) => value !== undefined)),
      database: t.database,
      auth: { roles: t.roles.map((r) => ({ ...r, name: `${r.name}-own` })) },
      settings: t.settings,
    };
    writeFileSync(join(dir, "tenants", file), JSON.stringify(spec));
  }
  return dir;
}

describe("validate ok ⇒ plan renders every stack", () => {
  it("holds for thousands of generated fleets", async () => {
    let valid = 0;
    let invalid = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fleet, async (generated) => {
        const cwd = write(generated);
        const loaded = loadFleet({ dir: "tenants", cwd });
        rmSync(cwd, { recursive: true, force: true });
        if (loaded.errors.length > 0) {
          invalid++;
          for (const d of loaded.errors) seen.set(d.rule, (seen.get(d.rule) ?? 0) + 1);
          return;
        }
        valid++;
        const controlPlane = loaded.controlPlane!;
        expect(loaded.tenants.map((t) => t.slug).sort()).toEqual([...loaded.slugs].sort());
        const stacks = [
          await renderStack(controlPlane, { controlPlane: true }),
          ...(await Promise.all(loaded.tenants.map((t) => renderStack(controlPlane, { tenant: t })))),
        ];
        for (const stack of stacks) expect(stack.error, `${stack.slug}: ${stack.error}`).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
    // Both sides of the implication are exercised, and the pools reach every refusal they were made for.
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        "authheroLimits",
        "baseDomainInsideDnsZone",
        "tenantHostnameFitsDns",
        "customHostnamesFitCertificates",
        "customHostnameIsNotTheZone",
        "settingKeysStorable",
        "settingValuesStorable",
        "extensionsListedOnce",
        "templateRolesUnique",
        "resourceServersDistinct",
        "assignableRolesFitMetadata",
      ]),
    );
    expect(valid).toBeGreaterThan(200);
    expect(invalid).toBeGreaterThan(200);
  }, 300_000);
});
