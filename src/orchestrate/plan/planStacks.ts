/**
 * What `tenantctl plan` shows for each selected stack: its render now and, with a base ref, how it differs from its
 * render at that ref. A render is a function of the resolved tenant and the template, so a stack whose effective spec
 * did not change is rendered once (or, in the text diff, not at all) and never twice.
 *
 * The base fleet is rendered with the current program code: the diff shows what the tenant files changed, not what a
 * change to infra/ would do (that needs `tenantctl preview`).
 */
import { effectiveSpec, sameControlPlane, tenantMove } from "../../core/compare/fleetChanges";
import { splitNotApplied } from "../../core/compare/notApplied";
import { diffStack, type PlannedStack } from "../../core/compare/plannedStack";
import { errorsAffecting, type Fleet } from "../../core/load";
import type { Move } from "../../core/location";
import type { ControlPlane } from "../../core/model";
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { noTenantFile, tenantOf } from "../../core/tenantLookup";
import type { PlanEntry } from "../../report/renderPlan";
import type { StackToRender } from "./offlinePlan/renderStack";
import { inShard, type Shard } from "../select/shard";

export const INVALID_TENANT_FILE = "invalid tenant file: fix it first (`tenantctl validate`)";

/**
 * The stacks to render: the named ones, or the control plane and every tenant (now, and at the base ref); with a
 * shard, only its part of the tenant stacks.
 */
export function selectPlanStacks(
  slugs: readonly string[],
  fleet: Fleet,
  base: Fleet | undefined,
  shard?: Shard,
): string[] {
  const known = new Set([CONTROL_PLANE_STACK, ...fleet.slugs, ...(base?.slugs ?? [])]);
  const ofShard = (stacks: readonly string[]) =>
    shard ? stacks.filter((stack) => inShard(stack, shard)) : [...stacks];
  if (slugs.length === 0) return ofShard([...known]);
  for (const slug of slugs) {
    if (!known.has(slug)) throw noTenantFile(slug, known, { where: base ? " now or at the base ref" : "" });
  }
  return ofShard([...new Set(slugs)]);
}

export interface PlanInputs {
  /** The fleet now; its template is valid (the caller checks). */
  readonly fleet: Fleet & { readonly controlPlane: ControlPlane };
  /** The fleet at the base ref, with its name, for `--base`. */
  readonly base?: { readonly ref: string; readonly fleet: Fleet };
  readonly render: (controlPlane: ControlPlane, target: StackToRender) => Promise<PlannedStack>;
}

export async function planStacks(selected: readonly string[], inputs: PlanInputs): Promise<PlanEntry[]> {
  const entries: PlanEntry[] = [];
  for (const slug of selected) entries.push(await planStack(slug, inputs));
  return entries;
}

async function planStack(slug: string, inputs: PlanInputs): Promise<PlanEntry> {
  const { fleet, base } = inputs;
  // A stack unchanged since the base renders the same: on a large fleet, most of a PR's plan. Not rendering it makes
  // `plan --base` cost what the change costs; every format lists it as unchanged, without its resources.
  if (base && unchangedSince(slug, fleet, base.fleet)) {
    return { slug, stack: slug, resources: [], changes: { status: "unchanged", added: [], changed: [], removed: [] } };
  }
  const now = await renderNow(slug, inputs);
  if (!base || now?.skipped !== undefined || now?.error !== undefined) return now!;

  const existedBefore = slug === CONTROL_PLANE_STACK || base.fleet.slugs.includes(slug);
  const { atBase, note } = existedBefore
    ? await renderAtBase(slug, now, inputs, base)
    : { atBase: undefined, note: undefined };
  const withNote = note ? { note } : {};
  if (!now) {
    // Removed since the base ref: what its stack holds, for the reader (an `up` leaves it alone).
    return {
      slug,
      stack: slug,
      resources: [],
      changes: { ...diffStack(atBase?.resources ?? [], undefined), ...withNote },
    };
  }
  // A stack that existed but could not be rendered then is compared with nothing: changed, every resource added.
  const move = existedBefore && atBase ? movedSince(slug, fleet, base.fleet) : undefined;
  const diff = diffStack(existedBefore ? (atBase?.resources ?? []) : undefined, now.resources);
  // What `up` will not do to the existing tenant is said apart, not counted as a change (core/compare/notApplied.ts).
  const { changes, notApplied } = atBase
    ? splitNotApplied(diff, atBase.resources, now.resources)
    : { changes: diff, notApplied: [] };
  return {
    ...now,
    ...(move ? { move } : {}),
    ...(notApplied.length > 0 ? { notApplied } : {}),
    changes: { ...changes, ...withNote },
  };
}

/**
 * The tenant's data move between the base ref and now, read from the two resolved tenants (not from the resources:
 * a move shows there as a database added and a schema removed, or only as another provider).
 */
function movedSince(slug: string, fleet: Fleet, base: Fleet): Move | undefined {
  if (errorsAffecting(fleet, slug).length > 0 || errorsAffecting(base, slug).length > 0) return undefined;
  const tenantIn = (of: Fleet) => of.tenants.find((candidate) => candidate.slug === slug);
  return tenantMove(tenantIn(base), tenantIn(fleet));
}

/** The stack's render now; undefined for a tenant whose file is gone (it exists at the base ref only). */
async function renderNow(slug: string, { fleet, render }: PlanInputs): Promise<PlannedStack | undefined> {
  if (slug === CONTROL_PLANE_STACK) return render(fleet.controlPlane, { controlPlane: true });
  if (!fleet.slugs.includes(slug)) return undefined;
  const tenant = tenantOf(fleet, slug);
  if (!tenant || errorsAffecting(fleet, slug).length > 0)
    return { slug, stack: slug, resources: [], skipped: INVALID_TENANT_FILE };
  return render(fleet.controlPlane, { tenant });
}

/** The stack's render at the base ref, reusing `now` when nothing it depends on changed; `note` when it cannot be had. */
async function renderAtBase(
  slug: string,
  now: PlannedStack | undefined,
  { fleet, render }: PlanInputs,
  base: { ref: string; fleet: Fleet },
): Promise<{ atBase?: PlannedStack; note?: string }> {
  const template = base.fleet.controlPlane;
  if (slug === CONTROL_PLANE_STACK) {
    if (!template) return { note: `the template was invalid at ${base.ref}: everything is listed as added` };
    if (now && sameControlPlane(template, fleet.controlPlane)) return { atBase: now };
    return { atBase: await render(template, { controlPlane: true }) };
  }
  const tenant = tenantOf(base.fleet, slug);
  if (!tenant || !template || errorsAffecting(base.fleet, slug).length > 0) {
    return { note: `the tenant file was invalid at ${base.ref}: everything is listed as added` };
  }
  const current = tenantOf(fleet, slug);
  if (now && current && effectiveSpec(current) === effectiveSpec(tenant)) return { atBase: now };
  const atBase = await render(template, { tenant });
  if (atBase.error !== undefined)
    return {
      note: `the tenant could not be rendered as it was at ${base.ref} (${atBase.error}): everything is listed as added`,
    };
  return { atBase };
}

/** Whether the stack renders the same now as at the base ref: same effective spec, valid then and now. */
function unchangedSince(slug: string, fleet: Fleet & { controlPlane: ControlPlane }, base: Fleet): boolean {
  if (slug === CONTROL_PLANE_STACK)
    return base.controlPlane !== undefined && sameControlPlane(base.controlPlane, fleet.controlPlane);
  const tenant = tenantOf(fleet, slug);
  const then = tenantOf(base, slug);
  return (
    tenant !== undefined &&
    then !== undefined &&
    base.controlPlane !== undefined &&
    errorsAffecting(fleet, slug).length === 0 &&
    errorsAffecting(base, slug).length === 0 &&
    effectiveSpec(tenant) === effectiveSpec(then)
  );
}
