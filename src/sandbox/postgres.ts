/**
 * A throwaway PostgreSQL cluster for tests and for the sandbox command: started from the Debian packages,
 * listening on loopback only, living in a temp dir, gone after `stop()`.
 *
 * Plain TypeScript on purpose (no Pulumi, no vitest): the integration/e2e global setups and the lead's
 * `sandbox` command share this one implementation.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
  readFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shellQuote } from "./shellQuote";
import { compareVersions, DEBIAN_POSTGRES_ROOT } from "../postgres/clientTools";
import { freeLoopbackPort } from "./localProcess";

/** Everything a client needs to reach the cluster over TCP. */
export interface PostgresConnection {
  /** Always `127.0.0.1`: the cluster never listens on other interfaces. */
  readonly host: string;
  readonly port: number;
  /** Superuser created by initdb; authenticates with a password (scram-sha-256). */
  readonly user: string;
  readonly password: string;
  /** The maintenance database that always exists. */
  readonly database: string;
}

export interface RunningPostgres extends PostgresConnection {
  /** Temp dir holding the data directory, the unix socket and the server log. */
  readonly rootDir: string;
  /** `postgresql://user:password@127.0.0.1:port/<database>`. */
  connectionString(database?: string): string;
  /** Stops the server (immediate shutdown: the data is thrown away anyway) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Leaves the server running after this process exits (`tenantctl sandbox --keep`): drops the exit hook and
   * returns a shell command line that stops it and removes its temp dir. `stop()` still works until then.
   */
  keepRunning(): string;
}

export interface StartPostgresOptions {
  /**
   * Each tenant role has its own connection limit and the e2e runs tenants in parallel, so the default of 100
   * is too tight.
   * @default 300
   */
  readonly maxConnections?: number;
  /**
   * Name of the superuser. Deliberately not `postgres`, so nothing can pass by accident through OS-user
   * (peer) authentication.
   * @default "tenantctl_admin"
   */
  readonly user?: string;
  /**
   * Directory holding `initdb`, `pg_ctl`, ...
   * @default the highest version under /usr/lib/postgresql, or env TENANTCTL_PG_BINDIR
   */
  readonly binDir?: string;
  /**
   * A data directory `initDataDir` made, copied instead of running initdb (most of a cluster's start-up): several
   * clusters at once cost one initdb. The cluster then has that directory's superuser and password.
   */
  readonly copyOf?: InitializedDataDir;
}

/** A fresh data directory, never started: what `startPostgres({ copyOf })` copies. `remove()` when done. */
export interface InitializedDataDir {
  readonly dataDir: string;
  readonly user: string;
  readonly password: string;
  remove(): void;
}

/** Runs initdb once into a temp dir, for clusters that start as copies of it (`copyOf`). */
export async function initDataDir(options: Omit<StartPostgresOptions, "copyOf"> = {}): Promise<InitializedDataDir> {
  const binDir = options.binDir ?? (process.env["TENANTCTL_PG_BINDIR"] || findPostgresBinDir());
  const user = options.user ?? "tenantctl_admin";
  const password = randomBytes(18).toString("base64url");
  const rootDir = mkdtempSync(join(tmpdir(), "tenantctl-pg-template-"));
  const remove = () => rmSync(rootDir, { recursive: true, force: true });
  process.once("exit", remove);
  const runAs = process.getuid?.() === 0 ? postgresOsUser() : undefined;
  try {
    const dataDir = join(rootDir, "data");
    await initdb(runAs, binDir, rootDir, dataDir, user, password);
    return {
      dataDir,
      user,
      password,
      remove: () => {
        process.removeListener("exit", remove);
        remove();
      },
    };
  } catch (error) {
    process.removeListener("exit", remove);
    remove();
    throw error;
  }
}

/** initdb of `dataDir` inside `rootDir` (which the server's OS user then owns), superuser `user` with `password`. */
async function initdb(
  runAs: OsUser | undefined,
  binDir: string,
  rootDir: string,
  dataDir: string,
  user: string,
  password: string,
): Promise<void> {
  const passwordFile = join(rootDir, "superuser-password");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(rootDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    await run(
      runAs,
      join(binDir, "initdb"),
      [
        "-D",
        dataDir,
        "-U",
        user,
        `--pwfile=${passwordFile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
      ],
      rootDir,
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * The newest `/usr/lib/postgresql/<ver>/bin` that has an `initdb`. Versions are compared numerically so that
 * 16 beats 9.6.
 */
export function findPostgresBinDir(root: string = DEBIAN_POSTGRES_ROOT): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => existsSync(join(root, entry, "bin", "initdb")))
        .sort((a, b) => compareVersions(b, a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      `No PostgreSQL server binaries found under ${root}/<version>/bin. ` +
        `Install them with \`apt-get install -y postgresql\`, or point TENANTCTL_PG_BINDIR at a directory holding initdb and pg_ctl.`,
    );
  }
  return join(root, newest, "bin");
}

/**
 * Server settings for a disposable cluster: durability is traded for start-up and test speed, since the
 * data dies with the process anyway.
 */
export function sandboxServerSettings(rootDir: string, maxConnections: number): Record<string, string> {
  return {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${rootDir}'`,
    max_connections: String(maxConnections),
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    // Every connection costs a little shared memory; keep the footprint small so max_connections=300 fits
    // in the default limits of a CI container.
    shared_buffers: "32MB",
    password_encryption: "'scram-sha-256'",
    log_min_messages: "warning",
  };
}

/** Starts a fresh cluster on a free loopback port. Call `stop()` when done (the process also stops it on exit). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  const binDir = options.binDir ?? (process.env["TENANTCTL_PG_BINDIR"] || findPostgresBinDir());
  const user = options.copyOf?.user ?? options.user ?? "tenantctl_admin";
  const password = options.copyOf?.password ?? randomBytes(18).toString("base64url");
  const maxConnections = options.maxConnections ?? 300;

  const rootDir = mkdtempSync(join(tmpdir(), "tenantctl-pg-"));
  const dataDir = join(rootDir, "data");
  const logFile = join(rootDir, "server.log");
  // initdb refuses to run as root, so as root every server command runs as the `postgres` OS user, which
  // must then own the temp dir.
  const runAs = process.getuid?.() === 0 ? postgresOsUser() : undefined;

  const stopSync = (): void => {
    if (existsSync(join(dataDir, "postmaster.pid"))) {
      spawnSync(...command(runAs, join(binDir, "pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate", "-s"]), {
        cwd: rootDir,
      });
    }
    rmSync(rootDir, { recursive: true, force: true });
  };
  // A crashed or interrupted test run must not leave a server behind.
  const stopOnExit = (): void => stopSync();
  process.once("exit", stopOnExit);

  try {
    if (options.copyOf) {
      if (runAs) chownSync(rootDir, runAs.uid, runAs.gid);
      // As the server's OS user, so the copy is its own (the server refuses a data directory it does not own).
      await run(runAs, "cp", ["-a", options.copyOf.dataDir, dataDir], rootDir);
    } else {
      await initdb(runAs, binDir, rootDir, dataDir, user, password);
    }

    const settings = sandboxServerSettings(rootDir, maxConnections);
    appendFileSync(
      join(dataDir, "postgresql.conf"),
      `\n# tenantctl sandbox\n${Object.entries(settings)
        .map(([key, value]) => `${key} = ${value}`)
        .join("\n")}\n`,
    );

    const port = await startOnFreePort(runAs, binDir, dataDir, logFile, rootDir);

    let stopped = false;
    const connection: PostgresConnection = { host: "127.0.0.1", port, user, password, database: "postgres" };
    return {
      ...connection,
      rootDir,
      connectionString: (database = "postgres") =>
        `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      keepRunning() {
        process.removeListener("exit", stopOnExit);
        const [file, argv] = command(runAs, join(binDir, "pg_ctl"), ["stop", "-D", dataDir, "-m", "fast", "-s"]);
        return `${[file, ...argv].map(shellQuote).join(" ")} && rm -rf ${shellQuote(rootDir)}`;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener("exit", stopOnExit);
        try {
          await run(runAs, join(binDir, "pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate", "-s"], rootDir);
        } finally {
          rmSync(rootDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
    process.removeListener("exit", stopOnExit);
    stopSync();
    if (log && error instanceof Error) error.message += `\n--- server log (tail) ---\n${log}`;
    throw error;
  }
}

/**
 * Another process may take the port between the probe and the server's bind, so a failed start is retried
 * on a new port a few times before giving up.
 */
async function startOnFreePort(
  runAs: OsUser | undefined,
  binDir: string,
  dataDir: string,
  logFile: string,
  rootDir: string,
): Promise<number> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      await run(
        runAs,
        join(binDir, "pg_ctl"),
        ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-s", "-o", `-p ${port}`],
        rootDir,
      );
      return port;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function postgresOsUser(): OsUser {
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === "postgres");
  if (!entry) {
    throw new Error(
      "Running as root, but there is no `postgres` OS user to run initdb as (initdb refuses root). " +
        "Install the Debian package (`apt-get install -y postgresql`), which creates it, or run the tests as a regular user.",
    );
  }
  return { name: "postgres", uid: Number(entry[2]), gid: Number(entry[3]) };
}

function command(runAs: OsUser | undefined, executable: string, args: readonly string[]): [string, string[]] {
  return runAs ? ["runuser", ["-u", runAs.name, "--", executable, ...args]] : [executable, [...args]];
}

function run(runAs: OsUser | undefined, executable: string, args: readonly string[], cwd: string): Promise<void> {
  const [file, argv] = command(runAs, executable, args);
  return new Promise((resolve, reject) => {
    // cwd is the temp dir: the `postgres` OS user may not be allowed into the caller's working directory.
    const child = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${[file, ...argv].join(" ")} exited with ${code}\n${output.trim()}`));
    });
  });
}
