/**
 * `npm run bench:peer [-- --tenants 100 --rounds 3 --fleet-rounds 1 --scale-only [--tofu-sample K] --isolation database|schema
 * --keep]`: tenantctl next to its peer, OpenTofu
 * with one root module per tenant and the same PostgreSQL provider (issue 12), side by side in one run against one
 * throwaway PostgreSQL (the sandbox's):
 *   - one tenant's drift: `tofu plan -refresh-only -detailed-exitcode` vs `tenantctl drift <slug>`;
 *   - one new tenant: `tofu apply` vs `tenantctl up <new slug>`;
 *   - the fleet: `tenantctl drift --all --engine --parallel 2` (a refreshing preview of every stack) over N tenants vs
 *     N tofu plans two at a time, and both one at a time (`--parallel 1`), with what the server and the whole machine
 *     spent during each (machineCpu.ts);
 *   - drift at fleet scale (fleetScan.ts): `tenantctl drift --all` (the scan first) over N clean tenants, and with 1%
 *     drifted, vs N tofu plans two at a time; below 1,000 tenants the figures for 1,000 are extrapolated, and say so.
 *     `--scale-only` runs only this (and sets up only the passphrase fleet): `-- --tenants 1000 --scale-only`.
 *     `--tofu-sample K` applies and plans only K of the N tofu modules and scales tofu's time to N, said so in the
 *     table: each module is a root module with its own state, so N plans cost N times one, and the full peer side
 *     takes this machine over an hour and a half at 1,000 (the applies, then the plans);
 *   - a per-process breakdown of one tenant's drift and up, and of tofu's;
 *   - `--isolation schema` gives every tenant a schema in a shared database instead of a database of its own (tofu's
 *     modules too, in a shared database of theirs): the scan then reads one database per server, not one per tenant;
 *   - all of tenantctl's measures twice: with the default passphrase secrets provider, whose key the CLI derives at
 *     every start (PBKDF2, 1,000,000 rounds), and with a KMS key (TENANTCTL_SECRETS_PROVIDER=awskms://…: one call per
 *     CLI start, to AWS KMS's API served over HTTPS on 127.0.0.1 by kmsProcess.ts, as AWS cannot be reached here).
 *     Each has its own fleet (its own slugs) on the same server.
 * CPU is user + system of the whole process tree (plugins included, orphans too: bench/peer/measure.py), wall is
 * the command's, peak is the largest single process. Medians of `--rounds` interleaved runs (the fleet: of
 * `--fleet-rounds`). Goals: tenantctl within 2× of OpenTofu's CPU on each measure; `--parallel 2` ≥ 1.7× faster
 * than `--parallel 1`.
 *
 * OpenTofu v1.12.6 and terraform-provider-postgresql v1.27.0 come from tools/ensure-tofu.sh (built from Go modules
 * into the tools cache the first time: ~4.5 min), the Pulumi engine from tools/ensure-pulumi.sh. Needs python3.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { type RunningPostgres, startPostgres } from "../../src/sandbox/postgres";
import { databaseServersJson } from "../../src/sandbox/databaseServers";
import { engineEnv, findOrBuildEngine } from "../../src/sandbox/pulumiEngine";
import { breakdown, type Cost, measure as measureCommand, type MeasureOptions } from "./measure";
import type { KmsProcessInfo } from "./kmsProcess";
import { processCpuSeconds } from "./machineCpu";
import { measureFleetScan } from "./fleetScan";
import { writeTofuModule } from "./tofuModule";

const root = join(__dirname, "..", "..", "..");
const flags = parseFlags(process.argv.slice(2));
const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`bench:peer: ${line}\n`);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Flags {
  readonly tenants: number;
  readonly rounds: number;
  readonly fleetRounds: number;
  readonly keep: boolean;
  /** Only "drift at fleet scale" (fleetScan.ts): the passphrase fleet, the scan against tofu's plans. */
  readonly scaleOnly: boolean;
  /** With scaleOnly: apply and plan this many tofu modules (0: all N), tofu's time scaled to N. */
  readonly tofuSample: number;
  /** The tenants' layout: a database each (the default, like `acme`), or a schema each in one shared database. */
  readonly isolation: "database" | "schema";
}

function parseFlags(argv: readonly string[]): Flags {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
    return n;
  };
  return {
    tenants: value("tenants", 100),
    rounds: Math.max(1, value("rounds", 3)),
    fleetRounds: value("fleet-rounds", 1),
    keep: argv.includes("--keep"),
    scaleOnly: argv.includes("--scale-only"),
    tofuSample: value("tofu-sample", 0),
    isolation: isolationOf(argv),
  };
}

function isolationOf(argv: readonly string[]): "database" | "schema" {
  const i = argv.indexOf("--isolation");
  if (i < 0) return "database";
  const value = argv[i + 1];
  if (value !== "database" && value !== "schema") throw new Error("--isolation takes database or schema");
  return value;
}

/**
 * The tenants of the bench: all like `acme` in PostgreSQL (`isolation: database`, two extensions, enterprise), or with
 * `--isolation schema` a schema each in the control plane's shared database.
 */
const EXTENSIONS = ["pgcrypto", "pg_trgm"] as const;
const CONNECTION_LIMIT = 100; // plans.enterprise.limits.dbConnections in the template
/** Slugs `<prefix>000`, `<prefix>001`, …: one prefix per fleet, and one for the new tenants of each. */
const numbered = (prefix: string) => (i: number) => `${prefix}${String(i).padStart(3, "0")}`;
const slugOf = numbered("p");
const newSlugOf = numbered("n");

function tenantFile(slug: string): string {
  return `slug: ${slug}\nname: Peer bench tenant ${slug}\nplan: enterprise\ndatabase:\n  isolation: ${flags.isolation}\n  extensions: [${EXTENSIONS.join(", ")}]\n`;
}

/** The peer's own shared database, for `--isolation schema` (tenantctl's control plane creates its own). */
const TOFU_SHARED_DATABASE = "tofu_shared";

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}:\n${(result.stderr || result.stdout).slice(-3000)}`,
    );
}

/** Runs the commands `limit` at a time (setup only: not measured). */
async function runAll(
  commands: readonly { args: readonly string[]; cwd: string; env?: NodeJS.ProcessEnv }[],
  limit: number,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const { args, cwd, env: own } = commands[next++]!;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(args[0]!, args.slice(1), { cwd, env: own ?? env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`${args.join(" ")} exited ${code} in ${cwd}:\n${stderr.slice(-3000)}`)),
        );
      });
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function ensureTofu(): string {
  note("tools/ensure-tofu.sh (builds OpenTofu the first time: minutes)");
  const result = spawnSync("bash", [join(root, "tools", "ensure-tofu.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error(`tools/ensure-tofu.sh failed (exit ${result.status})`);
  return result.stdout.trim().split("\n").pop()!;
}

/** One way of running tenantctl's fleet: its own project, state, slugs and secrets provider. */
interface Variant {
  readonly name: string;
  /** After a measure's label: which variant it is ("" for the default). */
  readonly suffix: string;
  readonly slug: (i: number) => string;
  readonly newSlug: (i: number) => string;
  readonly env: NodeJS.ProcessEnv;
  readonly project: string;
  readonly tenants: string;
}

interface KmsProcess {
  readonly info: KmsProcessInfo;
  stop(): void;
}

/** bench/peer/kmsProcess.ts, started and waited for until it says where it listens. */
function startKmsProcess(dir: string): Promise<KmsProcess> {
  const child = spawn(process.execPath, [join(__dirname, "kmsProcess.js"), dir], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve({ info: JSON.parse(stdout) as KmsProcessInfo, stop: () => child.stdin.end() });
    });
    child.on("exit", (code) => reject(new Error(`bench/peer/kmsProcess.js exited ${code} before it listened`)));
  });
}

interface Row {
  readonly label: string;
  readonly tofu: readonly Cost[];
  readonly tenantctl: readonly Cost[];
}

const fmt = (n: number, unit = "") => `${n.toFixed(2)}${unit}`;

function printRows(rows: readonly Row[]): void {
  const head = `${"measure".padEnd(60)}${"tofu CPU".padStart(10)}${"wall".padStart(8)}${"peak".padStart(8)}   ${"tenantctl CPU".padStart(13)}${"wall".padStart(8)}${"peak".padStart(8)}   ${"CPU ×".padStart(6)}${"wall ×".padStart(8)}`;
  out(head);
  for (const row of rows) {
    const t = {
      cpu: median(row.tofu.map((c) => c.cpu)),
      wall: median(row.tofu.map((c) => c.wall)),
      peak: Math.max(...row.tofu.map((c) => c.peakMiB)),
    };
    const p = {
      cpu: median(row.tenantctl.map((c) => c.cpu)),
      wall: median(row.tenantctl.map((c) => c.wall)),
      peak: Math.max(...row.tenantctl.map((c) => c.peakMiB)),
    };
    out(
      `${row.label.padEnd(60)}${fmt(t.cpu, " s").padStart(10)}${fmt(t.wall, " s").padStart(8)}${`${t.peak.toFixed(0)} MiB`.padStart(8)}   ` +
        `${fmt(p.cpu, " s").padStart(13)}${fmt(p.wall, " s").padStart(8)}${`${p.peak.toFixed(0)} MiB`.padStart(8)}   ` +
        `${`${(p.cpu / t.cpu).toFixed(2)}×`.padStart(6)}${`${(p.wall / t.wall).toFixed(2)}×`.padStart(8)}`,
    );
  }
}

/**
 * The fleet runs seen from the machine: the tool's tree, the PostgreSQL server's backends (outside that tree), and
 * every core's busy time, so a speed-up below the core count can be told apart: cores left idle (the tool waits on
 * itself) or none left (the machine is full, the server included).
 */
function printMachine(runs: readonly { label: string; costs: readonly Cost[] }[], cores: number): void {
  out(
    `${"fleet run (medians)".padEnd(60)}${"wall".padStart(9)}${"tool CPU".padStart(10)}${"server CPU".padStart(12)}${"machine busy".padStart(14)}${"cores used".padStart(12)}`,
  );
  for (const { label, costs } of runs) {
    const m = (pick: (c: Cost) => number) => median(costs.map(pick));
    const wall = m((c) => c.wall);
    const busy = m((c) => c.machine?.busy ?? Number.NaN);
    out(
      `${label.padEnd(60)}${fmt(wall, " s").padStart(9)}${fmt(
        m((c) => c.cpu),
        " s",
      ).padStart(10)}${fmt(
        m((c) => c.machine?.serverCpu ?? Number.NaN),
        " s",
      ).padStart(12)}` + `${fmt(busy, " s").padStart(14)}${`${(busy / wall).toFixed(2)} of ${cores}`.padStart(12)}`,
    );
  }
}

function printBreakdown(title: string, cost: Cost): void {
  const { roles, unattributed } = breakdown(cost);
  out(`\n${title}: ${fmt(cost.cpu, " s")} CPU, ${fmt(cost.wall, " s")} wall, peak ${cost.peakMiB.toFixed(0)} MiB`);
  out(`  ${"process".padEnd(64)}${"count".padStart(6)}${"CPU".padStart(9)}${"peak".padStart(9)}`);
  for (const r of roles)
    out(
      `  ${r.role.padEnd(64)}${String(r.count).padStart(6)}${fmt(r.cpu, " s").padStart(9)}${`${r.peakMiB.toFixed(0)} MiB`.padStart(9)}`,
    );
  out(
    `  ${"(not attributed: processes shorter than a sample, last intervals)".padEnd(64)}${"".padStart(6)}${fmt(unattributed, " s").padStart(9)}`,
  );
}

async function main(): Promise<void> {
  const tofuDir = ensureTofu();
  const engine = await findOrBuildEngine({ repoRoot: root, log: (line) => process.stderr.write(`${line}\n`) });
  if (!engine.available) throw new Error(`no Pulumi engine: ${engine.reason}`);
  const work = mkdtempSync(join(tmpdir(), "tenantctl-bench-peer-"));
  const logs = join(work, "logs");
  mkdirSync(logs);
  let postgres: RunningPostgres | undefined;
  let kms: KmsProcess | undefined;
  let finished = false;
  let step = 0;
  const log = (name: string) => join(logs, `${String(step++).padStart(3, "0")}-${name}.log`);
  try {
    postgres = await startPostgres({ maxConnections: 600 });
    const server = { host: postgres.host, port: postgres.port, user: postgres.user };
    // Every measure also says what the server and the whole machine spent meanwhile (machineCpu.ts).
    const serverPid = Number(readFileSync(join(postgres.rootDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const measure = (command: readonly string[], options: Omit<MeasureOptions, "serverPid">) =>
      measureCommand(command, { ...options, serverPid });

    // tenantctl's projects: the repository's program and template, N tenant files, committed (the engine looks at git).
    // Two fleets on the same server, one per secrets provider: the default passphrase, and a KMS key.
    // Each fleet's control plane has a shared database of its own on the server.
    const makeProject = (dir: string, slugs: readonly string[], sharedDatabase: string) => {
      mkdirSync(join(dir, "tenants"), { recursive: true });
      writeFileSync(
        join(dir, "Pulumi.yaml"),
        readFileSync(join(root, "Pulumi.yaml"), "utf8").replace(
          /^main: .*$/m,
          `main: ${join(root, "dist", "infra", "program.js")}`,
        ),
      );
      writeFileSync(
        join(dir, "tenants", "_control-plane.yaml"),
        readFileSync(join(root, "tenants", "_control-plane.yaml"), "utf8")
          .replace(/maxConnections: \d+/, "maxConnections: 10000000")
          .replace(/sharedDatabase: \w+/, `sharedDatabase: ${sharedDatabase}`),
      );
      for (const slug of slugs) writeFileSync(join(dir, "tenants", `${slug}.yaml`), tenantFile(slug));
      run("git", ["init", "-q"], dir, process.env);
      run("git", ["add", "-A"], dir, process.env);
      run(
        "git",
        ["-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "fleet"],
        dir,
        process.env,
      );
    };
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...engineEnv(engine.binDir),
      PULUMI_HOME: join(work, "pulumi-home"),
      TENANTCTL_DISABLE: "dns,tls,auth",
      TENANTCTL_DATABASE_SERVERS: databaseServersJson([{ name: "primary", postgres }]),
    };
    kms = await startKmsProcess(work);
    const {
      PULUMI_CONFIG_PASSPHRASE: _passphrase,
      PULUMI_CONFIG_PASSPHRASE_FILE: _passphraseFile,
      ...withoutPassphrase
    } = baseEnv;
    const variants: Variant[] = [
      {
        name: "passphrase",
        suffix: "",
        slug: slugOf,
        newSlug: newSlugOf,
        env: { ...baseEnv, PULUMI_CONFIG_PASSPHRASE: "bench" },
      },
      {
        name: "kms",
        suffix: " (KMS secrets)",
        slug: numbered("k"),
        newSlug: numbered("m"),
        env: { ...withoutPassphrase, ...kms.info.env, TENANTCTL_SECRETS_PROVIDER: kms.info.secretsProvider },
      },
    ]
      .filter((v) => !flags.scaleOnly || v.name === "passphrase")
      .map((v) => {
        const project = join(work, `project-${v.name}`);
        const state = join(work, `state-${v.name}`);
        mkdirSync(state);
        makeProject(
          project,
          Array.from({ length: flags.tenants }, (_, i) => v.slug(i)),
          `tenants_${v.name}`,
        );
        return {
          ...v,
          project,
          tenants: join(project, "tenants"),
          env: { ...v.env, PULUMI_BACKEND_URL: `file://${state}` },
        };
      });
    const tenantctl = (...args: string[]) => [process.execPath, join(root, "bin", "tenantctl.js"), ...args];

    // The peer: one module per tenant, its own state beside it.
    const modules = join(work, "tofu");
    const tofuEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(tofuDir, "tofurc"),
      TF_PLUGIN_CACHE_DIR: join(work, "tofu-plugin-cache"),
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      TF_VAR_admin_password: postgres.password,
    };
    mkdirSync(join(work, "tofu-plugin-cache"));
    const tofu = join(tofuDir, "bin", "tofu");
    if (flags.isolation === "schema") {
      const admin = new Client({ connectionString: postgres.connectionString() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${TOFU_SHARED_DATABASE}`).finally(() => admin.end());
      // The shared extensions exist before two modules at a time would race to create them (IF NOT EXISTS is not
      // safe against a concurrent CREATE).
      const shared = new Client({ connectionString: postgres.connectionString(TOFU_SHARED_DATABASE) });
      await shared.connect();
      await shared
        .query(EXTENSIONS.map((e) => `CREATE EXTENSION IF NOT EXISTS ${e}`).join(";"))
        .finally(() => shared.end());
    }
    const moduleOf = (name: string) =>
      writeTofuModule(
        join(modules, name),
        {
          identifier: `tofu_${name}`,
          connectionLimit: CONNECTION_LIMIT,
          extensions: EXTENSIONS,
          ...(flags.isolation === "schema" ? { sharedDatabase: TOFU_SHARED_DATABASE } : {}),
        },
        server,
      );
    const passwordEnv = (env: NodeJS.ProcessEnv) => ({
      ...env,
      TF_VAR_tenant_password: randomBytes(24).toString("base64url"),
    });
    if (flags.tofuSample > 0 && !flags.scaleOnly) throw new Error("--tofu-sample goes with --scale-only");
    const tofuModules = flags.tofuSample > 0 ? Math.min(flags.tofuSample, flags.tenants) : flags.tenants;
    const fleetModules = Array.from({ length: tofuModules }, (_, i) => moduleOf(slugOf(i)));

    note(
      `setup: tenantctl up --all of ${flags.tenants} tenants (+ control-plane), tofu init + apply of ${tofuModules} modules`,
    );
    const setupUp = variants.map((v) =>
      measure(tenantctl("up", "--all", "--parallel", "2", "--format", "json"), {
        cwd: v.project,
        env: v.env,
        log: log(`setup-tenantctl-up-all-${v.name}`),
      }),
    );
    // `tofu init` once: two inits sharing a plugin cache can panic (v1.12.6, providercache LinkFromOtherCache), and
    // a thousand one at a time take a quarter of an hour. The other modules get the same `.terraform` (a link into the
    // plugin cache) and lock file, which is what init would have written for them.
    run(tofu, ["init", "-input=false", "-no-color"], fleetModules[0]!, tofuEnv);
    for (const dir of fleetModules.slice(1)) {
      cpSync(join(fleetModules[0]!, ".terraform"), join(dir, ".terraform"), {
        recursive: true,
        verbatimSymlinks: true,
      });
      cpSync(join(fleetModules[0]!, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
    }
    // Each module gets its own password, as each tenant stack generates its own; two modules at a time.
    // Then one refresh-only apply: the provider reads a role's `roles` back as [] where the state after create says
    // null, so the first refresh-only plan after an apply always reports that; a tofu user settles it once like this.
    const apply = [tofu, "apply", "-auto-approve", "-input=false", "-no-color"].map((a) => JSON.stringify(a)).join(" ");
    await runAll(
      fleetModules.map((dir) => ({
        args: ["bash", "-c", `${apply} && ${apply} -refresh-only`],
        cwd: dir,
        env: passwordEnv(tofuEnv),
      })),
      2,
      tofuEnv,
    );
    note(
      `setup done (tenantctl up --all took ${setupUp.map((c, i) => `${c.wall.toFixed(0)} s wall, ${c.cpu.toFixed(0)} s CPU with ${variants[i]!.name}`).join("; ")})`,
    );

    const rows: Row[] = [];
    const fleetRuns: { label: string; costs: readonly Cost[] }[] = [];
    const speedups: { label: string; value: number }[] = [];
    const plan = [tofu, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color"];
    const list = join(work, "modules.txt");
    writeFileSync(list, `${fleetModules.join("\n")}\n`);
    // Two at a time, as tenantctl --parallel 2: xargs keeps two tofu processes running.
    const tofuFleet = [
      "bash",
      "-c",
      `xargs -P 2 -I{} ${plan
        .map((a) => JSON.stringify(a))
        .join(" ")
        .replace(JSON.stringify(tofu), `${JSON.stringify(tofu)} -chdir={}`)} <${JSON.stringify(list)}`,
    ];
    // Drift at fleet scale (issue 24): the scan against tofu's plans, clean and with 1% drifted.
    const scale = () =>
      measureFleetScan({
        tenants: flags.tenants,
        tofuPlans: tofuModules,
        rounds: Math.max(1, flags.fleetRounds),
        slug: variants[0]!.slug,
        tenantctl,
        tofuFleet,
        tofuEnv: () => passwordEnv(tofuEnv),
        modules,
        project: variants[0]!.project,
        env: variants[0]!.env,
        server: { ...server, password: postgres!.password },
        connectionLimit: CONNECTION_LIMIT,
        measure,
        log,
        note,
        out,
      });
    if (flags.scaleOnly) {
      if (flags.tenants > 0) await scale();
      finished = true;
      return;
    }
    if (flags.fleetRounds > 0 && flags.tenants > 0) {
      // And one at a time: how much faster two at a time is for the peer, on the same cores beside the same server.
      const tofuFleetSerial = ["bash", "-c", tofuFleet[2]!.replace("xargs -P 2", "xargs -P 1")];
      const fleet = {
        tofu: [] as Cost[],
        tofu1: [] as Cost[],
        p2: variants.map((): Cost[] => []),
        p1: variants.map((): Cost[] => []),
      };
      for (let r = 0; r < flags.fleetRounds; r++) {
        note(`fleet round ${r + 1}/${flags.fleetRounds}: ${flags.tenants} tofu plans 2 at a time`);
        fleet.tofu.push(measure(tofuFleet, { cwd: modules, env: passwordEnv(tofuEnv), log: log("fleet-tofu") }));
        note(`fleet round ${r + 1}/${flags.fleetRounds}: ${flags.tenants} tofu plans one at a time`);
        fleet.tofu1.push(
          measure(tofuFleetSerial, { cwd: modules, env: passwordEnv(tofuEnv), log: log("fleet-tofu-p1") }),
        );
        variants.forEach((v, i) => {
          note(`fleet round ${r + 1}/${flags.fleetRounds}: tenantctl drift --all --parallel 2${v.suffix}`);
          fleet.p2[i]!.push(
            measure(tenantctl("drift", "--all", "--engine", "--parallel", "2", "--format", "json"), {
              cwd: v.project,
              env: v.env,
              log: log(`fleet-drift-p2-${v.name}`),
            }),
          );
          note(`fleet round ${r + 1}/${flags.fleetRounds}: tenantctl drift --all --parallel 1${v.suffix}`);
          fleet.p1[i]!.push(
            measure(tenantctl("drift", "--all", "--engine", "--parallel", "1", "--format", "json"), {
              cwd: v.project,
              env: v.env,
              log: log(`fleet-drift-p1-${v.name}`),
            }),
          );
        });
      }
      fleetRuns.push(
        { label: `tofu: ${flags.tenants} plans, 2 at a time`, costs: fleet.tofu },
        { label: `tofu: ${flags.tenants} plans, one at a time`, costs: fleet.tofu1 },
      );
      speedups.push({
        label: "tofu",
        value: median(fleet.tofu1.map((c) => c.wall)) / median(fleet.tofu.map((c) => c.wall)),
      });
      variants.forEach((v, i) => {
        rows.push({
          label: `drift of ${flags.tenants} tenants, 2 at a time${v.suffix}`,
          tofu: fleet.tofu,
          tenantctl: fleet.p2[i]!,
        });
        rows.push({
          label: `drift of ${flags.tenants} tenants, one at a time${v.suffix}`,
          tofu: fleet.tofu1,
          tenantctl: fleet.p1[i]!,
        });
        fleetRuns.push(
          { label: `tenantctl drift --all --engine --parallel 2${v.suffix}`, costs: fleet.p2[i]! },
          { label: `tenantctl drift --all --engine --parallel 1${v.suffix}`, costs: fleet.p1[i]! },
        );
        speedups.push({
          label: `tenantctl${v.suffix}`,
          value: median(fleet.p1[i]!.map((c) => c.wall)) / median(fleet.p2[i]!.map((c) => c.wall)),
        });
      });
    }

    // One tenant: drift of an existing one, up of a new one (its file and module written before, untimed).
    const single = {
      tofuPlan: [] as Cost[],
      drift: variants.map((): Cost[] => []),
      tofuApply: [] as Cost[],
      up: variants.map((): Cost[] => []),
    };
    const hasFleet = flags.tenants > 0;
    for (let r = 0; r < flags.rounds; r++) {
      note(`round ${r + 1}/${flags.rounds}: one tenant's drift and one new tenant`);
      if (hasFleet) {
        single.tofuPlan.push(
          measure(plan, { cwd: fleetModules[0]!, env: passwordEnv(tofuEnv), log: log("tofu-plan") }),
        );
        variants.forEach(
          (v, i) =>
            void single.drift[i]!.push(
              measure(tenantctl("drift", v.slug(0), "--format", "json"), {
                cwd: v.project,
                env: v.env,
                log: log(`tenantctl-drift-${v.name}`),
              }),
            ),
        );
      }
      const dir = moduleOf(newSlugOf(r));
      run(tofu, ["init", "-input=false", "-no-color"], dir, tofuEnv);
      single.tofuApply.push(
        measure([tofu, "apply", "-auto-approve", "-input=false", "-no-color"], {
          cwd: dir,
          env: passwordEnv(tofuEnv),
          log: log("tofu-apply"),
        }),
      );
      variants.forEach((v, i) => {
        writeFileSync(join(v.tenants, `${v.newSlug(r)}.yaml`), tenantFile(v.newSlug(r)));
        single.up[i]!.push(
          measure(tenantctl("up", v.newSlug(r), "--format", "json"), {
            cwd: v.project,
            env: v.env,
            log: log(`tenantctl-up-${v.name}`),
          }),
        );
      });
    }
    const singleRows: Row[] = [];
    variants.forEach((v, i) => {
      if (hasFleet)
        singleRows.push({
          label: `drift, one tenant (plan -refresh-only | drift)${v.suffix}`,
          tofu: single.tofuPlan,
          tenantctl: single.drift[i]!,
        });
      singleRows.push({
        label: `one new tenant (apply | up)${v.suffix}`,
        tofu: single.tofuApply,
        tenantctl: single.up[i]!,
      });
    });

    note("per-process breakdown (sampled /proc every 10 ms)");
    const sampled = { sampleMs: 10 };
    const b = flags.rounds;
    const bDir = moduleOf(newSlugOf(b));
    run(tofu, ["init", "-input=false", "-no-color"], bDir, tofuEnv);
    const breakdowns: [string, Cost][] = [];
    for (const v of variants) {
      writeFileSync(join(v.tenants, `${v.newSlug(b)}.yaml`), tenantFile(v.newSlug(b)));
      if (hasFleet)
        breakdowns.push([
          `tenantctl drift ${v.slug(0)}${v.suffix}`,
          measure(tenantctl("drift", v.slug(0), "--format", "json"), {
            cwd: v.project,
            env: v.env,
            log: log(`breakdown-drift-${v.name}`),
            ...sampled,
          }),
        ]);
    }
    if (hasFleet)
      breakdowns.push([
        "tofu plan -refresh-only",
        measure(plan, {
          cwd: fleetModules[0]!,
          env: passwordEnv(tofuEnv),
          log: log("breakdown-tofu-plan"),
          ...sampled,
        }),
      ]);
    for (const v of variants)
      breakdowns.push([
        `tenantctl up ${v.newSlug(b)} (new)${v.suffix}`,
        measure(tenantctl("up", v.newSlug(b), "--format", "json"), {
          cwd: v.project,
          env: v.env,
          log: log(`breakdown-up-${v.name}`),
          ...sampled,
        }),
      ]);
    breakdowns.push([
      "tofu apply (new)",
      measure([tofu, "apply", "-auto-approve", "-input=false", "-no-color"], {
        cwd: bDir,
        env: passwordEnv(tofuEnv),
        log: log("breakdown-tofu-apply"),
        ...sampled,
      }),
    ]);
    const kmsCpu = processCpuSeconds(kms.info.pid);

    out(
      `tenantctl vs OpenTofu v1.12.6 (+ terraform-provider-postgresql v1.27.0), one PostgreSQL ${postgres.host}:${postgres.port}`,
    );
    out(
      `CPU = user+system of the whole process tree; peak = largest process; medians of ${flags.rounds} rounds (fleet: ${flags.fleetRounds}); × = tenantctl / tofu`,
    );
    printRows([...singleRows, ...rows]);
    out(`goal: tenantctl CPU ≤ 2× tofu's on each measure`);
    out(
      `(KMS secrets: TENANTCTL_SECRETS_PROVIDER=awskms://…, AWS KMS's API served over HTTPS on 127.0.0.1 by bench/peer/kmsProcess.ts, which spent ${fmt(kmsCpu, " s")} of CPU in all; not counted above)`,
    );
    if (speedups.length > 0) {
      out(
        `\n2 at a time vs one at a time (wall; goal for tenantctl ≥ 1.7×): ${speedups.map((s) => `${s.label} ${s.value.toFixed(2)}×`).join(", ")}`,
      );
      printMachine(fleetRuns, cpus().length);
    }
    for (const [title, cost] of breakdowns) printBreakdown(title, cost);
    if (flags.fleetRounds > 0 && flags.tenants > 0) await scale();
    // Every sampled process (pid, parent, command line, CPU, peak), for a closer look.
    writeFileSync(
      join(logs, "breakdowns.json"),
      JSON.stringify(
        breakdowns.map(([title, cost]) => ({ title, ...cost })),
        null,
        1,
      ),
    );
    if (flags.keep) note(`kept ${work} (logs in ${logs})`);
    finished = true;
  } finally {
    kms?.stop();
    await postgres?.stop();
    // A run that failed (an hour into a 1,000-tenant setup, say) keeps every command's whole log for a look at why.
    if (!finished && !flags.keep) {
      const kept = mkdtempSync(join(tmpdir(), "tenantctl-bench-peer-logs-"));
      cpSync(logs, kept, { recursive: true });
      note(`failed: the logs of its commands are in ${kept}`);
    }
    if (!flags.keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:peer: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
