/**
 * The loader: a directory of YAML files in, resolved tenants and diagnostics out. It never throws for a
 * user's mistake; everything wrong with the files comes back as a diagnostic with file:line:col.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { resolveControlPlane, resolveTenant } from "./resolve/resolve";
import type { AuthProviderName, ControlPlane, Tenant } from "./model";
import type { Diagnostic, Finding } from "./diagnostics";
import { compareDiagnostics } from "./diagnostics";
import { UsageError } from "./errors";
import { CONTROL_PLANE_FILE, FleetFingerprint, yamlFileNames } from "./read/fingerprint";
import { FILE_RULES, RULES, type FleetContext, type TenantEntry } from "./rules";
import { controlPlaneSchema, type ControlPlaneFile, tenantSchema } from "./schema/schema";
import { findingsFromIssues } from "./schema/issues";
import { parseWhatIsValid } from "./schema/parseWhatIsValid";
import { SLUG_PATTERN } from "./naming";
import { Locator, parseSpecFile } from "./read/source";
import { DEFAULT_MIGRATIONS_DIR, type MigrationSource, readMigrations } from "./migrations/migrationFiles";

export interface LoadOptions {
  /** The tenants directory. @default "tenants" */
  readonly dir?: string;
  /** What file names in diagnostics are relative to: the caller's working directory. */
  readonly cwd: string;
  /**
   * Check the fleet as deployed into this auth provider rather than the template's (`tenantctl sandbox --auth
   * authhero` deploys an Auth0 fleet into AuthHero): the provider's own limits are checked too.
   * @default the template's `auth.provider`
   */
  readonly authProvider?: AuthProviderName;
}

export interface Fleet {
  readonly controlPlane?: ControlPlane;
  /** Every tenant that resolved, including those whose fleet rules failed; check `errors` before deploying. */
  readonly tenants: readonly Tenant[];
  /** Slugs of every tenant file that was read, valid or not, sorted. */
  readonly slugs: readonly string[];
  /** The template's file, relative to the working directory. */
  readonly controlPlaneFile: string;
  /** Each slug's file, relative to the working directory. */
  readonly fileOf: ReadonlyMap<string, string>;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** File texts, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
  /** Every file read, by name, with its git blob id: what changed since a commit is known without reading it again. */
  readonly blobIds: ReadonlyMap<string, string>;
}

/** The files of a tenants directory, wherever they are read from: the disk, or a git commit (the base of a change). */
export interface FleetFiles {
  /** The YAML files' names, sorted. */
  readonly names: readonly string[];
  read(name: string): Uint8Array;
}

export function loadFleet(options: LoadOptions): Fleet {
  const cwd = options.cwd;
  // resolve, not join: an absolute --dir (or TENANTCTL_DIR) is taken as it is.
  const dir = resolve(cwd, options.dir ?? "tenants");
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${relative(cwd, dir) || dir} is not a directory`);
    names = yamlFileNames(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read the tenants directory ${relative(cwd, dir) || dir}: ${(error as Error).message}; pass --dir`,
    );
  }
  const fleet = loadFleetFrom(
    { names, read: (name) => readFileSync(join(dir, name)) },
    { dir, cwd, authProvider: options.authProvider },
  );
  return withMigrations(fleet, { dir, cwd }, migrationsOnDisk);
}

/**
 * The template's migrations folder (relative to the directory that holds the tenants directory, like the repository's
 * `migrations/` beside `tenants/`), read through `source` (the disk, or a git commit): its files go with the control
 * plane, its mistakes with the fleet's errors, and a fleet with such a mistake deploys nothing, as with any invalid file.
 */
export function withMigrations(
  fleet: Fleet,
  options: { readonly dir: string; readonly cwd: string },
  source: (folder: string) => MigrationSource,
): Fleet {
  const controlPlane = fleet.controlPlane;
  if (!controlPlane) return fleet;
  const folder = resolve(dirname(options.dir), controlPlane.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const { files, diagnostics } = readMigrations(
    source(folder),
    (name) => relative(options.cwd, join(folder, name)) || ".",
    {
      required: controlPlane.migrationsDir !== undefined,
      templateFile: fleet.controlPlaneFile,
    },
  );
  const withFiles = { ...controlPlane, migrations: files, migrationsFolder: folder };
  if (diagnostics.length === 0) return { ...fleet, controlPlane: withFiles };
  return { ...fleet, controlPlane: withFiles, errors: [...fleet.errors, ...diagnostics].sort(compareDiagnostics) };
}

/** A migrations folder on the disk; undefined names when there is none. */
function migrationsOnDisk(folder: string): MigrationSource {
  let names: string[] | undefined;
  try {
    names = statSync(folder).isDirectory() ? readdirSync(folder) : undefined;
  } catch {
    names = undefined;
  }
  return { names, read: (name) => readFileSync(join(folder, name)) };
}

/** The loader proper: `files` are those of the directory `options.dir` (absolute, for the names in diagnostics). */
export function loadFleetFrom(
  files: FleetFiles,
  options: { readonly dir: string; readonly cwd: string; readonly authProvider?: AuthProviderName },
): Fleet {
  const { dir, cwd } = options;
  const names = files.names;
  const display = (name: string) => relative(cwd, join(dir, name));
  const fingerprint = new FleetFingerprint();
  const read = (name: string) => {
    const bytes = files.read(name);
    fingerprint.add(name, bytes);
    return bytes;
  };
  const diagnostics: Diagnostic[] = [];
  const findings: Finding[] = [];
  const sources = new Map<string, string>();

  // The template. A template with mistakes is still used, without its bad parts, to check the tenants: their own
  // problems are reported in the same run. Nothing resolved against it is deployable.
  const templateFile = display(CONTROL_PLANE_FILE);
  let template: ControlPlaneFile | undefined;
  let templateValid = false;
  if (!names.includes(CONTROL_PLANE_FILE)) {
    diagnostics.push({
      file: templateFile,
      line: 1,
      column: 1,
      path: "",
      severity: "error",
      rule: "controlPlaneExists",
      message: "the control-plane template is missing",
      fix: `create ${templateFile}; every tenant inherits from it`,
    });
  } else {
    const parsed = parseSpecFile(templateFile, read(CONTROL_PLANE_FILE));
    sources.set(templateFile, parsed.text);
    if (!parsed.ok) diagnostics.push(...parsed.diagnostics);
    else {
      const result = parseWhatIsValid(controlPlaneSchema, parsed.data);
      if (result.status !== "valid")
        findings.push(...findingsFromIssues(templateFile, controlPlaneSchema, parsed.data, result.issues));
      if (result.status !== "invalid") template = result.value;
      templateValid = result.status === "valid";
    }
  }
  const resolvedControlPlane = template ? resolveControlPlane(templateFile, template) : undefined;
  const controlPlane =
    resolvedControlPlane && options.authProvider
      ? { ...resolvedControlPlane, auth: { ...resolvedControlPlane.auth, provider: options.authProvider } }
      : resolvedControlPlane;

  // The tenants: files starting with `_` are not tenants.
  const entries: TenantEntry[] = [];
  const slugs: string[] = [];
  const fileOf = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith("_")) continue;
    const file = display(name);
    const slug = name.replace(/\.ya?ml$/, "");
    slugs.push(slug);
    fileOf.set(slug, file);
    const parsed = parseSpecFile(file, read(name));
    sources.set(file, parsed.text);
    if (!parsed.ok) {
      diagnostics.push(...parsed.diagnostics);
      continue;
    }
    // A wrong `slug` or `name` must not hide the rest of the file: the file name and the slug stand in for them.
    const result = parseWhatIsValid(tenantSchema, parsed.data, SLUG_PATTERN.test(slug) ? { slug, name: slug } : {});
    if (result.status !== "valid") findings.push(...findingsFromIssues(file, tenantSchema, parsed.data, result.issues));
    if (result.status === "invalid") continue;
    const partial = result.status === "partial";
    const spec = result.value;
    if (!template || !controlPlane) {
      entries.push({ file, spec, partial });
      continue;
    }
    const resolution = resolveTenant(file, spec, template, controlPlane);
    findings.push(...resolution.findings);
    entries.push({ file, spec, partial, ...(resolution.tenant ? { tenant: resolution.tenant } : {}) });
  }

  for (const rule of FILE_RULES) findings.push(...rule({ tenants: entries }));
  if (template && controlPlane) {
    const fleet: FleetContext = { controlPlane, template, tenants: entries, templatePartial: !templateValid };
    for (const rule of RULES) findings.push(...rule(fleet));
  }

  const locator = new Locator((file) => sources.get(file));
  diagnostics.push(...findings.map((finding) => locator.place(finding)));
  diagnostics.sort(compareDiagnostics);
  const errors = diagnostics.filter((d) => d.severity === "error");
  return {
    ...(controlPlane && templateValid ? { controlPlane } : {}),
    // Only what resolved from files valid as written: a tenant checked without its bad parts is never deployable.
    tenants: templateValid ? entries.flatMap((entry) => (entry.tenant && !entry.partial ? [entry.tenant] : [])) : [],
    slugs,
    controlPlaneFile: templateFile,
    fileOf,
    errors,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
    sources,
    blobIds: fingerprint.blobIds(),
  };
}

/** The errors that keep one stack from being deployed: its own file's, and the template's. */
export function errorsAffecting(fleet: Fleet, slug: string): Diagnostic[] {
  const own = fleet.fileOf.get(slug);
  // A mistake in the migrations folder concerns every tenant: none is deployed with a folder that cannot be applied.
  return fleet.errors.filter((d) => d.file === fleet.controlPlaneFile || d.file === own || d.rule === "migrationFiles");
}
