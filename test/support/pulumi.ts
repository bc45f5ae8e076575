/**
 * Test access to the real Pulumi engine prepared by `pulumiGlobalSetup.ts`, and throwaway project directories
 * for the e2e: a Pulumi.yaml running this repository's compiled program, and a copy of the example fleet
 * that a test may edit.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { inject } from "vitest";
import type { PostgresConnection } from "../../src/sandbox/postgres";

export interface PulumiEngine {
  /** Where `pulumi` and the plugins are; already first on PATH in test workers. */
  readonly binDir: string;
  /** The file backend's directory (PULUMI_BACKEND_URL). */
  readonly backendDir: string;
  /** PULUMI_CONFIG_PASSPHRASE, already set in test workers. */
  readonly passphrase: string;
  readonly repoRoot: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The engine of the e2e global setup (without one, the setup fails the run). */
    pulumi: PulumiEngine;
  }
}

/** The global setup's engine. */
export function pulumiEngine(): PulumiEngine {
  return inject("pulumi");
}

/** `TENANTCTL_DATABASE_SERVERS` pointing the template's `primary` server at the test cluster. */
export function databaseServersEnv(server: PostgresConnection): string {
  return JSON.stringify({
    primary: {
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      sslmode: "disable",
    },
  });
}

export interface TempProject {
  /** Holds Pulumi.yaml and tenants/. */
  readonly dir: string;
  readonly tenantsDir: string;
  /** Reads, writes or deletes (`undefined`) a file of the fleet copy, e.g. `tenant("globex.yaml")`. */
  readFile(name: string): string;
  writeFile(name: string, text: string | undefined): void;
  remove(): void;
}

/**
 * A project dir with a copy of the example fleet and a Pulumi.yaml whose `main` is the repository's compiled
 * program by absolute path (the engine accepts an absolute `main`; the program runs in its directory and finds
 * @pulumi/pulumi, pg and the dynamic-provider host through the repository's node_modules, so no symlinks).
 */
export function tempProject(
  repoRoot: string,
  prefix = "tenantctl-e2e-",
  { withMigrations = false }: { readonly withMigrations?: boolean } = {},
): TempProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tenantsDir = join(dir, "tenants");
  cpSync(join(repoRoot, "tenants"), tenantsDir, { recursive: true });
  // `withMigrations`: the repository's migrations beside the tenants, as in a real project. Without them the
  // template's default folder is absent, which means no migrations: what most e2e tests want to keep their stacks small.
  if (withMigrations) cpSync(join(repoRoot, "migrations"), join(dir, "migrations"), { recursive: true });
  const projectFile = readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8");
  const main = join(repoRoot, "dist", "infra", "program.js");
  if (!/^main: .*$/m.test(projectFile))
    throw new Error("Pulumi.yaml has no `main:` line to point at the compiled program");
  writeFileSync(join(dir, "Pulumi.yaml"), projectFile.replace(/^main: .*$/m, `main: ${main}`));
  return {
    dir,
    tenantsDir,
    readFile: (name) => readFileSync(join(tenantsDir, name), "utf8"),
    writeFile: (name, text) =>
      text === undefined ? rmSync(join(tenantsDir, name)) : writeFileSync(join(tenantsDir, name), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An existing stack of `projectDir`, through the Automation API, with the worker's environment or `env`. */
export async function selectStack(projectDir: string, stackName: string, env?: NodeJS.ProcessEnv): Promise<Stack> {
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  return LocalWorkspace.selectStack(
    { stackName, workDir: projectDir },
    env ? { envVars: env as Record<string, string> } : undefined,
  );
}

/** The Pulumi secret envelope's signature key and value (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ...}`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretEnvelope(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE
  );
}

/** Every `path` in `value` whose last key is one of `keys`, with its value: `resources[3].inputs.password`. */
export function fieldsNamed(
  value: unknown,
  keys: ReadonlySet<string>,
  path = "",
): Array<{ path: string; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => fieldsNamed(item, keys, `${path}[${index}]`));
  if (typeof value !== "object" || value === null) return [];
  const found: Array<{ path: string; value: unknown }> = [];
  for (const [key, inner] of Object.entries(value)) {
    const innerPath = path ? `${path}.${key}` : key;
    if (keys.has(key)) found.push({ path: innerPath, value: inner });
    // A secret envelope's ciphertext is opaque: nothing to look into.
    if (!isSecretEnvelope(inner)) found.push(...fieldsNamed(inner, keys, innerPath));
  }
  return found;
}

/** Paths of the strings in `value` that contain `needle` (object keys included), for a readable failure. */
export function pathsContaining(value: unknown, needle: string, path = ""): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path || "(root)"] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => pathsContaining(item, needle, `${path}[${index}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const innerPath = path ? `${path}.${key}` : key;
    return [...(key.includes(needle) ? [`${innerPath} (key)`] : []), ...pathsContaining(inner, needle, innerPath)];
  });
}
