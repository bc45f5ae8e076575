/** `tenantctl plan` renderers: an indented tree (or a diff) for reviewers, JSON (the shape in docs/output.md) for scripts. */
import { commentMarker, fenced, fitComment, folded } from "./comment";
import type { Move } from "../core/location";
import { moveJson, moveLine, movesCount } from "./moves";
import { planLegend } from "./direction";
import { NOT_APPLIED_WHY, type NotAppliedChange } from "../core/compare/notApplied";
import {
  type ChangedResource,
  depthsOf,
  type InputChange,
  type PlannedResource,
  type PlannedStack,
  type PlanValue,
  SECRET_TEXT,
  SecretValue,
  type StackChanges,
} from "../core/compare/plannedStack";

export interface PlanEntry extends PlannedStack {
  /** Present with `--base`. */
  readonly changes?: StackChanges;
  /** With `--base`: the tenant's data lives elsewhere now than at the base ref (src/core/location.ts). */
  readonly move?: Move;
  /** With `--base`: edits `up` will not apply to the existing tenant (core/compare/notApplied.ts); not in `changes`. */
  readonly notApplied?: readonly NotAppliedChange[];
}

/** With `--base`: migration files new, edited or gone since the base, and how many tenants `migrate` runs them on. */
export interface PlanMigrations {
  readonly added: readonly string[];
  readonly edited: readonly string[];
  readonly removed: readonly string[];
  readonly tenants: number;
}

export interface PlanReport {
  /** The git ref compared with (`--base`). */
  readonly base?: string;
  readonly migrations?: PlanMigrations;
  readonly stacks: readonly PlanEntry[];
  readonly seconds: number;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

function resourceJson(resource: PlannedResource): Record<string, unknown> {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    parent: resource.parent ?? null,
    component: resource.component,
    ...(resource.read ? { read: true } : {}),
    ...(resource.provider ? { provider: resource.provider } : {}),
    inputs: resource.inputs,
  };
}

function changeJson(change: InputChange): Record<string, unknown> {
  return {
    path: change.path,
    ...("old" in change ? { old: change.old } : {}),
    ...("new" in change ? { new: change.new } : {}),
  };
}

function notAppliedJson(change: NotAppliedChange): Record<string, unknown> {
  return { ...changeJson(change), reason: change.reason, urn: change.urn };
}

function changesJson(changes: StackChanges): Record<string, unknown> {
  return {
    status: changes.status,
    added: changes.added.map(resourceJson),
    changed: changes.changed.map((resource: ChangedResource) => ({
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      inputs: resource.inputs.map(changeJson),
    })),
    removed: changes.removed.map(resourceJson),
    ...(changes.note ? { note: changes.note } : {}),
  };
}

/** `{"tenants": [{"slug", "stack", "resources": [{"type", "name", "urn", "parent", "inputs", ...}]}]}`; secrets are `"[secret]"`. */
export function renderPlanJson(report: PlanReport): string {
  const tenants = report.stacks.map((stack) => ({
    slug: stack.slug,
    stack: stack.stack,
    ...(stack.move ? { move: moveJson(stack.move) } : {}),
    resources: stack.resources.map(resourceJson),
    ...(stack.error !== undefined ? { error: stack.error } : {}),
    ...(stack.skipped !== undefined ? { skipped: stack.skipped } : {}),
    ...(stack.changes ? { changes: changesJson(stack.changes) } : {}),
    ...(stack.notApplied ? { notApplied: stack.notApplied.map(notAppliedJson) } : {}),
  }));
  // SecretValue's toJSON prints "[secret]": no secret's value ever reaches this string.
  return `${JSON.stringify(
    {
      ...(report.base !== undefined ? { base: report.base } : {}),
      ...(report.migrations ? { migrations: report.migrations } : {}),
      tenants,
    },
    null,
    2,
  )}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** A value as a reviewer reads it: strings bare unless that would hide something, secrets as `[secret]`. */
export function formatValue(value: PlanValue | undefined): string {
  if (value === undefined) return "(unset)";
  if (value instanceof SecretValue) return SECRET_TEXT;
  if (typeof value === "string") return value === "" || /^\s|\s$|[\n\r\t]/.test(value) ? JSON.stringify(value) : value;
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value))
    return `[${value.map((item: PlanValue) => (item !== null && typeof item === "object" && !(item instanceof SecretValue) ? JSON.stringify(item) : formatValue(item))).join(", ")}]`;
  return JSON.stringify(value);
}

/** Nested objects become dotted keys, so each line holds one value. */
function inputLines(inputs: { readonly [key: string]: PlanValue }, prefix = ""): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof SecretValue)) {
      const nested = inputLines(value as { readonly [key: string]: PlanValue }, path);
      lines.push(...(nested.length > 0 ? nested : [`${path}: {}`]));
    } else lines.push(`${path}: ${formatValue(value)}`);
  }
  return lines;
}

function resourceLine(resource: PlannedResource): string {
  return `${resource.type} ${resource.name}${resource.read ? " (read)" : ""}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function stackHeader(stack: PlanEntry): string {
  const what = stack.stack === stack.slug ? `stack ${stack.stack}` : `stack ${stack.stack}, tenant ${stack.slug}`;
  return `${stack.slug} (${what})`;
}

function renderTree(stack: PlanEntry, out: string[]): void {
  if (stack.skipped !== undefined) {
    out.push(`${stackHeader(stack)}: skipped, ${stack.skipped}`);
    return;
  }
  if (stack.error !== undefined) {
    out.push(`${stackHeader(stack)}: the program failed:`, ...stack.error.split("\n").map((line) => `  ${line}`));
    return;
  }
  out.push(`${stackHeader(stack)}: ${plural(stack.resources.length, "resource")}`);
  const depths = depthsOf(stack.resources);
  for (const resource of stack.resources) {
    const indent = "  ".repeat(depths.get(resource.urn)! + 1);
    out.push(`${indent}${resourceLine(resource)}`);
    for (const line of inputLines(resource.inputs)) out.push(`${indent}    ${line}`);
  }
}

/** A secret that changed is said to have changed, with no values and so no arrow. */
function isSecretChange(change: InputChange): boolean {
  return (change.old instanceof SecretValue || change.new instanceof SecretValue) && "old" in change && "new" in change;
}

/** `connectionLimit: 5 → 100`: at the base, then in the tenant files here (direction.ts). */
function changeLine(change: InputChange): string {
  if (isSecretChange(change)) return `${change.path}: ${SECRET_TEXT} (changed)`;
  return `${change.path}: ${formatValue(change.old)} → ${formatValue(change.new)}`;
}

/** `= settings.branding.primaryColor: "#d73a49" → "#00ff00" (seed-only: ...)`: an edit `up` leaves alone, and why. */
export function notAppliedLine(change: NotAppliedChange): string {
  return `= ${changeLine(change)} (${NOT_APPLIED_WHY[change.reason]})`;
}

/** What to do when the edit was meant for the existing tenant too; README, "Seed-only settings", says more. */
export function notAppliedHint(slug: string): string {
  return `to change it for ${slug} too: update the row in ${slug}'s own tenant_settings table (README: "Seed-only settings")`;
}

export function notAppliedCount(count: number): string {
  return `${plural(count, "edit")} not applied to the existing tenant`;
}

/** Whether the diff shows an arrow anywhere, and so needs the legend that says which way it reads. */
function hasArrows(stacks: readonly PlanEntry[]): boolean {
  return stacks.some(
    (stack) =>
      stack.error === undefined &&
      stack.skipped === undefined &&
      ((stack.changes?.changed ?? []).some((resource) => resource.inputs.some((change) => !isSecretChange(change))) ||
        (stack.notApplied ?? []).some((change) => !isSecretChange(change))),
  );
}

function countsText(changes: StackChanges, notApplied?: readonly NotAppliedChange[]): string {
  const counts = `${changes.added.length} to add, ${changes.changed.length} to change, ${changes.removed.length} to remove`;
  return notApplied && notApplied.length > 0 ? `${counts}; ${notAppliedCount(notApplied.length)}` : counts;
}

/** An unchanged stack the reader must still see: an edit in its files that `up` will not apply. */
function hasNotApplied(stack: PlanEntry): boolean {
  return (stack.notApplied?.length ?? 0) > 0;
}

function renderDiff(stack: PlanEntry, ref: string, out: string[]): void {
  const changes = stack.changes!;
  if (stack.skipped !== undefined || stack.error !== undefined) {
    renderTree(stack, out);
    return;
  }
  const note = changes.note ? [`  note: ${changes.note}`] : [];
  if (changes.status === "removed") {
    out.push(
      `- ${stackHeader(stack)}: tenant file removed since ${ref}; \`up\` leaves its stack as it is`,
      `  \`tenantctl destroy ${stack.slug}\` would remove its ${plural(changes.removed.length, "resource")} (databases and schemas are retained)`,
      ...note,
    );
    return;
  }
  const marker = changes.status === "added" ? "+" : changes.status === "unchanged" ? "=" : "~";
  const label =
    changes.status === "added"
      ? `new since ${ref}, ${countsText(changes)}`
      : `${stack.move ? "moves, " : ""}${countsText(changes, stack.notApplied)}`;
  // The move first: what the added database and the removed schema below amount to.
  out.push(
    `${marker} ${stackHeader(stack)}: ${label}`,
    ...(stack.move ? [`  ${moveLine(stack.slug, stack.move)}`] : []),
    ...note,
  );
  const changedByUrn = new Map(changes.changed.map((resource) => [resource.urn, resource]));
  const notAppliedByUrn = new Map<string, NotAppliedChange[]>();
  for (const change of stack.notApplied ?? [])
    notAppliedByUrn.set(change.urn, [...(notAppliedByUrn.get(change.urn) ?? []), change]);
  const addedUrns = new Set(changes.added.map((resource) => resource.urn));
  const depths = depthsOf(stack.resources);
  // The unchanged parents of what changed, unmarked, so each change reads in its place in the tree.
  const byUrn = new Map(stack.resources.map((resource) => [resource.urn, resource]));
  const context = new Set<string>();
  for (const urn of [...addedUrns, ...changedByUrn.keys(), ...notAppliedByUrn.keys()]) {
    for (
      let parent = byUrn.get(urn)?.parent;
      parent !== undefined && byUrn.has(parent);
      parent = byUrn.get(parent)!.parent
    )
      context.add(parent);
  }
  // A gutter for the marker, then the tree: `  ~   auth0:...Organization initech-organization`.
  const line = (marker: string, depth: number, text: string) => `  ${marker} ${"  ".repeat(depth)}${text}`;
  for (const resource of stack.resources) {
    const depth = depths.get(resource.urn)!;
    if (addedUrns.has(resource.urn)) {
      out.push(line("+", depth, resourceLine(resource)));
      for (const input of inputLines(resource.inputs)) out.push(line(" ", depth + 2, input));
    } else if (changedByUrn.has(resource.urn)) {
      out.push(line("~", depth, resourceLine(resource)));
      for (const change of changedByUrn.get(resource.urn)!.inputs) out.push(line(" ", depth + 2, changeLine(change)));
    } else if (context.has(resource.urn) || notAppliedByUrn.has(resource.urn)) {
      out.push(line(" ", depth, resourceLine(resource)));
    }
    for (const change of notAppliedByUrn.get(resource.urn) ?? [])
      out.push(line(" ", depth + 2, notAppliedLine(change)));
  }
  for (const resource of changes.removed) out.push(line("-", 0, resourceLine(resource)));
  if (hasNotApplied(stack)) out.push(`  ${notAppliedHint(stack.slug)}`);
}

export function planSummary(report: PlanReport): string {
  const failed = report.stacks.filter((stack) => stack.error !== undefined).length;
  const skipped = report.stacks.filter((stack) => stack.skipped !== undefined).length;
  const problems = [failed > 0 ? `${failed} failed` : "", skipped > 0 ? `${skipped} skipped (invalid)` : ""].filter(
    Boolean,
  );
  const seconds = `rendered offline in ${report.seconds.toFixed(1)} s`;
  if (report.base === undefined) {
    const resources = report.stacks.reduce((sum, stack) => sum + stack.resources.length, 0);
    return `Plan: ${plural(report.stacks.length, "stack")}, ${plural(resources, "resource")}${problems.length ? `, ${problems.join(", ")}` : ""}; ${seconds}`;
  }
  const byStatus = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  let add = 0;
  let change = 0;
  let remove = 0;
  for (const stack of report.stacks) {
    if (!stack.changes) continue;
    byStatus[stack.changes.status]++;
    add += stack.changes.added.length;
    change += stack.changes.changed.length;
    if (stack.changes.status !== "removed") remove += stack.changes.removed.length;
  }
  const stacks = `${byStatus.added} added, ${byStatus.changed} changed, ${byStatus.removed} removed, ${byStatus.unchanged} unchanged`;
  const moves = report.stacks.filter((stack) => stack.move !== undefined).length;
  const notApplied = report.stacks.reduce((sum, stack) => sum + (stack.notApplied?.length ?? 0), 0);
  const notAppliedText = notApplied > 0 ? `; ${plural(notApplied, "edit")} not applied to existing tenants` : "";
  return `Plan against ${report.base}: stacks ${stacks}${problems.length ? `, ${problems.join(", ")}` : ""}; ${moves > 0 ? `${movesCount(moves)}; ` : ""}resources ${add} to add, ${change} to change, ${remove} to remove${notAppliedText}; ${seconds}`;
}

/** The lines that say which migrations are new since the base, and on how many tenants `migrate` will run them. */
export function migrationLines(migrations: PlanMigrations | undefined): string[] {
  if (!migrations) return [];
  const lines: string[] = [];
  if (migrations.added.length > 0)
    lines.push(
      `Migrations: ${plural(migrations.added.length, "new migration")} (${migrations.added.join(", ")}), to run on ${plural(migrations.tenants, "tenant")} by \`tenantctl migrate\` (a new tenant's up applies them too)`,
    );
  if (migrations.edited.length > 0)
    lines.push(
      `Migrations edited since the base: ${migrations.edited.join(", ")}: a tenant that applied them shows drift and \`migrate\` refuses it; put the change in a new migration instead`,
    );
  if (migrations.removed.length > 0)
    lines.push(
      `Migrations removed since the base: ${migrations.removed.join(", ")}: a tenant that applied them shows drift and \`migrate\` refuses it`,
    );
  return lines;
}

/** How many unchanged stacks the text diff names before it only counts them. */
const UNCHANGED_LISTED = 20;

/** What changes in a stack, as its Markdown row: `| \`acme\` | changed | 1 | 2 | 0 |`. */
function markdownRow(stack: PlanEntry): string {
  const status =
    stack.error !== undefined
      ? "❌ failed"
      : stack.skipped !== undefined
        ? "⏭️ skipped"
        : stack.move
          ? "🚚 moves"
          : stack.changes?.status === "unchanged" && hasNotApplied(stack)
            ? "not applied"
            : (stack.changes?.status ?? `${stack.resources.length} resources`);
  const counts =
    stack.changes && stack.error === undefined && stack.skipped === undefined
      ? countsText(stack.changes, stack.notApplied)
      : "";
  return `| \`${stack.slug}\` | ${status} | ${counts} |`;
}

/**
 * The plan as one PR comment (see comment.ts): the summary, a row per stack that is not unchanged, and each such
 * stack's diff (or, without `--base`, its tree) folded in a `diff` block.
 */
export function renderPlanMarkdown(report: PlanReport): string {
  const shown = report.stacks.filter(
    (stack) =>
      stack.changes?.status !== "unchanged" ||
      hasNotApplied(stack) ||
      stack.error !== undefined ||
      stack.skipped !== undefined,
  );
  const unchanged = report.stacks.length - shown.length;
  const title = report.base === undefined ? "### tenantctl plan" : `### tenantctl plan against \`${report.base}\``;
  const legend = report.base !== undefined && hasArrows(shown) ? ["", `_${planLegend(report.base)}_`] : [];
  const head = [
    commentMarker("plan"),
    title,
    "",
    planSummary(report),
    ...migrationLines(report.migrations).flatMap((line) => ["", line]),
    ...legend,
    ...(unchanged > 0 ? ["", `${plural(unchanged, "stack")} unchanged.`] : []),
    ...(shown.length > 0 ? ["", "| stack | status | resources |", "|---|---|---|"] : []),
  ];
  const details = shown.map((stack) => {
    const lines: string[] = [];
    if (report.base === undefined) renderTree(stack, lines);
    else renderDiff(stack, report.base, lines);
    // The diff's gutter holds the marker: at the start of the line, so GitHub colours added and removed lines.
    const body = lines
      .slice(1)
      .map((line) => line.replace(/^ {2}/, ""))
      .join("\n");
    const summary = lines[0]!.replace(/^[+~=-] /, "").replace(/^.*?\): /, "");
    return folded(`<code>${stack.slug}</code>: ${summary}`, body === "" ? "(nothing to show)" : fenced(body, "diff"));
  });
  return fitComment({ head, rows: shown.map(markdownRow), details });
}

export function renderPlanText(report: PlanReport): string {
  const out: string[] = [];
  if (report.base === undefined) {
    for (const stack of report.stacks) {
      renderTree(stack, out);
      out.push("");
    }
  } else {
    if (hasArrows(report.stacks)) out.push(planLegend(report.base), "");
    const unchanged: string[] = [];
    for (const stack of report.stacks) {
      if (
        stack.changes?.status === "unchanged" &&
        !hasNotApplied(stack) &&
        stack.error === undefined &&
        stack.skipped === undefined
      ) {
        unchanged.push(stack.slug);
        continue;
      }
      renderDiff(stack, report.base, out);
      out.push("");
    }
    if (unchanged.length > 0) {
      const shown =
        unchanged.length > UNCHANGED_LISTED
          ? [...unchanged.slice(0, UNCHANGED_LISTED), `and ${unchanged.length - UNCHANGED_LISTED} more`]
          : unchanged;
      out.push(`unchanged: ${shown.join(", ")}`, "");
    }
  }
  for (const line of migrationLines(report.migrations)) out.push(line);
  out.push(planSummary(report));
  return `${out.join("\n")}\n`;
}
