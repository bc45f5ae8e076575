/**
 * Which way a report's arrows read: one direction per kind of report, said in the report itself (a legend line above
 * the first arrow) and in docs/output.md. Arrows point forward in time:
 *
 * - a change (`plan --base`, `preview`, `up`, `destroy`): what is there now → what it will be. A plan upgrade reads
 *   `connectionLimit: 5 → 100` in the plan, the preview and the up alike.
 * - drift: what the tenant files declare (what the last `up` left) → what the real world holds now, the change someone
 *   made behind the tool's back (`connectionLimit: 10 → 999`: someone set 999).
 *
 * The JSON keeps its documented fields whatever the direction: `expected` from the tenant files, `actual` from the real
 * world; only the text and Markdown order them.
 */
import type { Operation, PropertyDifference } from "./runReport";

/** The legend of a run report's arrows, for the operation that made it. */
export function runLegend(operation: Operation): string {
  switch (operation) {
    case "preview":
      return "→ reads from what is there now to what up will make it (the tenant files)";
    case "up":
      return "→ reads from what was there to what up made it (the tenant files)";
    case "destroy":
      return "→ reads from what was there to what destroy left";
    case "drift":
      return "→ reads from what the tenant files declare to what the real world holds";
  }
}

/** The legend of `plan --base`'s arrows. */
export function planLegend(base: string): string {
  return `→ reads from ${base} to the tenant files here`;
}

/** A property's two values in the order its report reads them. */
export function arrowEnds(operation: Operation, property: PropertyDifference): readonly [from: unknown, to: unknown] {
  return operation === "drift" ? [property.expected, property.actual] : [property.actual, property.expected];
}
