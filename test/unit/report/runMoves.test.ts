/** Every run report names a move (DESIGN.md, "Moves"): the table, the Markdown comment and the JSON, exact. */
import { describe, expect, it } from "vitest";
import { renderRunJson, renderRunMarkdown, renderRunTable } from "../../../src/report/renderRun";
import type { RunReport, TenantRun } from "../../../src/report/runReport";

const FROM = { server: "primary", database: "tenants", schema: "tenant_initech" };
const TO = { server: "primary", database: "tenant_initech", schema: "public" };

const initech: TenantRun = {
  slug: "initech",
  stack: "initech",
  outcome: "changed",
  changes: { create: 2, delete: 3, same: 9 },
  move: { from: FROM, to: TO, data: { tables: 3, bytes: 73_728 } },
  resources: [
    {
      urn: "urn:x::initech-database",
      type: "postgresql:index/database:Database",
      name: "initech-database",
      op: "create",
      diffs: [],
    },
  ],
  seconds: 2,
};
const globex: TenantRun = {
  slug: "globex",
  stack: "globex",
  outcome: "unchanged",
  changes: { same: 12 },
  resources: [],
  seconds: 1,
};
const preview: RunReport = { operation: "preview", tenants: [initech, globex], seconds: 3 };

describe("run reports: moves", () => {
  it("text: the tenant's first line names the move and the data's size; the summary counts the tenants that move", () => {
    const text = renderRunTable(preview);
    expect(text).toContain(
      [
        "initech:",
        "  move initech: schema tenant_initech in tenants@primary → database tenant_initech@primary (3 tables, 72.0 KiB)",
        "  create   postgresql:index/database:Database initech-database",
        "",
      ].join("\n"),
    );
    expect(text.trimEnd().split("\n").pop()).toBe(
      "Preview of 2 tenant stacks in 3.0 s: 1 unchanged, 1 changed; 1 tenant moves",
    );
  });

  it("text: a move is named even where no resource shows (only the size is unknown)", () => {
    const text = renderRunTable({
      operation: "drift",
      tenants: [
        {
          ...globex,
          move: {
            from: { ...FROM, schema: "tenant_globex" },
            to: { ...FROM, schema: "tenant_globex", server: "secondary" },
          },
        },
      ],
      seconds: 1,
    });
    expect(text).toContain(
      "globex:\n  move globex: schema tenant_globex in tenants@primary → schema tenant_globex in tenants@secondary\n",
    );
    expect(text.trimEnd().split("\n").pop()).toBe(
      "Drift check of 1 tenant stack in 1.0 s: 1 unchanged; 1 tenant moves",
    );
  });

  it("Markdown: the headline counts the tenants that move, the row and the details say so", () => {
    const markdown = renderRunMarkdown({
      ...preview,
      tenants: [initech, { ...initech, slug: "acme", stack: "acme", move: { from: TO, to: FROM } }, globex],
    });
    expect(markdown.split("\n").slice(0, 4)).toEqual([
      "<!-- tenantctl:preview -->",
      "### tenantctl preview",
      "",
      "Preview of 3 tenant stacks in 3.0 s: 1 unchanged, 2 changed; 2 tenants move",
    ]);
    expect(markdown).toContain("| `initech` | 🟡 changed, 🚚 moves | 2 to create, 3 to delete |\n");
    expect(markdown).toContain("| `globex` | ✅ unchanged | no changes |\n");
    expect(markdown).toContain(
      "<details><summary><code>initech</code>: moves, 2 to create, 3 to delete</summary>\n\n" +
        "**move initech: schema tenant_initech in tenants@primary → database tenant_initech@primary (3 tables, 72.0 KiB)**\n\n" +
        "- **create** `postgresql:index/database:Database` `initech-database`\n\n</details>",
    );
    expect(markdown).toContain(
      "**move acme: database tenant_initech@primary → schema tenant_initech in tenants@primary**",
    );
  });

  it("JSON: `move: {from, to, data}` on the tenant, absent on a tenant whose data stays", () => {
    const json = JSON.parse(renderRunJson(preview)) as { tenants: Record<string, unknown>[] };
    expect(json.tenants[0]!["move"]).toEqual({
      from: { server: "primary", database: "tenants", schema: "tenant_initech" },
      to: { server: "primary", database: "tenant_initech", schema: "public" },
      data: { tables: 3, bytes: 73_728 },
    });
    expect("move" in json.tenants[1]!).toBe(false);
  });
});
