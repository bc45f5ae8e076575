/**
 * Flag parsing only. Each command's module is loaded when that command runs, so `validate` never pays for
 * Pulumi's start-up. Each command returns how it ended (an Outcome) or throws an error kind; exitCodes.ts maps both
 * to the exit code (docs/output.md), and this is the only place that sets it or exits.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { Outcome } from "../core/errors";
import { DEFAULT_LOCK_TIMEOUT_MS, parseDuration } from "../orchestrate/run/locks";
import { parseShard, type Shard } from "../orchestrate/select/shard";

import { EXIT, exitCodeOf, exitForError } from "./exitCodes";

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

function dirOption() {
  return new Option("--dir <dir>", "tenants directory").default("tenants");
}

function formatOption(formats: readonly string[]) {
  return new Option("--format <format>", "output format").choices(formats).default("text");
}

function outputOption() {
  return new Option(
    "--output <file>",
    "write the report to this file instead of stdout; repeatable, *.json and *.md in their own format",
  ).argParser((file: string, previous: string[] | undefined) => [...(previous ?? []), file]);
}

function parallelOption() {
  return new Option("--parallel <n>", "stacks run at once").default(2).argParser(positiveInteger);
}

function lockTimeoutOption() {
  return new Option("--lock-timeout <duration>", "how long to wait for another run's lock on a stack (30s, 5m, 1h)")
    .default(DEFAULT_LOCK_TIMEOUT_MS, "5m")
    .argParser(lockTimeout);
}

function shardOption() {
  return new Option(
    "--shard <i/n>",
    "only the i-th of n parts of the tenant stacks (never control-plane), for a CI matrix",
  ).argParser(shard);
}

function buildProgram(setExit: (outcome: Outcome) => void): Command {
  const program = new Command("tenantctl")
    .description("One YAML file per tenant, one Pulumi stack per tenant.")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command("validate")
    .description("schema, resolution and fleet rules; no Pulumi")
    .addOption(dirOption())
    .addOption(formatOption(["text", "json", "github"]))
    .action(async (options: { dir: string; format: "text" | "json" | "github" }) => {
      const { validate } = await import("../commands/validate");
      setExit(validate(options, out));
    });

  program
    .command("explain")
    .description("resolved values with the layer that set each")
    .argument("<slug>", "tenant slug")
    .argument("[key]", "dotted key or prefix, e.g. settings.security")
    .addOption(dirOption())
    .addOption(formatOption(["text", "json"]))
    .action(async (slug: string, key: string | undefined, options: { dir: string; format: "text" | "json" }) => {
      const { explain } = await import("../commands/explain");
      setExit(explain(slug, key, options, out, err));
    });

  program
    .command("plan")
    .description(
      "offline render of each tenant stack's resources; with --base, what changes against that ref; no engine, no credentials",
    )
    .argument("[slugs...]", "tenant slugs (or control-plane); default: every stack")
    .option("--base <ref>", "git ref to compare with, e.g. origin/main")
    .addOption(shardOption())
    .addOption(dirOption())
    .addOption(formatOption(["text", "json", "markdown"]))
    .addOption(outputOption())
    .action(
      async (
        slugs: string[],
        options: { dir: string; base?: string; shard?: Shard; format: "text" | "json" | "markdown"; output?: string[] },
      ) => {
        const { plan } = await import("../commands/plan");
        setExit(await plan(slugs, options, out, err));
      },
    );

  for (const operation of ["preview", "up", "drift", "destroy"] as const) {
    const descriptions = {
      preview: "preview the selected tenant stacks with the real engine",
      up: "deploy the selected tenant stacks",
      drift: "compare every selected stack with the real world; writes no state; exit 3 when drift is found",
      destroy: "bring the named stacks down; databases, schemas and their rows are retained",
    };
    const command = program
      .command(operation)
      .description(descriptions[operation])
      .argument("[slugs...]", "tenant slugs (or control-plane)")
      .option("--all", "every tenant (and the control-plane stack)")
      .option("--changed", "tenants whose effective spec changed against --base")
      .option("--base <ref>", "git ref to compare with, e.g. origin/main")
      .addOption(dirOption())
      .addOption(parallelOption())
      .addOption(shardOption())
      .addOption(lockTimeoutOption())
      .addOption(formatOption(["text", "json", "markdown"]))
      .addOption(outputOption());
    // drift --all scans the fleet in bulk first (src/orchestrate/scan/): these choose the engine, and what is listed.
    if (operation === "drift")
      command
        .option("--engine", "ask the engine's refreshing preview for every stack, without the scan first")
        .addOption(
          new Option(
            "--unmanaged <which>",
            "objects no tenant file owns: under tenantctl's names, or every non-system one",
          )
            .choices(["names", "all"])
            .default("names"),
        );
    command.action(
      async (
        slugs: string[],
        options: StackRunOptions & SelectionOptions & WaveOptions & { engine?: boolean; unmanaged?: "names" | "all" },
      ) => {
        const { runOperation } = await import("../commands/run");
        setExit(
          await runningStacks(options, (runOptions, signal) =>
            runOperation(operation, slugs, { ...runOptions, ...pauseOf(options) }, out, err, signal),
          ),
        );
      },
    );
    if (operation === "up") wavesOptions(command);
  }

  wavesOptions(
    program
      .command("migrate")
      .description(
        "apply the migrations to the selected tenants, as each tenant's role, in waves; exit 1 when one failed or a wave halted",
      )
      .argument("[slugs...]", "tenant slugs")
      .option("--all", "every tenant")
      .option("--changed", "tenants whose effective spec changed against --base (every tenant when the migrations did)")
      .option("--base <ref>", "git ref to compare with, e.g. origin/main")
      .option("--to <version>", "the version to reach (default: the latest migration)", wholeNumber),
  )
    .addOption(dirOption())
    .addOption(new Option("--parallel <n>", "tenants migrated at once").default(4).argParser(positiveInteger))
    .addOption(shardOption())
    .addOption(lockTimeoutOption())
    .addOption(formatOption(["text", "json", "markdown"]))
    .addOption(outputOption())
    .action(
      async (
        slugs: string[],
        options: StackRunOptions & SelectionOptions & WaveOptions & { to?: number; maxFailures: number },
      ) => {
        const { migrate } = await import("../commands/migrate");
        setExit(
          await runningStacks(options, (runOptions, signal) =>
            migrate(slugs, { ...runOptions, ...pauseOf(options) }, out, err, signal),
          ),
        );
      },
    );

  program
    .command("rotate")
    .description(
      "new passwords for tenant roles (and with --all or --runtime the runtime role), with no window in which an app following the documented pattern fails to connect",
    )
    .argument("[slugs...]", "tenants whose role gets a new password")
    .option("--all", "every tenant's role, and the runtime role")
    .option("--runtime", "the runtime role (tenantctl_runtime), on every database server")
    .option(
      "--credentials-file <file>",
      "the runtime role's credentials file apps read (default: $TENANTCTL_RUNTIME_CREDENTIALS_FILE)",
    )
    .addOption(dirOption())
    .addOption(parallelOption())
    .addOption(lockTimeoutOption())
    .addOption(formatOption(["text", "json", "markdown"]))
    .addOption(outputOption())
    .action(
      async (
        slugs: string[],
        options: StackRunOptions & { all?: boolean; runtime?: boolean; credentialsFile?: string },
      ) => {
        const { rotateCommand } = await import("../commands/rotate");
        setExit(
          await runningStacks(options, (runOptions, signal) => rotateCommand(slugs, runOptions, out, err, signal)),
        );
      },
    );

  program
    .command("adopt")
    .description(
      "bring existing databases, schemas and roles of these tenants under their stacks (import); what differs is refused, never overwritten",
    )
    .argument("<slugs...>", "tenant slugs (or control-plane, for the shared databases)")
    .option("--dry-run", "preview what would be imported and what refused; changes nothing")
    .addOption(dirOption())
    .addOption(parallelOption())
    .addOption(lockTimeoutOption())
    .addOption(formatOption(["text", "json", "markdown"]))
    .addOption(outputOption())
    .action(async (slugs: string[], options: StackRunOptions & { dryRun?: boolean }) => {
      const { adopt } = await import("../commands/adopt");
      setExit(await runningStacks(options, (runOptions, signal) => adopt(slugs, runOptions, out, err, signal)));
    });

  program
    .command("archive")
    .description("write a verified pg_dump of a decommissioned tenant's database or schema (nothing is dropped)")
    .argument("<slug>", "tenant slug")
    .option("--to <dir>", "where the archive goes", "archives")
    .addOption(dirOption())
    .addOption(formatOption(["text", "json"]))
    .action(async (slug: string, options: { dir: string; to: string; format: "text" | "json" }) => {
      const { archive } = await import("../commands/archive");
      setExit(await archive(slug, options, out, err));
    });

  program
    .command("unlock")
    .description("remove a stack's lock once its holder is gone (refused while it runs on this host)")
    .argument("<slug>", "tenant slug, or control-plane")
    .action(async (slug: string) => {
      const { unlock } = await import("../commands/unlock");
      setExit(unlock(slug, out, err));
    });

  program
    .command("sandbox")
    .description(
      "start a throwaway PostgreSQL (and optionally AuthHero) and run a real `up --all` of the fleet into it (DNS and TLS off; auth off unless --auth)",
    )
    .addOption(dirOption())
    .option("--keep", "leave PostgreSQL running afterwards, and print how to look at it and stop it")
    .option("--auth <provider>", "also start a local auth server and deploy the fleet's auth into it: authhero")
    .option("--tls", "also start Pebble (ACME CA) and Caddy, and serve the custom domains with tls.provider acme")
    .option("--dns", "also start a local PowerDNS with the template's zone and write the tenants' records into it")
    .option("--stop", "stop the sandbox a `--keep` left running here, and remove .tenantctl/sandbox/")
    .action(async (options: { dir: string; keep?: boolean; stop?: boolean; auth?: string; tls?: boolean }) => {
      const { sandbox } = await import("../commands/sandbox");
      setExit(await whileInterruptible((signal) => sandbox(options, out, err, signal)));
    });

  // For contributors (`npm run schemas`), after a change to src/core/schema/schema.ts; not part of the product.
  program
    .command("schemas", { hidden: true })
    .description("write the JSON Schema files for editors, generated from the zod schemas")
    .addOption(dirOption())
    .action(async (options: { dir: string }) => {
      const { writeSchemas } = await import("../commands/schemas");
      setExit(writeSchemas(options.dir, out));
    });

  return program;
}

/** The options every command that runs stacks with the engine takes (up, preview, drift, destroy, adopt). */
interface StackRunOptions {
  dir: string;
  parallel: number;
  lockTimeout: number;
  format: "text" | "json" | "markdown";
  output?: string[];
}

/** Which stacks a run takes besides the named ones: `--all`, `--changed --base <ref>`, and `--shard i/n`. */
interface SelectionOptions {
  all?: boolean;
  changed?: boolean;
  base?: string;
  shard?: Shard;
}

/** What wavesOptions adds (`up`, `migrate`); `--pause` is parsed into milliseconds. */
interface WaveOptions {
  waves?: string;
  maxFailures?: number;
  pause?: number;
}

/** `--pause` as the run takes it: `pauseMs`, only when given. */
const pauseOf = (options: WaveOptions) => (options.pause !== undefined ? { pauseMs: options.pause } : {});

/**
 * A command that runs stacks, as each of them is run: interruptible, given the lock wait in milliseconds and a live
 * view when a person watches.
 */
function runningStacks<O extends StackRunOptions, T>(
  options: O,
  command: (options: O & { lockTimeoutMs: number; liveProgress: boolean }, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const runOptions = { ...options, lockTimeoutMs: options.lockTimeout, liveProgress: watchedTerminal() };
  return whileInterruptible((signal) => command(runOptions, signal));
}

/**
 * Ctrl-C or SIGTERM during a run: the first starts no new stack and cancels the running ones through the engine, and
 * the run still ends with its report (exit 130); a second stops at once.
 */
async function whileInterruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      err(`\ntenantctl: ${signal} again: stopping now\n`);
      process.exit(EXIT.interrupted);
    }
    err(`\ntenantctl: ${signal}: no new stack starts; the running ones are being cancelled (again to stop at once)\n`);
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await run(interrupt.signal);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

/** A person watching a terminal gets a live view; CI logs and pipes get timestamped lines. */
function watchedTerminal(): boolean {
  return process.stderr.isTTY === true && !process.env["CI"] && process.env["TERM"] !== "dumb";
}

function lockTimeout(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--lock-timeout [^:]*: /, ""));
  }
}

function shard(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--shard [^:]*: /, ""));
  }
}

/** `--waves`, `--max-failures` and `--pause`: `migrate` and `up` roll out the same way (src/orchestrate/waves/). */
function wavesOptions(command: Command): Command {
  return command
    .option(
      "--waves <spec>",
      "rollout order: counts (1), cumulative shares (25%) or rollout groups (canary), e.g. 1,5%,25%,100%",
    )
    .addOption(
      new Option("--max-failures <n>", "failures a wave may end with and the next still start")
        .default(0)
        .argParser(wholeNumber),
    )
    .option("--pause <duration>", "wait between waves (30s, 5m)", pause);
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function pause(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError("expected a duration such as 30s, 5m or 1h");
  }
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
}

export async function main(argv: readonly string[]): Promise<void> {
  // `tenantctl validate | head` closes our stdout early: that is the reader's choice, not an error. Once per process
  // (the tests call main many times in one).
  if (!process.stdout.listeners("error").includes(onStdoutError)) process.stdout.on("error", onStdoutError);
  let exitCode: number = EXIT.ok;
  const program = buildProgram((outcome) => (exitCode = exitCodeOf(outcome)));
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    const { message, code } = exitForError(error);
    if (message) err(message);
    exitCode = code;
  }
  process.exitCode = exitCode;
}
