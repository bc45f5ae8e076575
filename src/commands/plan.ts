/**
 * `tenantctl plan [slug…] [--base <ref>]`: what each selected stack declares, rendered offline by the real program
 * code under a recording monitor (src/orchestrate/offlinePlan.ts); with `--base`, what changed against that ref.
 * No engine, no credentials, no network: a reviewer without cloud access can read it.
 *
 * The base fleet is rendered with the current program code: the diff shows what the tenant files changed, not
 * what a change to infra/ would do (that needs `tenantctl preview`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { effectiveSpec, sameControlPlane } from "../core/compare/fleetChanges";
import { CONTROL_PLANE_STACK } from "../core/naming";
import { diffStack, type PlannedStack } from "../core/compare/plannedStack";
import type { ControlPlane, Tenant } from "../core/model";
import { renderDiagnosticsText } from "../core/formatDiagnostics";
import { type PlanEntry, type PlanReport, renderPlanJson, renderPlanText } from "../report/renderPlan";
import { loadFleetAt } from "../orchestrate/fleetAtRef";
import { errorsAffecting, type Fleet, loadFleet } from "../core/load";
import { UsageError } from "../core/errors";
import { didYouMean } from "../core/suggest";

export interface PlanOptions {
  readonly dir: string;
  readonly base?: string;
  readonly format: "text" | "json";
}

const INVALID = "invalid tenant file: fix it first (`tenantctl validate`)";

/** The Pulumi project's name, as in every URN: Pulumi.yaml's `name`. */
function projectName(cwd: string): string {
  const file = join(cwd, "Pulumi.yaml");
  if (!existsSync(file)) return "tenantctl";
  return /^name:\s*["']?([^"'\s#]+)/m.exec(readFileSync(file, "utf8"))?.[1] ?? "tenantctl";
}

/** The stacks to render: the named ones, or the control plane and every tenant (now, and at the base ref). */
export function selectPlanStacks(slugs: readonly string[], fleet: Fleet, base: Fleet | undefined): string[] {
  const known = new Set([CONTROL_PLANE_STACK, ...fleet.slugs, ...(base?.slugs ?? [])]);
  if (slugs.length === 0) return [...known];
  for (const slug of slugs) {
    if (known.has(slug)) continue;
    const hint = didYouMean(slug, [...known]);
    throw new UsageError(`no tenant file for \`${slug}\`${base ? " now or at the base ref" : ""}${hint ? `: ${hint}` : ""}`);
  }
  return [...new Set(slugs)];
}

export async function plan(slugs: readonly string[], options: PlanOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const cwd = process.cwd();
  const fleet = loadFleet({ dir: options.dir, cwd: process.cwd() });
  const templateErrors = fleet.errors.filter((d) => d.file === fleet.controlPlaneFile);
  if (!fleet.controlPlane || templateErrors.length > 0) {
    err(renderDiagnosticsText(fleet.errors, fleet.sources) + "\nthe control-plane template is invalid: nothing was rendered\n");
    return 1;
  }
  const base = options.base !== undefined ? loadFleetAt(options.base, options.dir) : undefined;
  const selected = selectPlanStacks(slugs, fleet, base);
  if (fleet.errors.length > 0) err(renderDiagnosticsText(fleet.errors, fleet.sources) + "\n");

  const started = Date.now();
  const { renderStack } = await import("../orchestrate/offlinePlan/renderStack");
  const renderOptions = { project: projectName(cwd) };
  const controlPlane = fleet.controlPlane;
  const current = new Map(fleet.tenants.map((tenant) => [tenant.slug, tenant]));
  const before = new Map((base?.tenants ?? []).map((tenant) => [tenant.slug, tenant]));
  const renderTenant = (tenant: Tenant, template: ControlPlane) => renderStack(template, { tenant }, renderOptions);

  const unchangedSince = (slug: string): boolean => {
    if (!base) return false;
    if (slug === CONTROL_PLANE_STACK) return base.controlPlane !== undefined && sameControlPlane(base.controlPlane, controlPlane);
    const [tenant, then] = [current.get(slug), before.get(slug)];
    return tenant !== undefined && then !== undefined && base.controlPlane !== undefined && errorsAffecting(fleet, slug).length === 0 &&
      errorsAffecting(base, slug).length === 0 && effectiveSpec(tenant) === effectiveSpec(then);
  };

  const stacks: PlanEntry[] = [];
  for (const slug of selected) {
    // The text diff lists unchanged stacks by name only: on a large fleet, most of a PR's plan. Not rendering them
    // makes `plan --base` cost what the change costs. (JSON keeps every stack's resources.)
    if (options.format === "text" && unchangedSince(slug)) {
      stacks.push({ slug, stack: slug, resources: [], changes: { status: "unchanged", added: [], changed: [], removed: [] } });
      continue;
    }
    // Now.
    let now: PlannedStack | undefined;
    if (slug === CONTROL_PLANE_STACK) now = await renderStack(controlPlane, { controlPlane: true }, renderOptions);
    else if (fleet.slugs.includes(slug)) {
      const tenant = current.get(slug);
      now = tenant && errorsAffecting(fleet, slug).length === 0 ? await renderTenant(tenant, controlPlane) : { slug, stack: slug, resources: [], skipped: INVALID };
    }
    if (!base || now?.skipped !== undefined || now?.error !== undefined) {
      stacks.push(now!);
      continue;
    }

    // At the base ref.
    const existedBefore = slug === CONTROL_PLANE_STACK || base.slugs.includes(slug);
    let then: PlannedStack | undefined;
    let note: string | undefined;
    if (existedBefore) {
      if (slug === CONTROL_PLANE_STACK) {
        if (!base.controlPlane) note = `the template was invalid at ${options.base}: everything is listed as added`;
        else if (sameControlPlane(base.controlPlane, controlPlane) && now) then = now;
        else then = await renderStack(base.controlPlane, { controlPlane: true }, renderOptions);
      } else {
        const tenant = before.get(slug);
        const valid = tenant && base.controlPlane && errorsAffecting(base, slug).length === 0;
        if (!valid) note = `the tenant file was invalid at ${options.base}: everything is listed as added`;
        // The render is a function of the resolved tenant: an unchanged effective spec renders the same.
        else if (now && current.has(slug) && effectiveSpec(current.get(slug)!) === effectiveSpec(tenant)) then = now;
        else then = await renderTenant(tenant, base.controlPlane!);
        if (then?.error !== undefined) {
          note = `the tenant could not be rendered as it was at ${options.base} (${then.error}): everything is listed as added`;
          then = undefined;
        }
      }
    }
    if (!now) {
      // Removed since the base ref: what its stack holds, for the reader (an `up` leaves it alone).
      stacks.push({ slug, stack: slug, resources: [], changes: { ...diffStack(then?.resources ?? [], undefined), ...(note ? { note } : {}) } });
      continue;
    }
    // A stack that existed but could not be rendered then is compared with nothing: changed, every resource added.
    const changes = diffStack(existedBefore ? (then?.resources ?? []) : undefined, now.resources);
    stacks.push({ ...now, changes: { ...changes, ...(note ? { note } : {}) } });
  }

  const report: PlanReport = { ...(options.base !== undefined ? { base: options.base } : {}), stacks, seconds: (Date.now() - started) / 1000 };
  out(options.format === "json" ? renderPlanJson(report) : renderPlanText(report));
  const failed = stacks.some((stack) => stack.error !== undefined);
  return fleet.errors.length > 0 || failed ? 1 : 0;
}
