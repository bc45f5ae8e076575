/** Which tenants' effective spec changed between two fleets, and which of them move their data. Pure. */
import { dataLocationOf, type Move, moveBetween } from "../location";
import type { ControlPlane, Tenant } from "../model";

/** What a stack is built from: the resolved tenant without where each value came from. */
export function effectiveSpec(tenant: Tenant): string {
  const { provenance: _provenance, file: _file, ...spec } = tenant;
  return JSON.stringify(spec);
}

/**
 * Whether two templates declare the same thing: where they were read from (`file`) does not count, nor do the
 * migrations, which change no stack's declaration but the tenants' schemas (`tenantctl migrate` rolls them out).
 */
export function sameControlPlane(a: ControlPlane | undefined, b: ControlPlane | undefined): boolean {
  const spec = (controlPlane: ControlPlane | undefined) =>
    controlPlane
      ? JSON.stringify({ ...controlPlane, file: undefined, migrations: undefined, migrationsFolder: undefined })
      : "null";
  return spec(a) === spec(b);
}

export interface FleetChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: readonly string[];
  /** The changed tenants whose data location changes (isolation, server, database or schema): moves, not an add and a remove. */
  readonly moves: readonly Move[];
}

/**
 * The move a tenant makes between its resolved spec at the base and now: undefined when it is new, gone, invalid on
 * either side (no resolved spec), or its data stays where it is.
 */
export function tenantMove(base: Tenant | undefined, current: Tenant | undefined): Move | undefined {
  if (!base || !current) return undefined;
  return moveBetween(current.slug, dataLocationOf(base), dataLocationOf(current));
}

/**
 * Compares resolved tenants, not files: a template change that alters a tenant's values changes that
 * tenant, and a reformatted file that resolves the same changes nothing. Slugs are compared as file names
 * (`slugs`), so a tenant whose file is invalid now but existed before counts as changed, never as removed.
 */
export function compareFleets(
  current: { tenants: readonly Tenant[]; slugs: readonly string[] },
  base: { tenants: readonly Tenant[]; slugs: readonly string[] },
  /** Tenants whose file (and the template) are byte for byte the same in both: unchanged without resolving them. */
  sameFiles: ReadonlySet<string> = new Set(),
): FleetChanges {
  const baseTenants = new Map(base.tenants.map((t) => [t.slug, t]));
  const currentTenants = new Map(current.tenants.map((t) => [t.slug, t]));
  const before = new Map(base.tenants.map((t) => [t.slug, effectiveSpec(t)]));
  const after = new Map(current.tenants.map((t) => [t.slug, effectiveSpec(t)]));
  const baseSlugs = new Set(base.slugs);
  const currentSlugs = new Set(current.slugs);
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const slug of current.slugs) {
    if (!baseSlugs.has(slug)) added.push(slug);
    else if (sameFiles.has(slug)) unchanged.push(slug);
    else if (before.get(slug) !== undefined && before.get(slug) === after.get(slug)) unchanged.push(slug);
    else changed.push(slug);
  }
  const removed = base.slugs.filter((slug) => !currentSlugs.has(slug));
  const moves = changed.flatMap((slug) => tenantMove(baseTenants.get(slug), currentTenants.get(slug)) ?? []);
  return { added, changed, removed, unchanged, moves };
}
