/**
 * `tenantctl migrate`: brings the selected tenants to the target version (`--to`, or the latest file), in waves, with
 * the fleet runner's guarantees: each tenant holds its stack's lock while it is migrated (stackLock.ts), `--parallel`
 * tenants at once over one admin pool per database, one tenant's failure never stops the others of its wave, a wave
 * that ends with more than `--max-failures` failures halts the later ones, Ctrl-C starts nothing new, and every run
 * ends with its report. The migrations themselves run as each tenant's role (infra/dynamic/migrations/runner.ts);
 * the registry's `migration_version` follows (registryVersion.ts).
 *
 * A rerun continues: a tenant at the target has nothing to apply (one lock and one query), so only the tenants a
 * halted or interrupted run left behind do any work.
 */
import type { Pool, PoolClient } from "pg";
import { sameMigrations } from "../../core/migrations/compareMigrations";
import { renderDiagnosticsText } from "../../core/formatDiagnostics";
import { type Fleet, loadFleet } from "../../core/load";
import { latestVersion } from "../../core/migrations/migrationFiles";
import type { DatabaseServer, RegistrySpec, Tenant } from "../../core/model";
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { tenantOf } from "../../core/tenantLookup";
import { UsageError } from "../../core/errors";
import { type DatabaseServerSettings, resolveDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { adminPgConfig } from "../../../infra/context/adminConnection";
import { loadPg } from "../../../infra/context/loadPg";
import { migrationRunner } from "../../../infra/dynamic/migrations/runner";
import { registryVersion } from "../../../infra/dynamic/migrations/registryVersion";
import { parseJournal } from "../../../infra/moves/moveJournal";
import { lineProgress, liveProgress } from "../../report/progress";
import type { MigrateReport, TenantMigration, WaveReport } from "../../report/migrateReport";
import { adminSettingsOf } from "../moves/adminSettings";
import { projectName } from "../engine/projectFile";
import { mapBounded } from "../run/pool";
import { loadFleetAt } from "../select/fleetAtRef";
import { checkSelectionFlags, type SelectionOptions, selectStacks } from "../select/selectStacks";
import { parseWaves, planWaves, runWaves, type Wave } from "../waves/waves";
import { holdingStackLock, StackLocked } from "./stackLock";

const runner = migrationRunner();
const { writeMigrationVersion } = registryVersion();

export interface MigrateOptions extends SelectionOptions {
  /** The version to reach. @default the latest file */
  readonly to?: number;
  /** `1,5%,25%,100%` or groups; @default one wave of every selected tenant */
  readonly waves?: string;
  /** @default 0 */
  readonly maxFailures?: number;
  readonly pauseMs?: number;
  readonly parallel: number;
  readonly lockTimeoutMs?: number;
  readonly liveProgress?: boolean;
}

export interface MigratePlace {
  readonly projectDir?: string;
  readonly interrupt?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
}

export async function migrateFleet(
  slugs: readonly string[],
  options: MigrateOptions,
  err: (text: string) => void,
  { projectDir = process.cwd(), interrupt, env: runEnv }: MigratePlace = {},
): Promise<MigrateReport> {
  checkSelectionFlags("up", slugs, options);
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  if (fleet.errors.length > 0) err(`${renderDiagnosticsText(fleet.errors, fleet.sources)}\n`);
  const files = fleet.controlPlane?.migrations ?? [];
  const latest = latestVersion(files);
  if (options.to !== undefined && options.to > latest)
    throw new UsageError(`--to ${options.to}: the latest migration is version ${latest}`);
  const target = options.to ?? latest;
  const env = { ...process.env, ...runEnv };
  const steps = parseWaves(options.waves ?? "100%", new Set(fleet.tenants.flatMap((t) => t.rolloutGroup ?? [])));

  const { selected, refused } = migrationSelection(slugs, options, fleet);
  const { waves, left } = planWaves(selected, steps, (slug) => tenantOf(fleet, slug)?.rolloutGroup);
  const started = Date.now();
  const progress = options.liveProgress ? liveProgress(process.stderr, selected.length) : lineProgress(err);
  const pools = new Pools(options.parallel);
  const admin = adminAccess(projectDir, env);
  const registry = fleet.controlPlane?.registry;
  // The registry's server, with the admin credentials the tenant's own stack would use.
  const registryServer = async (tenant: Tenant) => {
    const spec = fleet.controlPlane?.databaseServers.find((server) => server.name === registry?.server);
    return spec ? admin(tenant.slug, spec) : undefined;
  };
  const migrateOne = async (slug: string, wave: Wave): Promise<TenantMigration> => {
    const begun = Date.now();
    const result = (outcome: TenantMigration["outcome"], rest: Partial<TenantMigration> = {}): TenantMigration => ({
      slug,
      outcome,
      applied: [],
      wave: wave.index,
      seconds: (Date.now() - begun) / 1000,
      ...rest,
    });
    if (refused.has(slug)) return result("failed", { message: refused.get(slug)! });
    if (interrupt?.aborted) return result("cancelled", { message: "not started: the run was interrupted" });
    const tenant = tenantOf(fleet, slug)!;
    progress.started(slug, "migrate");
    try {
      const done = await holdingStackLock(
        slug,
        {
          project: projectName(projectDir),
          env,
          ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
          ...(interrupt ? { signal: interrupt } : {}),
          note: (line) => progress.note(line),
        },
        async () => {
          const server = await admin(tenant.slug, tenant.database.server);
          const client = await pools.connect(server, tenant.database.databaseName);
          try {
            await refuseWhileMoving(client, tenant);
            const migrated = await runner.migrateTenant(client, tenantTarget(tenant), files, {
              to: target,
              ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
              ...(interrupt ? { signal: interrupt } : {}),
            });
            await recordVersion(pools, await registryServer(tenant), registry, slug, migrated.to);
            return migrated;
          } finally {
            client.release();
          }
        },
      );
      const applied = done.applied.map((a) => a.fileName);
      const outcome = done.interrupted ? "cancelled" : applied.length > 0 ? "changed" : "unchanged";
      progress.ended(slug, outcome);
      return result(outcome, {
        from: done.from,
        to: done.to,
        applied,
        ...(done.interrupted
          ? { message: `interrupted: stopped at version ${done.to}, before the next migration started` }
          : {}),
      });
    } catch (error) {
      const cancelled = error instanceof StackLocked && interrupt?.aborted;
      progress.ended(slug, cancelled ? "cancelled" : "failed");
      const at = error instanceof runner.MigrationFailed ? error.at : undefined;
      return result(cancelled ? "cancelled" : "failed", {
        ...(at !== undefined ? { from: at, to: at } : {}),
        message: failureMessage(slug, error),
      });
    }
  };

  let outcome: Awaited<ReturnType<typeof runWaves<TenantMigration>>>;
  try {
    outcome = await runWaves(
      waves,
      (wave) => mapBounded(wave.slugs, options.parallel, (slug) => migrateOne(slug, wave)),
      (result) => result.outcome === "failed",
      {
        maxFailures: options.maxFailures ?? 0,
        ...(options.pauseMs ? { pauseMs: options.pauseMs } : {}),
        ...(interrupt ? { signal: interrupt } : {}),
        note: (line) => progress.note(line),
      },
    );
  } finally {
    progress.close();
    await pools.end();
  }
  return report({ target, waves, left, outcome, started, interrupted: interrupt?.aborted === true });
}

/** The tenants a `migrate` names: like `up` (slugs, `--all`, `--changed --base`), without the control plane. */
function migrationSelection(
  slugs: readonly string[],
  options: MigrateOptions,
  fleet: Fleet,
): { selected: string[]; refused: Map<string, string> } {
  if (slugs.includes(CONTROL_PLANE_STACK))
    throw new UsageError("control-plane has no migrations: name tenants, or pass --all");
  let { slugs: chosen, skipped, refused } = selectStacks("up", slugs, options, fleet);
  // New or edited migration files concern every tenant, whether or not its own file changed.
  if (options.changed) {
    const base = loadFleetAt(options.base!, options.dir);
    if (!sameMigrations(base.controlPlane?.migrations ?? [], fleet.controlPlane?.migrations ?? []))
      ({ slugs: chosen, skipped, refused } = selectStacks("up", [], { ...options, changed: false, all: true }, fleet));
  }
  const selected = chosen.filter(
    (slug) => slug !== CONTROL_PLANE_STACK && !skipped.has(slug) && (refused.has(slug) || tenantOf(fleet, slug)),
  );
  return { selected, refused: new Map(refused) };
}

function tenantTarget(tenant: Tenant) {
  return {
    slug: tenant.slug,
    database: tenant.database.databaseName,
    schema: tenant.database.schemaName,
    role: tenant.database.roleName,
  };
}

/** A tenant whose data is being moved (a journal on its role, src/orchestrate/moves/) is left until the move ended. */
async function refuseWhileMoving(client: PoolClient, tenant: Tenant): Promise<void> {
  const comment = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
    [tenant.database.roleName],
  );
  if (comment.rowCount === 0)
    throw new Error(
      `role ${tenant.database.roleName} does not exist: run \`tenantctl up ${tenant.slug}\` first (it applies the migrations too)`,
    );
  if (parseJournal(comment.rows[0]!.comment))
    throw new Error(
      `its data is being moved (a move journal is on role ${tenant.database.roleName}): run \`tenantctl up ${tenant.slug}\` to finish the move, then migrate it`,
    );
}

async function recordVersion(
  pools: Pools,
  server: ResolvedServer | undefined,
  registry: RegistrySpec | undefined,
  slug: string,
  version: number,
): Promise<void> {
  if (!server || !registry) return;
  let client: PoolClient;
  try {
    client = await pools.connect(server, registry.database);
  } catch (error) {
    // No registry database (yet): the tenant's own tenantctl_migrations is the record.
    if ((error as { code?: string }).code === "3D000") return;
    throw error;
  }
  try {
    await writeMigrationVersion(client, registry.schema, slug, version);
  } finally {
    client.release();
  }
}

function failureMessage(slug: string, error: unknown): string {
  if (error instanceof runner.MigrationFailed || error instanceof StackLocked) return error.message;
  const message = (error as Error).message ?? String(error);
  return `${slug}: ${message}`;
}

type ResolvedServer = ReturnType<typeof resolveDatabaseServer>;

/**
 * The admin connection of a tenant's server, as its stack's program would have it (moves/adminSettings.ts): from the
 * environment once for the whole run, or from each stack's config when the environment has none.
 */
function adminAccess(projectDir: string, env: Readonly<Record<string, string | undefined>>) {
  // As moves/adminSettings.ts decides: credentials in the environment serve every stack alike.
  const inEnv = Boolean(env["TENANTCTL_DATABASE_SERVERS"] || (env["PGUSER"] && env["PGPASSWORD"] !== undefined));
  let shared: Promise<DatabaseServerSettings> | undefined;
  return async (slug: string, server: DatabaseServer): Promise<ResolvedServer> => {
    if (!inEnv) return resolveDatabaseServer(server, await adminSettingsOf(slug, projectDir, env));
    shared ??= adminSettingsOf(slug, projectDir, env);
    return resolveDatabaseServer(server, await shared);
  };
}

/** One admin pool per server and database, `parallel` connections at most each: schema tenants share theirs. */
class Pools {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly size: number) {}

  async connect(server: ResolvedServer, database: string): Promise<PoolClient> {
    const key = `${server.name}\u0000${database}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new (loadPg().Pool)({ ...adminPgConfig(server, database, "tenantctl migrate"), max: this.size });
      pool.on("error", () => undefined);
      this.pools.set(key, pool);
    }
    return pool.connect();
  }

  async end(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end().catch(() => undefined)));
  }
}

function report(run: {
  target: number;
  waves: readonly Wave[];
  left: readonly string[];
  outcome: Awaited<ReturnType<typeof runWaves<TenantMigration>>>;
  started: number;
  interrupted: boolean;
}): MigrateReport {
  const { outcome } = run;
  const tenants: TenantMigration[] = outcome.results.flat();
  const ran = new Set(tenants.map((t) => t.slug));
  const waveReports: WaveReport[] = run.waves.map((wave, i) => {
    const results = outcome.results[i];
    const failed = results?.filter((r) => r.outcome === "failed").length ?? 0;
    const status =
      results === undefined ? "not started" : outcome.halted?.wave.index === wave.index ? "halted" : "done";
    return { index: wave.index, name: wave.name, tenants: wave.slugs, failed, status };
  });
  for (const wave of run.waves) {
    for (const slug of wave.slugs) {
      if (ran.has(slug)) continue;
      const why = run.interrupted
        ? "not started: the run was interrupted"
        : `wave ${wave.index} (${wave.name}) did not start: wave ${outcome.halted?.wave.index} (${outcome.halted?.wave.name}) ended with ${outcome.halted?.failures} failed (--max-failures ${outcome.halted?.maxFailures})`;
      tenants.push({
        slug,
        outcome: run.interrupted ? "cancelled" : "skipped",
        applied: [],
        wave: wave.index,
        message: why,
        seconds: 0,
      });
    }
  }
  for (const slug of run.left)
    tenants.push({ slug, outcome: "skipped", applied: [], message: "no wave of --waves reaches it", seconds: 0 });
  return {
    operation: "migrate",
    target: run.target,
    waves: waveReports,
    tenants,
    ...(outcome.halted
      ? {
          halted: {
            wave: outcome.halted.wave.index,
            failures: outcome.halted.failures,
            maxFailures: outcome.halted.maxFailures,
          },
        }
      : {}),
    seconds: (Date.now() - run.started) / 1000,
    ...(run.interrupted ? { interrupted: true } : {}),
  };
}
