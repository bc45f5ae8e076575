/**
 * The move step of `up`: before a tenant's stack runs, where its data is (infra/moves/tenantDataPlaces.ts) is compared
 * with where its files put it; a tenant whose data is elsewhere moves first (performMove.ts), and only a verified copy
 * lets its stack run. A move a killed run left half done is finished or rolled back first. The login comes back once
 * the stack has run (whatever its outcome: the data is in one place, the new one), and the report says what moved.
 *
 * Only `up` moves data: `preview` and `plan` name the move, `drift` compares, and `pulumi up -s <slug>` by hand refuses
 * (infra/moves/moveGuard.ts).
 */
import { dataLocationOf, describeMove } from "../../core/location";
import type { Fleet } from "../../core/load";
import type { DatabaseServer, Tenant } from "../../core/model";
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { tenantOf } from "../../core/tenantLookup";
import { SetupError } from "../../core/errors";
import type { MovedData, TenantRun } from "../../report/runReport";
import { type ResolvedDatabaseServer, resolveDatabaseServer } from "../../../infra/context/databaseServerConfig";
import { pendingMove } from "../../../infra/moves/moveGuard";
import type { MoveJournal } from "../../../infra/moves/moveJournal";
import { findTenantData, type TenantDataPlaces } from "../../../infra/moves/tenantDataPlaces";
import { clientToolsFor } from "../../postgres/clientTools";
import { engineErrorMessage } from "../run/engineErrors";
import { adminSettingsOf } from "./adminSettings";
import { forgetOldLocation } from "./forgetOldLocation";
import { serverMajor } from "./adminSql";
import {
  finishMove,
  journalOfRecord,
  MoveAborted,
  type MoveSetting,
  performMove,
  rollBack,
  type SwitchedMove,
} from "./performMove";

/** Test-only: SQL the move runs in the old location's database between the copy and its verification (see performMove.ts). */
export const BEFORE_VERIFY_SQL_ENV = "TENANTCTL_TEST_MOVE_BEFORE_VERIFY_SQL";

export interface MoveStepOptions {
  readonly projectDir: string;
  readonly signal?: AbortSignal;
  readonly note?: (line: string) => void;
  /** The run's environment (process.env and what the run sets on top: the sandbox's database servers). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Wraps each tenant stack's `up` of a run in its move step. */
export function moveStep(fleet: Fleet, options: MoveStepOptions) {
  return async (slug: string, runStack: () => Promise<TenantRun>): Promise<TenantRun> => {
    const tenant = tenantOf(fleet, slug);
    if (slug === CONTROL_PLANE_STACK || !tenant || !fleet.controlPlane) return runStack();
    const note = (line: string) => options.note?.(`${slug}: ${line}`);
    const started = Date.now();
    let setting: MoveSetting;
    let switched: SwitchedMove | undefined;
    let pending: MoveJournal | undefined;
    try {
      setting = await moveSetting(tenant, fleet.controlPlane.databaseServers, options, note);
      const found = await locate(tenant, fleet.controlPlane.databaseServers, setting);
      const journal = found.places.role?.journal
        ? await journalOfRecord(found.places.role.journal, setting)
        : undefined;
      let places = found.places;
      if (journal?.phase === "copying") {
        note(
          `a move killed before it switched (${describeMove({ slug, from: journal.from, to: journal.to })}) is rolled back: its partial copy dropped, the login restored`,
        );
        await rollBack(journal, setting);
        places = (await locate(tenant, fleet.controlPlane.databaseServers, setting)).places;
      } else if (journal?.phase === "switched") {
        note(
          `a move killed after it switched (${describeMove({ slug, from: journal.from, to: journal.to })}) is finished`,
        );
        pending = journal;
      } else if (found.places.role?.journal) {
        // The old server holds no journal any more: the move was finished there; this server's copy of it is cleared.
        await finishMove({ ...found.places.role.journal, phase: "switched" }, setting);
        places = (await locate(tenant, fleet.controlPlane.databaseServers, setting)).places;
      }
      const move = pending ? undefined : pendingMove(slug, dataLocationOf(tenant), places);
      if (move) {
        note(describeMove(move));
        switched = await performMove(
          move,
          { login: places.role?.login ?? false, comment: places.role?.comment ?? null },
          setting,
        );
      }
    } catch (error) {
      // A server that cannot be reached or refuses the admin is worded as a stack run's own failure would be.
      const message = error instanceof MoveAborted ? error.message : engineErrorMessage(error, slug);
      const cancelled = options.signal?.aborted === true;
      return {
        slug,
        stack: slug,
        outcome: cancelled ? "cancelled" : "failed",
        changes: {},
        resources: [],
        message: `${message}\nthe stack was not run`,
        seconds: (Date.now() - started) / 1000,
      };
    }
    const journal = switched?.journal ?? pending;
    if (journal) {
      try {
        const forgotten = await forgetOldLocation(
          options.projectDir,
          slug,
          journal.from,
          journal.from.server !== journal.to.server,
        );
        if (forgotten.length > 0)
          note(`the stack forgets the old location's ${forgotten.join(", ")} (kept on the server, out of its state)`);
      } catch (error) {
        // The stack's own run then says what its state holds that is gone; the data is in its one place either way.
        note(`could not take the old location out of the stack's state: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    let run = await runStack();
    if (journal) {
      try {
        await finishMove(journal, setting);
        note("login back as it was before the move");
      } catch (error) {
        run = {
          ...run,
          outcome: "failed",
          message: `the data moved, but its login could not be given back: ${(error as Error).message}; the journal on role ${setting.role} stays, and the next \`tenantctl up ${slug}\` gives it back${run.message ? `\n${run.message}` : ""}`,
        };
      }
    }
    if (!switched) return run;
    const moved = movedData(switched);
    const paragraph = [
      `${describeMove({ slug, from: moved.from, to: moved.to })}: ${moved.rows} rows in ${moved.tables} tables (${moved.bytes} bytes) copied and verified; ${moved.secondsWithoutWrites.toFixed(1)} s without writes`,
      `the old copy is kept as ${moved.oldCopy}, out of the tenant's reach; once satisfied, an administrator drops it with: ${moved.drop}`,
    ].join("\n");
    return { ...run, moved, message: run.message ? `${paragraph}\n${run.message}` : paragraph };
  };
}

function movedData(switched: SwitchedMove): MovedData {
  const { journal } = switched;
  const where =
    journal.from.schema === "public"
      ? `database ${journal.movedName}`
      : `schema ${journal.movedName} in database ${journal.from.database}`;
  return {
    from: journal.from,
    to: journal.to,
    rows: switched.rows,
    tables: switched.tables,
    bytes: switched.bytes,
    secondsWithoutWrites: (Date.now() - switched.stoppedAt) / 1000,
    oldCopy: `${where} on server ${journal.from.server}`,
    drop: switched.drop,
  };
}

/**
 * The tenant's data: on the server its files name first (the usual answer, one or two connections), then on the
 * template's other servers when there is none there (a server move, or a new tenant).
 */
async function locate(
  tenant: Tenant,
  servers: readonly DatabaseServer[],
  setting: MoveSetting,
): Promise<{ places: TenantDataPlaces }> {
  const home = tenant.database.server;
  const places = await findTenantData(tenant, setting.server(home.name), home);
  if (places.role?.journal || places.marked.length > 0) return { places };
  for (const other of servers) {
    if (other.name === home.name) continue;
    const elsewhere = await findTenantData(tenant, setting.server(other.name), other);
    if (elsewhere.role?.journal || elsewhere.marked.length > 0) {
      // The tenant's role on its new server does not exist yet, or does not matter: the old one's login is what stops.
      return { places: elsewhere };
    }
  }
  return { places };
}

async function moveSetting(
  tenant: Tenant,
  servers: readonly DatabaseServer[],
  options: MoveStepOptions,
  note: (line: string) => void,
): Promise<MoveSetting> {
  const settings = await adminSettingsOf(tenant.slug, options.projectDir, options.env ?? process.env);
  const resolved = new Map<string, ResolvedDatabaseServer>();
  const tools = new Map<string, ReturnType<typeof clientToolsFor>>();
  return {
    role: tenant.database.roleName,
    extensions: tenant.database.extensions,
    server(name) {
      const known = resolved.get(name);
      if (known) return known;
      const spec = servers.find((server) => server.name === name);
      if (!spec)
        throw new SetupError(
          `database server "${name}" is not in the template any more, and tenant ${tenant.slug}'s data is there: put it back under database.servers to move the data`,
        );
      const server = resolveDatabaseServer(spec, settings);
      resolved.set(name, server);
      return server;
    },
    async tools(server) {
      if (!tools.has(server.name)) tools.set(server.name, clientToolsFor(await serverMajor(server)));
      return tools.get(server.name)!;
    },
    ...(options.signal ? { signal: options.signal } : {}),
    note,
    ...((options.env ?? process.env)[BEFORE_VERIFY_SQL_ENV]
      ? { beforeVerifySql: (options.env ?? process.env)[BEFORE_VERIFY_SQL_ENV]! }
      : {}),
  };
}
