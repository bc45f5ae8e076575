/**
 * The seed-only edits an engine step carries. When the files change a seed-only setting of an existing tenant, the
 * settings table's provider leaves the row alone: the step is `same` (or an update of managed keys only). `preview`
 * and `up` report such an edit the way `plan --base` does (one rule for both: src/core/compare/notApplied.ts), and
 * keep it out of the step's properties, which say what changes.
 */
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { type NotAppliedChange, seedOnlyEdits } from "../../core/compare/notApplied";
import type { PlanValue } from "../../core/compare/plannedStack";
import type { Operation } from "../../report/runReport";

const SETTINGS_TABLE = "pulumi-nodejs:dynamic:TenantSettingsTable";

type Inputs = { readonly [key: string]: PlanValue };

export function notAppliedSettings(
  operation: Operation,
  metadata: Pick<StepEventMetadata, "type" | "op" | "urn" | "old" | "new">,
): NotAppliedChange[] {
  // `drift` compares the files with the real world, where a tenant's own seed-only value is not drift; `destroy`
  // applies nothing.
  if (operation !== "preview" && operation !== "up") return [];
  if (metadata.type !== SETTINGS_TABLE || (metadata.op !== "same" && metadata.op !== "update")) return [];
  const old = metadata.old?.inputs;
  const now = metadata.new?.inputs;
  if (!old || !now) return [];
  return seedOnlyEdits(metadata.urn, old as Inputs, now as Inputs);
}
