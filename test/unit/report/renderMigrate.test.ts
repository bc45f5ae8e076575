/** What `migrate` prints and how it ends: the wave lines, the halt, the failed tenant's file and line, the exit outcome. */
import { describe, expect, it } from "vitest";
import { type MigrateReport, migrateOutcome } from "../../../src/report/migrateReport";
import { renderMigrateJson, renderMigrateMarkdown, renderMigrateTable } from "../../../src/report/renderMigrate";

const halted: MigrateReport = {
  operation: "migrate",
  target: 2,
  waves: [
    { index: 1, name: "canary", tenants: ["initech"], failed: 1, status: "halted" },
    { index: 2, name: "100%", tenants: ["acme", "globex"], failed: 0, status: "not started" },
  ],
  tenants: [
    {
      slug: "initech",
      outcome: "failed",
      from: 1,
      to: 1,
      applied: [],
      wave: 1,
      message: '0002_orders.sql:2: relation "orders" already exists (rolled back: initech stays at the version before)',
      seconds: 0.6,
    },
    { slug: "acme", outcome: "skipped", applied: [], wave: 2, message: "wave 2 (100%) did not start", seconds: 0 },
    { slug: "globex", outcome: "skipped", applied: [], wave: 2, message: "wave 2 (100%) did not start", seconds: 0 },
  ],
  halted: { wave: 1, failures: 1, maxFailures: 0 },
  seconds: 0.6,
};

describe("the migrate report", () => {
  it("shows each wave, the failed tenant's file, line and error, and the halt", () => {
    const text = renderMigrateTable(halted);
    expect(text).toContain("wave 1 (canary): 1 tenant, halted, 1 failed");
    expect(text).toContain("wave 2 (100%): 2 tenants, not started");
    expect(text).toContain('initech:\n  0002_orders.sql:2: relation "orders" already exists');
    expect(text).toMatch(/1 failed, 2 skipped; halted after wave 1 \(1 failed, --max-failures 0\)/);
  });

  it("is one comment with its marker, and JSON with a summary", () => {
    expect(renderMigrateMarkdown(halted).split("\n")[0]).toBe("<!-- tenantctl:migrate -->");
    const json = JSON.parse(renderMigrateJson(halted)) as { summary: Record<string, number>; halted: unknown };
    expect(json.summary).toEqual({ changed: 0, unchanged: 0, failed: 1, skipped: 2, cancelled: 0 });
    expect(json.halted).toEqual({ wave: 1, failures: 1, maxFailures: 0 });
  });

  it("ends failed when a wave halted, interrupted on Ctrl-C, ok when every tenant is at the target", () => {
    expect(migrateOutcome(halted)).toBe("failed");
    expect(migrateOutcome({ ...halted, interrupted: true })).toBe("interrupted");
    const done: MigrateReport = {
      ...halted,
      waves: [],
      tenants: [{ slug: "acme", outcome: "unchanged", from: 2, to: 2, applied: [], seconds: 0.1 }],
    };
    const { halted: _halted, ...notHalted } = done;
    expect(migrateOutcome(notHalted)).toBe("ok");
  });
});
