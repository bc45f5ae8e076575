/**
 * A verified archive of one tenant's data: a custom-format `pg_dump` of its database (`isolation: database`) or of its
 * schema in the shared database (`isolation: schema`), checked by reading it back with `pg_restore --list`, with its
 * size and SHA-256 written beside it. It only reads: nothing is dropped, and dropping stays a person's explicit act.
 *
 * The dump is written as `<name>.partial` and renamed once it is verified, so a file without that suffix is always a
 * whole, readable archive. Files are readable by their owner only: they hold a customer's data.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Tenant } from "../core/model";
import { withAdminClient } from "../../infra/context/adminClient";
import { adminLibpqEnv } from "../../infra/context/adminConnection";
import type { ResolvedDatabaseServer } from "../../infra/context/databaseServerConfig";
import { clientToolsFor } from "../postgres/clientTools";

const run = promisify(execFile);

export interface TenantArchive {
  readonly slug: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The database dumped, and the schema when only one schema of it was. */
  readonly database: string;
  readonly schema?: string;
  readonly serverVersion: string;
  readonly pgDumpVersion: string;
  /** Entries `pg_restore --list` read back: every table's data among them. */
  readonly entries: number;
  readonly tables: readonly string[];
  readonly createdAt: string;
}

export async function archiveTenant(
  tenant: Tenant,
  server: ResolvedDatabaseServer,
  toDir: string,
  now: Date = new Date(),
): Promise<TenantArchive> {
  const { database } = tenant;
  const env = libpqEnv(server);
  const serverVersion = await serverVersionOf(server);
  const tools = clientToolsFor(Math.floor(serverVersion.number / 10000));
  const dir = resolve(toDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${tenant.slug}-${now.toISOString().replace(/[:.]/g, "-")}.dump`);
  const partial = `${file}.partial`;
  const ownDatabase = database.isolation === "database";
  const args = [
    "--format=custom",
    "--no-password",
    `--dbname=${database.databaseName}`,
    `--file=${partial}`,
    ...(ownDatabase ? [] : [`--schema=${database.schemaName}`]),
  ];
  try {
    await run(tools.pgDump, args, { env, maxBuffer: 16 * 1024 * 1024 });
    const listing = await run(tools.pgRestore, ["--list", partial], { env, maxBuffer: 64 * 1024 * 1024 });
    const tables = tableDataIn(listing.stdout);
    // The tenant's own settings table is in every tenant's data: an archive without it did not dump the tenant.
    if (!tables.some((table) => table.endsWith(".tenant_settings"))) {
      throw new Error(
        `pg_restore --list shows no data for ${database.schemaName}.tenant_settings in ${partial}: the dump does not hold tenant ${tenant.slug}'s data`,
      );
    }
    renameSync(partial, file);
    const archive: TenantArchive = {
      slug: tenant.slug,
      file,
      bytes: statSync(file).size,
      sha256: await sha256Of(file),
      database: database.databaseName,
      ...(ownDatabase ? {} : { schema: database.schemaName }),
      serverVersion: serverVersion.text,
      pgDumpVersion: (await run(tools.pgDump, ["--version"])).stdout.trim(),
      entries: listing.stdout.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(";")).length,
      tables,
      createdAt: now.toISOString(),
    };
    writeFileSync(`${file}.sha256`, `${archive.sha256}  ${basename(file)}\n`, { mode: 0o600 });
    writeFileSync(`${file}.json`, `${JSON.stringify(archive, null, 2)}\n`, { mode: 0o600 });
    return archive;
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`archive of tenant ${tenant.slug} failed, nothing was kept: ${describeToolError(error)}`);
  }
}

/** `TABLE DATA <schema> <table> <owner>` lines of a `pg_restore --list`, as `schema.table`. */
export function tableDataIn(listing: string): string[] {
  return listing
    .split("\n")
    .map((line) => /^\d+;\s+\d+\s+\d+\s+TABLE DATA\s+(\S+)\s+(\S+)\s/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]}.${match[2]}`);
}

/** The libpq environment of the archive's client tools. */
function libpqEnv(server: ResolvedDatabaseServer): NodeJS.ProcessEnv {
  return adminLibpqEnv(server, "tenantctl archive");
}

async function serverVersionOf(server: ResolvedDatabaseServer): Promise<{ number: number; text: string }> {
  const row = await withAdminClient(server, "postgres", "reading its version", async (client) => {
    const result = await client.query<{ num: string; text: string }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
    );
    return result.rows[0]!;
  });
  return { number: Number(row!.num), text: row!.text };
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolvePromise(hash.digest("hex")));
  });
}

/** A client tool's own words (its stderr), without the command line that execFile puts first. */
function describeToolError(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return (stderr?.trim() || message || String(error)).split("\n").slice(0, 5).join("; ");
}
