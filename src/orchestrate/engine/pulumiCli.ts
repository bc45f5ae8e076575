/**
 * The Pulumi CLI on PATH, for every workspace of every run of the process, with its version.
 *
 * The Automation API learns the CLI's version by running `pulumi version` (`PulumiCommand.get`): its minimum-version
 * check, and how it knows which flags and event-log protocol the CLI speaks. That is one more CLI start per run,
 * about 0.3 s of CPU, more than one tenant's refresh costs the PostgreSQL provider. The answer only changes when the
 * binary does, so it is remembered in the tools cache, keyed by the binary's real path, size, inode and mtime: a
 * rebuilt, upgraded or replaced CLI is asked again. A cache that cannot be read or written only costs the call.
 */
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { parse as parseVersion, type SemVer } from "semver";
import { SetupError } from "../../core/errors";
import { findOnPath } from "./findOnPath";
import { pulumiAutomation } from "./sdkPatches";

const CACHE_FILE = "pulumi-cli-versions.json";

/** One lookup per PATH per process; a failed one (no CLI yet) is not remembered. */
let cli: { path: string | undefined; command: Promise<PulumiCommand> } | undefined;

export function pulumiCli(env: Readonly<Record<string, string | undefined>> = process.env): Promise<PulumiCommand> {
  if (!cli || cli.path !== env["PATH"]) {
    const command = lookUpPulumiCli(env);
    cli = { path: env["PATH"], command };
    command.catch(() => (cli = undefined));
  }
  return cli.command;
}

/**
 * The CLI on PATH and its version: from the cache when this binary was asked before, else by asking it. `env` is the
 * run's environment: the process's, or the sandbox's with the pinned engine first on PATH. PulumiCommand.get runs
 * `<root>/bin/pulumi` when given a root, else `pulumi` from the process's own PATH: a CLI in a directory not named
 * `bin` is asked through the process's PATH.
 */
export async function lookUpPulumiCli(env: Readonly<Record<string, string | undefined>>): Promise<PulumiCommand> {
  const automation = await pulumiAutomation();
  const dir = findOnPath("pulumi", env);
  if (!dir) {
    throw new SetupError(
      "the Pulumi CLI (`pulumi`) is not on PATH: install it (https://www.pulumi.com/docs/install/), or build the pinned one with `tools/ensure-pulumi.sh` and put the directory it prints on PATH",
    );
  }
  const binary = join(dir, "pulumi");
  const key = binaryKey(binary);
  const cacheFile = join(toolsCacheDir(env), CACHE_FILE);
  const cache = readCache(cacheFile);
  const known = key ? cache[key] : undefined;
  const version = known ? parseVersion(known) : null;
  if (version) {
    // What `PulumiCommand.get` would return (its constructor is private in the types only), without asking again.
    const construct = automation.PulumiCommand as unknown as new (
      command: string,
      version: SemVer | null,
    ) => PulumiCommand;
    return Reflect.construct(construct, [binary, version]);
  }
  let command: PulumiCommand;
  try {
    command = await automation.PulumiCommand.get(basename(dir) === "bin" ? { root: dirname(dir) } : undefined);
  } catch (error) {
    // Too old a CLI, or one that does not run: the Automation API's message says which.
    throw new SetupError(`\`${binary} version\` was refused: ${(error as Error).message.split("\n")[0]}`);
  }
  // Only a version that passed the minimum-version check is remembered (a hit is not checked again).
  if (key && command.version && !env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"])
    writeCache(cacheFile, { ...cache, [key]: command.version.version });
  return command;
}

/**
 * What identifies one build of the binary: a rebuilt or replaced file (or symlink target) differs in at least one of
 * these. The path it was found at is part of it, so two installations never share an answer.
 */
export function binaryKey(binary: string): string | undefined {
  try {
    const real = realpathSync(binary);
    const stat = statSync(real);
    return `${binary}|${real}|${stat.size}|${stat.ino}|${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Where tools/ensure-pulumi.sh and tools/ensure-tofu.sh keep what they build. */
export function toolsCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return (
    env["TENANTCTL_TOOLS_CACHE"] ?? join(env["XDG_CACHE_HOME"] ?? join(env["HOME"] ?? homedir(), ".cache"), "tenantctl")
  );
}

function readCache(file: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function writeCache(file: string, entries: Record<string, string>): void {
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    // Written aside and renamed: a run reading it at the same time sees the old file or the new one, never half.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, `${JSON.stringify(entries, null, 1)}\n`);
    renameSync(partial, file);
  } catch {
    // Only a cache.
  }
}
