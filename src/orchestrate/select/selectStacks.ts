/**
 * Which stacks an invocation of `preview|up|drift|destroy` names: tenants by slug, `--all` (the control plane, every
 * tenant file, and the stacks left without one), or `--changed --base <ref>` (what changed against the ref, from git);
 * then the part of them in `--shard i/n`. Which of them cannot run (invalid files) or are left alone (no tenant file)
 * is said per stack, so that the run still reports them.
 */
import { UsageError } from "../../core/errors";
import { errorsAffecting, type Fleet } from "../../core/load";
import { CONTROL_PLANE_STACK } from "../../core/naming";
import { noTenantFile } from "../../core/tenantLookup";
import type { Operation } from "../../report/runReport";
import { changesSince } from "./fleetAtRef";
import { inShard, type Shard } from "./shard";

export interface SelectionOptions {
  /** The tenants directory (relative to the working directory). */
  readonly dir: string;
  readonly all?: boolean;
  readonly changed?: boolean;
  readonly base?: string;
  /** Only this part of the selected tenant stacks (never `control-plane`). */
  readonly shard?: Shard;
}

export interface Selection {
  readonly slugs: readonly string[];
  /** Stacks that are named but are left alone, with the reason (a stack whose tenant file is gone). */
  readonly skipped: ReadonlyMap<string, string>;
  /** Stacks that are named but cannot run because their files are invalid: a failure of the run. */
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * Which stacks an invocation names. Pure apart from reading the base fleet from git. `existingStacks` (the
 * stacks in the backend) lets `--all` report the stacks whose tenant file is gone, as skipped orphans.
 */
export function selectStacks(
  operation: Operation,
  slugs: readonly string[],
  options: SelectionOptions,
  fleet: Fleet,
  existingStacks: readonly string[] = [],
): Selection {
  checkSelectionFlags(operation, slugs, options);
  const known = new Set(fleet.slugs);
  const skipped = new Map<string, string>();
  const refused = new Map<string, string>();
  const invalid = (slug: string) => errorsAffecting(fleet, slug).length > 0;
  const orphanReason = (slug: string) =>
    `no tenant file for stack ${slug}: its stack is left as it is; run \`tenantctl destroy ${slug}\` to bring it down (databases and schemas are retained)`;

  let selected: string[];
  if (options.all) {
    selected = [CONTROL_PLANE_STACK, ...fleet.slugs];
    for (const slug of existingStacks) {
      if (slug === CONTROL_PLANE_STACK || known.has(slug)) continue;
      skipped.set(slug, orphanReason(slug));
      selected.push(slug);
    }
  } else if (options.changed) {
    const { changes, templateChanged } = changesSince(options.base!, options.dir, fleet);
    if (operation === "destroy") selected = [...changes.removed];
    else {
      selected = [...(templateChanged ? [CONTROL_PLANE_STACK] : []), ...changes.added, ...changes.changed];
      for (const slug of changes.removed) skipped.set(slug, orphanReason(slug));
      selected.push(...changes.removed);
    }
  } else {
    selected = [...slugs];
    for (const slug of slugs) {
      if (slug === CONTROL_PLANE_STACK || known.has(slug)) continue;
      if (operation === "destroy" || operation === "drift") continue; // a stack can outlive its file
      throw noTenantFile(slug, fleet.slugs);
    }
  }
  for (const slug of selected) {
    if (skipped.has(slug)) continue;
    // The control-plane stack is refused too when the template has an error (errorsAffecting covers it).
    if (invalid(slug) && operation !== "destroy") {
      refused.set(
        slug,
        `invalid tenant files: fix them first (\`tenantctl validate\`); nothing was run for this stack`,
      );
    } else if (slug !== CONTROL_PLANE_STACK && !known.has(slug) && operation !== "destroy" && operation !== "drift") {
      skipped.set(slug, orphanReason(slug));
    }
  }
  const slugsInShard = [...new Set(selected)].filter((slug) => !options.shard || inShard(slug, options.shard));
  return { slugs: slugsInShard, skipped, refused };
}

/** The usage mistakes in how stacks are named, before anything is read or run. */
export function checkSelectionFlags(operation: Operation, slugs: readonly string[], options: SelectionOptions): void {
  const modes = [slugs.length > 0, options.all === true, options.changed === true].filter(Boolean).length;
  if (modes !== 1)
    throw new UsageError("name tenants, or pass --all, or --changed --base <ref> (exactly one of these)");
  if (options.changed && !options.base)
    throw new UsageError("--changed needs --base <git-ref>, e.g. --base origin/main");
  if (operation === "destroy" && options.all)
    throw new UsageError("destroy --all is refused: destroying a stack is an explicit act; name the tenants");
}
