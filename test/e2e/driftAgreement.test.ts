/**
 * The scan agrees with the engine, measured: on a deployed small fleet (real PostgreSQL, real engine, real AuthHero,
 * real PowerDNS), random hand changes across what the stacks manage — role attributes, connection limit, login, expiry,
 * search path and other role settings, memberships, owners, grants (with and without grant option), default
 * privileges, extensions, settings values and rows (managed and seed-only, and keys tenantctl never wrote), the
 * organization's display name and metadata, the tenant roles' descriptions and permissions, the hostname's record
 * (its TTL and target, deleted, disabled, a record beside it) — several at a time, on several tenants at once. Each
 * round applies them, asks the scan (in this process) which stacks it would send to the engine and the engine
 * (`drift --all --engine`) which stacks drifted, and reverts them. Every tenant in a round is one trial: the scan's
 * flagged set must contain every stack the engine calls drifted or cannot preview (misses, must be 0); the rest are
 * false alarms, counted. The figures are printed.
 *
 * TENANTCTL_AGREEMENT_TRIALS sets the trials (default 96: 8 rounds over 12 tenants); a bench run asks for thousands
 * (`npm run bench:agreement`). The trials of a round share one engine run. A miss can only be a stack the scan calls
 * clean, so by default the engine previews only those (every miss is still found, at a fraction of the cost) and false
 * alarms are not counted; TENANTCTL_AGREEMENT_ENGINE=all (the bench) previews every stack and counts them.
 * TENANTCTL_AGREEMENT_CHANGES (a comma list of change ids) draws only those; TENANTCTL_AGREEMENT_SEED fixes the seed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleet } from "../../src/core/load";
import type { Tenant } from "../../src/core/model";
import { scanFleet } from "../../src/orchestrate/scan/scanFleet";
import { type OwnWorld, sqlOn, startOwnWorld } from "../support/ownWorld";
import { pulumiEngine } from "../support/pulumi";
import { tenantctlProcess } from "../support/tenantctlProcess";
import { connectionOf, ManagementClient, startTestAuthHero } from "../support/authhero";
import type { RunningAuthHero } from "../../src/sandbox/authhero";
import { tenantRoleName } from "../../src/core/naming";
import { componentsFor } from "../../infra/status";
import { editByHand, type HeldRrset, type RunningPowerDns, rrsetHeld, startTestPowerDns } from "../support/powerdns";

const engine = pulumiEngine();
const TRIALS = Number(process.env["TENANTCTL_AGREEMENT_TRIALS"] ?? 96);
const SEED = Number(process.env["TENANTCTL_AGREEMENT_SEED"] ?? Date.now() % 1_000_000);
const ENGINE_FOR_ALL = process.env["TENANTCTL_AGREEMENT_ENGINE"] === "all";
const ONLY = process.env["TENANTCTL_AGREEMENT_CHANGES"]?.split(",").map((id) => id.trim());

/** One step of a hand change: `[database, sql]`, or a call to AuthHero's Management API. */
type Step = readonly [string, string] | (() => Promise<unknown>);

/** A hand change: the steps that make it and those that undo it. */
interface Change {
  readonly id: string;
  /** Whether the engine's diff is expected to notice it (for the figures only: the assertion asks the engine). */
  readonly drift: boolean;
  readonly apply: readonly Step[];
  readonly revert: readonly Step[];
}

interface Place {
  readonly slug: string;
  readonly role: string;
  readonly ownDatabase: boolean;
  readonly database: string;
  readonly schema: string;
  readonly login: boolean;
  readonly connectionLimit: number;
  readonly extensions: readonly string[];
  readonly admin: string;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The tenant's organization and own roles at AuthHero, by name, and the client that changes them by hand. */
interface AuthPlace {
  readonly client: ManagementClient;
  readonly organizationName: string;
  readonly displayName: string;
  /** `<slug>:<role>` of the tenant's own roles. */
  readonly roles: readonly string[];
}

/** Hand changes at AuthHero: the organization's name and metadata, the tenant roles' descriptions and permissions. */
function authChangesFor(a: AuthPlace): Change[] {
  const organization = async () => (await a.client.organizations()).find((o) => o.name === a.organizationName)!;
  const patchOrganization =
    (make: (o: Awaited<ReturnType<typeof organization>>) => Record<string, unknown>) => async () => {
      const o = await organization();
      await a.client.json("PATCH", `/organizations/${o.id}`, {
        name: o.name,
        display_name: o.display_name,
        metadata: o.metadata,
        ...make(o),
      });
    };
  let savedPlan = "";
  const changes: Change[] = [
    {
      id: "organization display name",
      drift: true,
      apply: [patchOrganization(() => ({ display_name: "Renamed by hand" }))],
      revert: [patchOrganization(() => ({ display_name: a.displayName }))],
    },
    {
      id: "organization metadata",
      drift: true,
      apply: [
        patchOrganization((o) => {
          savedPlan = String(o.metadata["plan"]);
          return { metadata: { ...o.metadata, plan: "platinum" } };
        }),
      ],
      revert: [patchOrganization((o) => ({ metadata: { ...o.metadata, plan: savedPlan } }))],
    },
  ];
  const role = async (name: string) => (await a.client.roles()).find((r) => r.name === name)!;
  for (const name of a.roles) {
    let description = "";
    const permissions = [{ permission_name: "manage:users", resource_server_identifier: "https://api.example.com" }];
    changes.push(
      {
        id: `role ${name} description`,
        drift: true,
        apply: [
          async () => {
            const r = await role(name);
            description = r.description ?? "";
            await a.client.json("PATCH", `/roles/${r.id}`, { name: r.name, description: "Changed by hand" });
          },
        ],
        revert: [async () => a.client.json("PATCH", `/roles/${(await role(name)).id}`, { name, description })],
      },
      {
        id: `role ${name} permission added`,
        drift: true,
        apply: [async () => a.client.call("POST", `/roles/${(await role(name)).id}/permissions`, { permissions })],
        revert: [async () => a.client.call("DELETE", `/roles/${(await role(name)).id}/permissions`, { permissions })],
      },
    );
  }
  return changes;
}

/** The tenant's hostname at PowerDNS, whose CNAME its stack writes. */
interface DnsPlace {
  readonly server: RunningPowerDns;
  readonly hostname: string;
}

/**
 * Hand changes to the tenant's hostname record (its TTL, its target, deleted, every record disabled) and a record
 * beside it. Each saves the rrset as it finds it and puts exactly that back, so changes stack and revert in reverse; one
 * that finds the record already deleted by another change of the round leaves it alone.
 */
function dnsChangesFor(d: DnsPlace): Change[] {
  const edit = (id: string, make: (held: HeldRrset) => Omit<Parameters<typeof editByHand>[1], "name" | "type">) => {
    let saved: HeldRrset | undefined;
    return {
      id,
      drift: true,
      apply: [
        async () => {
          saved = await rrsetHeld(d.server, d.hostname, "CNAME");
          if (saved) await editByHand(d.server, { name: d.hostname, type: "CNAME", ...make(saved) });
        },
      ],
      revert: [
        async () => {
          if (saved) await editByHand(d.server, saved);
        },
      ],
    } satisfies Change;
  };
  const beside = { name: `hand.${d.hostname}`, type: "TXT" };
  return [
    edit("hostname record ttl", (held) => ({ ttl: held.ttl + 60, records: held.records })),
    edit("hostname record target", (held) => ({ ttl: held.ttl, records: ["elsewhere.example.org."] })),
    edit("hostname record deleted", () => ({ records: [] })),
    edit("hostname record disabled", (held) => ({
      ttl: held.ttl,
      records: held.records.map((r) => ({ ...r, disabled: true })),
    })),
    {
      id: "a record beside the hostname (not drift)",
      drift: false,
      apply: [async () => editByHand(d.server, { ...beside, records: ['"set by hand"'] })],
      revert: [async () => editByHand(d.server, { ...beside, records: [] })],
    },
  ];
}

/** The changes that can be made to one tenant, by id. */
function changesFor(p: Place, auth?: AuthPlace, dns?: DnsPlace): Change[] {
  const R = q(p.role);
  const table = `${q(p.schema)}.tenant_settings`;
  const onRole = (id: string, make: string, undo: string, drift = true): Change => ({
    id,
    drift,
    apply: [["postgres", `ALTER ROLE ${R} ${make}`]],
    revert: [["postgres", `ALTER ROLE ${R} ${undo}`]],
  });
  const inDb = (id: string, make: string, undo: string, drift = true, database = p.database): Change => ({
    id,
    drift,
    apply: [[database, make]],
    revert: [[database, undo]],
  });
  const searchPath = p.ownDatabase ? "RESET search_path" : `SET search_path = ${q(p.schema)}, public`;
  const changes: Change[] = [
    onRole("connection limit", `CONNECTION LIMIT ${p.connectionLimit + 3}`, `CONNECTION LIMIT ${p.connectionLimit}`),
    onRole("unlimited connections", "CONNECTION LIMIT -1", `CONNECTION LIMIT ${p.connectionLimit}`),
    onRole("login flipped", p.login ? "NOLOGIN" : "LOGIN", p.login ? "LOGIN" : "NOLOGIN"),
    onRole("createdb", "CREATEDB", "NOCREATEDB"),
    onRole("createrole", "CREATEROLE", "NOCREATEROLE"),
    onRole("superuser", "SUPERUSER", "NOSUPERUSER"),
    onRole("noinherit", "NOINHERIT", "INHERIT"),
    onRole("replication", "REPLICATION", "NOREPLICATION"),
    onRole("bypassrls", "BYPASSRLS", "NOBYPASSRLS"),
    onRole("valid until", "VALID UNTIL '2099-01-01'", "VALID UNTIL 'infinity'"),
    onRole("search path", "SET search_path = pg_catalog", searchPath),
    onRole("statement timeout", "SET statement_timeout = '5s'", "RESET statement_timeout"),
    onRole(
      "idle in transaction timeout",
      "SET idle_in_transaction_session_timeout = '9s'",
      "RESET idle_in_transaction_session_timeout",
    ),
    onRole("work_mem (not managed)", "SET work_mem = '8MB'", "RESET work_mem", false),
    {
      id: "membership",
      drift: true,
      apply: [["postgres", `GRANT pg_read_all_data TO ${R}`]],
      revert: [["postgres", `REVOKE pg_read_all_data FROM ${R}`]],
    },
    inDb(
      "default privileges on functions",
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
    ),
    inDb(
      "default privileges on types",
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} GRANT USAGE ON TYPES TO PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} REVOKE USAGE ON TYPES FROM PUBLIC`,
    ),
    inDb(
      "default privileges on tables (not managed)",
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} GRANT SELECT ON TABLES TO PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${R} REVOKE SELECT ON TABLES FROM PUBLIC`,
      false,
    ),
    inDb(
      "managed setting changed",
      `UPDATE ${table} SET value = '"xx-XX"' WHERE key = 'locale'`,
      `UPDATE ${table} SET value = (SELECT to_jsonb(v) FROM (VALUES ('__LOCALE__')) AS t (v)) WHERE key = 'locale'`,
    ),
    inDb(
      "managed setting deleted",
      `CREATE TABLE IF NOT EXISTS public.agreement_saved AS SELECT '' AS schema, * FROM ${table} WHERE false; INSERT INTO public.agreement_saved SELECT '${p.schema}', * FROM ${table} WHERE key = 'features.sso'; DELETE FROM ${table} WHERE key = 'features.sso'`,
      `INSERT INTO ${table} SELECT key, value, seed_only, updated_at FROM public.agreement_saved WHERE schema = '${p.schema}' AND key = 'features.sso'; DELETE FROM public.agreement_saved WHERE schema = '${p.schema}'`,
    ),
    inDb(
      "seed-only setting changed (not drift)",
      `UPDATE ${table} SET value = '"#000000"' WHERE key = 'branding.primaryColor'`,
      `UPDATE ${table} SET value = '"__COLOR__"' WHERE key = 'branding.primaryColor'`,
      false,
    ),
    inDb(
      "a key tenantctl never wrote (not drift)",
      `INSERT INTO ${table} (key, value) VALUES ('custom.extra', '1')`,
      `DELETE FROM ${table} WHERE key = 'custom.extra'`,
      false,
    ),
    inDb(
      "extension not declared (not drift)",
      "CREATE EXTENSION IF NOT EXISTS citext",
      "DROP EXTENSION IF EXISTS citext",
      false,
    ),
  ];
  for (const extension of p.extensions)
    changes.push(
      inDb(
        `extension ${extension} dropped`,
        `DROP EXTENSION IF EXISTS ${q(extension)}`,
        `CREATE EXTENSION IF NOT EXISTS ${q(extension)} SCHEMA public`,
      ),
    );
  if (p.ownDatabase) {
    changes.push(
      inDb(
        "database owner",
        `ALTER DATABASE ${q(p.database)} OWNER TO ${q(p.admin)}`,
        `ALTER DATABASE ${q(p.database)} OWNER TO ${R}`,
        true,
        "postgres",
      ),
      inDb(
        "PUBLIC may connect",
        `GRANT CONNECT ON DATABASE ${q(p.database)} TO PUBLIC`,
        `REVOKE CONNECT ON DATABASE ${q(p.database)} FROM PUBLIC`,
        true,
        "postgres",
      ),
      inDb(
        "PUBLIC may create temp tables",
        `GRANT TEMP ON DATABASE ${q(p.database)} TO PUBLIC`,
        `REVOKE TEMP ON DATABASE ${q(p.database)} FROM PUBLIC`,
        true,
        "postgres",
      ),
    );
  } else {
    changes.push(
      inDb(
        "schema owner",
        `ALTER SCHEMA ${q(p.schema)} OWNER TO ${q(p.admin)}`,
        `ALTER SCHEMA ${q(p.schema)} OWNER TO ${R}`,
      ),
      inDb(
        "PUBLIC may use the schema",
        `GRANT USAGE ON SCHEMA ${q(p.schema)} TO PUBLIC`,
        `REVOKE USAGE ON SCHEMA ${q(p.schema)} FROM PUBLIC`,
      ),
      inDb(
        "PUBLIC may create in the schema",
        `GRANT CREATE ON SCHEMA ${q(p.schema)} TO PUBLIC`,
        `REVOKE CREATE ON SCHEMA ${q(p.schema)} FROM PUBLIC`,
      ),
      inDb(
        "temp tables in the shared database",
        `GRANT TEMP ON DATABASE ${q(p.database)} TO ${R}`,
        `REVOKE TEMP ON DATABASE ${q(p.database)} FROM ${R}`,
        true,
        "postgres",
      ),
      inDb(
        "connect revoked",
        `REVOKE CONNECT ON DATABASE ${q(p.database)} FROM ${R}`,
        `GRANT CONNECT ON DATABASE ${q(p.database)} TO ${R}`,
        true,
        "postgres",
      ),
      inDb(
        "connect with grant option",
        `GRANT CONNECT ON DATABASE ${q(p.database)} TO ${R} WITH GRANT OPTION`,
        `REVOKE GRANT OPTION FOR CONNECT ON DATABASE ${q(p.database)} FROM ${R}`,
        true,
        "postgres",
      ),
      inDb(
        "search path written another way (not drift)",
        `ALTER ROLE ${R} SET search_path = "${p.schema}",public`,
        `ALTER ROLE ${R} ${searchPath}`,
        false,
        "postgres",
      ),
    );
  }
  if (auth) changes.push(...authChangesFor(auth));
  if (dns) changes.push(...dnsChangesFor(dns));
  return changes;
}

/** Extra tenants beside the three examples: both isolations, a suspended one, extensions of their own. */
const EXTRA_TENANTS: Record<string, string> = {
  "db-one.yaml": "slug: db-one\nname: DB One\nplan: enterprise\n",
  "db-two.yaml":
    "slug: db-two\nname: DB Two\nplan: enterprise\ndatabase:\n  extensions: [pgcrypto, pg_trgm]\nauth:\n  roles:\n    - { name: support, description: Support desk, permissions: [read:data] }\n",
  "db-held.yaml": "slug: db-held\nname: DB Held\nplan: enterprise\nstatus: suspended\n",
  "sc-one.yaml": "slug: sc-one\nname: SC One\nplan: basic\n",
  "sc-two.yaml": "slug: sc-two\nname: SC Two\nplan: trial\n",
  "sc-three.yaml": "slug: sc-three\nname: SC Three\nplan: basic\nsettings:\n  locale: fr-FR\n",
  "sc-held.yaml": "slug: sc-held\nname: SC Held\nplan: basic\nstatus: suspended\n",
  "sc-four.yaml":
    "slug: sc-four\nname: SC Four\nplan: basic\ndatabase:\n  extensions: [pgcrypto, pg_trgm]\nauth:\n  roles:\n    - { name: billing, description: Billing, permissions: [read:data, write:data] }\n",
  "db-three.yaml": "slug: db-three\nname: DB Three\nplan: enterprise\nsettings:\n  features: { sso: false }\n",
};

describe("the scan agrees with the engine", () => {
  let world: OwnWorld | undefined;
  let tenants: Tenant[] = [];
  let places: Place[] = [];
  let auths: (AuthPlace | undefined)[] = [];
  let dnsPlaces: (DnsPlace | undefined)[] = [];
  let authhero: RunningAuthHero | undefined;
  let powerdns: RunningPowerDns | undefined;
  const tenantctl = (args: string[]) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: world!.project.dir, env: world!.env, timeoutMs: 600_000 });
  const sql = (database: string, text: string) => sqlOn(world!.postgres, database, text);
  const run = async (step: Step) => (typeof step === "function" ? step() : sql(step[0], step[1]));

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "drift-agreement");
    // Auth on, at a real AuthHero: the organizations and the tenants' own roles are in the trials too.
    authhero = await startTestAuthHero();
    // DNS on, at a real PowerDNS: each tenant's hostname record is in the trials too.
    powerdns = await startTestPowerDns("example.com");
    Object.assign(world.env, {
      TENANTCTL_DISABLE: "tls",
      TENANTCTL_POWERDNS_API_KEY: powerdns.apiKey,
      TENANTCTL_AUTH_PROVIDER: "authhero",
      TENANTCTL_AUTHHERO_URL: authhero.url,
      TENANTCTL_AUTHHERO_CLIENT_ID: authhero.clientId,
      TENANTCTL_AUTHHERO_CLIENT_SECRET: authhero.clientSecret,
    });
    const client = new ManagementClient(connectionOf(authhero));
    for (const [file, text] of Object.entries(EXTRA_TENANTS)) world.project.writeFile(file, text);
    // The example server is sized for the three example tenants.
    const template = world.project.readFile("_control-plane.yaml");
    const withPowerDns = template
      .replace(/maxConnections: \d+/, "maxConnections: 100000")
      .replace(
        /^dns:\n(?: {2}.*\n)+/m,
        `dns:\n  provider: powerdns\n  zone: example.com\n  powerdns: { apiUrl: "${powerdns.apiUrl}", serverId: localhost }\n`,
      );
    expect(withPowerDns).toContain("provider: powerdns");
    world.project.writeFile("_control-plane.yaml", withPowerDns);
    const fleet = loadFleet({ dir: world.project.tenantsDir, cwd: world.project.dir });
    expect(fleet.errors).toEqual([]);
    tenants = [...fleet.tenants];
    places = tenants.map((t) => ({
      slug: t.slug,
      role: t.database.roleName,
      ownDatabase: t.database.isolation === "database",
      database: t.database.databaseName,
      schema: t.database.schemaName,
      login: t.status === "active",
      connectionLimit: t.database.connectionLimit,
      extensions: t.database.isolation === "database" ? t.database.extensions : [],
      admin: world!.postgres.user,
    }));
    auths = tenants.map((t) =>
      t.status === "decommissioned"
        ? undefined
        : {
            client,
            organizationName: t.auth.organizationName,
            displayName: t.name,
            roles: t.auth.roles.map((r) => tenantRoleName(t.slug, r.name)),
          },
    );
    const up = await tenantctl(["up", "--all", "--parallel", "2"]);
    expect(up.code, up.stderr).toBe(0);
    // Every tenant but a decommissioned one has its hostname's record, written by the `up` above.
    dnsPlaces = tenants.map((t) =>
      componentsFor(t.status).dns ? { server: powerdns!, hostname: t.domains.hostname } : undefined,
    );
    for (const place of dnsPlaces)
      if (place) expect(await rrsetHeld(place.server, place.hostname, "CNAME"), place.hostname).toBeDefined();
  }, 900_000);

  afterAll(async () => {
    await world?.close();
    await authhero?.stop();
    await powerdns?.stop();
  });

  const scanned = async (): Promise<Map<string, readonly string[]>> => {
    const fleet = loadFleet({ dir: world!.project.tenantsDir, cwd: world!.project.dir });
    const slugs = fleet.tenants.map((t) => t.slug);
    const result = await scanFleet(fleet, slugs, { projectDir: world!.project.dir, env: world!.env });
    return new Map(result.flagged);
  };

  it(
    "flags every stack the engine calls drifted, over random hand changes",
    async () => {
      expect(await scanned()).toEqual(new Map());
      const rounds = Math.max(1, Math.ceil(TRIALS / tenants.length));
      const figures = {
        trials: 0,
        changes: 0,
        flagged: 0,
        previews: 0,
        engineDrifted: 0,
        misses: 0,
        falseAlarms: 0,
        resets: 0,
      };
      const missed: string[] = [];
      // Per tenant: none, or one to four distinct changes of those it can have.
      const plan = fc.tuple(
        ...places.map((place) => {
          const ids = changesFor(place, auths[places.indexOf(place)], dnsPlaces[places.indexOf(place)])
            .map((c) => c.id)
            .filter((id) => !ONLY || ONLY.includes(id));
          if (ids.length === 0) return fc.constant<string[]>([]);
          return fc.oneof(
            { weight: 1, arbitrary: fc.constant<string[]>([]) },
            { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...ids), { minLength: 1, maxLength: 4 }) },
          );
        }),
      );
      await fc.assert(
        fc.asyncProperty(plan, async (chosen) => {
          const applied: Change[] = [];
          for (const [i, ids] of chosen.entries()) {
            const place = places[i]!;
            const original = tenants[i]!;
            const known = new Map(changesFor(place, auths[i], dnsPlaces[i]).map((c) => [c.id, c]));
            for (const id of ids) {
              const change = withOriginals(known.get(id)!, original);
              for (const step of change.apply) await run(step);
              applied.push(change);
            }
          }
          figures.changes += applied.length;
          const flagged = await scanned();
          // A miss can only be a stack the scan calls clean: those are always previewed; the rest only to count false alarms.
          const asked = places.map((p) => p.slug).filter((slug) => ENGINE_FOR_ALL || !flagged.has(slug));
          const notClean = new Set<string>();
          if (asked.length > 0) {
            const byEngine = await tenantctl(["drift", ...asked, "--parallel", "2"]);
            expect(byEngine.report.tenants.map((t) => t.slug).sort(), byEngine.stderr).toEqual([...asked].sort());
            for (const t of byEngine.report.tenants) if (t.outcome !== "unchanged") notClean.add(t.slug);
            figures.previews += asked.length;
          }
          for (const [i, place] of places.entries()) {
            figures.trials++;
            const engineSays = notClean.has(place.slug);
            const scanSays = flagged.has(place.slug);
            if (engineSays) figures.engineDrifted++;
            if (scanSays) figures.flagged++;
            if (engineSays && !scanSays) {
              figures.misses++;
              missed.push(`${place.slug}: ${chosen[i]!.join(", ")}`);
            }
            if (scanSays && !engineSays && ENGINE_FOR_ALL) figures.falseAlarms++;
          }
          for (const change of [...applied].reverse()) for (const step of change.revert) await run(step);
          // A revert that left something behind would make the next round's figures about this one: the stacks go back.
          const left = await scanned();
          if (left.size > 0) {
            figures.resets += left.size;
            const reset = await tenantctl(["up", ...left.keys()]);
            expect(reset.code, reset.stderr).toBe(0);
          }
          expect(missed, `the scan missed drift the engine found (seed ${SEED})`).toEqual([]);
        }),
        { numRuns: rounds, seed: SEED, endOnFailure: true },
      );
      const share = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : "-");
      process.stdout.write(
        `drift agreement (seed ${SEED}): ${figures.trials} trials (${rounds} rounds × ${tenants.length} tenants), ` +
          `${figures.changes} hand changes; scan flagged ${figures.flagged}; engine previews ${figures.previews} ` +
          `(${ENGINE_FOR_ALL ? "every stack" : "the stacks the scan called clean"}), drifted ${figures.engineDrifted}; ` +
          `misses ${figures.misses}; ` +
          (ENGINE_FOR_ALL
            ? `false alarms ${figures.falseAlarms} (${share(figures.falseAlarms, figures.flagged)} of flagged); `
            : "false alarms not counted (TENANTCTL_AGREEMENT_ENGINE=all counts them); ") +
          `stacks reset by up after a revert: ${figures.resets}\n`,
      );
      expect(figures.misses).toBe(0);
    },
    6 * 3_600_000,
  );
});

/** The values a revert writes back, from the tenant's resolved files. */
function withOriginals(change: Change, tenant: Tenant): Change {
  const settings = tenant.settings.values as { locale?: string; branding?: { primaryColor?: string } };
  const fill = (text: string) =>
    text
      .replace("__LOCALE__", String(settings.locale ?? ""))
      .replace("__COLOR__", String(settings.branding?.primaryColor ?? ""));
  return {
    ...change,
    revert: change.revert.map((step) => (typeof step === "function" ? step : ([step[0], fill(step[1])] as const))),
  };
}
