/** A preview or up report names a seed-only edit it leaves alone, in the words `plan --base` uses (DESIGN.md #27). */
import { describe, expect, it } from "vitest";
import { renderRunJson, renderRunMarkdown, renderRunTable } from "../../../src/report/renderRun";
import type { RunReport } from "../../../src/report/runReport";

const edit = {
  path: "settings.branding.primaryColor",
  old: '"#d73a49"',
  new: '"#00ff00"',
  reason: "seed-only" as const,
  urn: "urn:x::acme-settings-table",
};
const report: RunReport = {
  operation: "preview",
  tenants: [
    {
      slug: "acme",
      stack: "acme",
      outcome: "unchanged",
      changes: { same: 13 },
      resources: [],
      notApplied: [edit],
      seconds: 1,
    },
  ],
  seconds: 1,
};

describe("run reports: edits not applied", () => {
  it("text: the row counts the edit, the tenant's section shows it with why and what to do", () => {
    const text = renderRunTable(report);
    expect(text).toContain("no changes; 1 edit not applied to the existing tenant");
    expect(text).toContain(
      '  = settings.branding.primaryColor: "#d73a49" → "#00ff00" (seed-only: written when a tenant is created; existing tenants keep their own value)',
    );
    expect(text).toContain("to change it for acme too:");
  });

  it("Markdown folds the same lines under the tenant; JSON carries notApplied", () => {
    const markdown = renderRunMarkdown(report);
    expect(markdown).toContain("| `acme` | ✅ unchanged | no changes; 1 edit not applied to the existing tenant |");
    expect(markdown).toContain('- `= settings.branding.primaryColor: "#d73a49" → "#00ff00" (seed-only:');
    expect(JSON.parse(renderRunJson(report)).tenants[0].notApplied).toEqual([edit]);
  });
});
