import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../../../src/cli/exitCodes";
import { inRunOrder, runFleet } from "../../../../src/orchestrate/run/runFleet";
import { runOutcome } from "../../../../src/report/runReport";
import { TEMPLATE, writeFleet } from "../../../support/fleetFixture";

const options = { dir: "tenants", all: true, parallel: 2 };

describe("runFleet", () => {
  it("reports a usage mistake before it reads the fleet or asks the backend for its stacks", async () => {
    const progress: string[] = [];
    await expect(
      runFleet("up", ["acme"], { ...options, dir: "no-such-tenants-dir" }, (line) => progress.push(line)),
    ).rejects.toThrow(/exactly one of these/);
    expect(progress).toEqual([]);
  });

  it("refuses every stack when the template is invalid, and still ends with a report that fails the run", async () => {
    const cwd = writeFleet(
      { "acme.yaml": "slug: acme\nname: Acme\n" },
      TEMPLATE.replace("tls: { provider: cloudflare }", "tls: { provider: letsencrypt }"),
    );
    writeFileSync(join(cwd, "Pulumi.yaml"), "name: tenantctl\nruntime: nodejs\n");
    const progress: string[] = [];
    const report = await runFleet(
      "up",
      ["acme", "control-plane"],
      { dir: join(cwd, "tenants"), parallel: 2 },
      (line) => progress.push(line),
      { projectDir: cwd },
    );
    expect(report.tenants.map((t) => [t.slug, t.outcome])).toEqual([
      ["acme", "failed"],
      ["control-plane", "failed"],
    ]);
    expect(report.tenants[0]!.message).toMatch(/^invalid tenant files/);
    expect(exitCodeOf(runOutcome(report))).toBe(1);
    expect(progress.join("")).toContain("_control-plane.yaml:5:");
    // No stack runs, so no engine is started: this holds where the Pulumi CLI is not installed.
  }, 60_000);
});

describe("inRunOrder", () => {
  const stacks = (...slugs: string[]) => slugs.map((slug) => ({ slug }));
  it("runs the control plane first, alone, on up, and the tenants after it", () => {
    expect(inRunOrder("up", stacks("acme", "control-plane", "globex"))).toEqual([
      stacks("control-plane"),
      stacks("acme", "globex"),
    ]);
  });
  it("runs everything at once otherwise: other operations, a control plane that does not run, or nothing else", () => {
    expect(inRunOrder("preview", stacks("control-plane", "acme"))).toEqual([stacks("control-plane", "acme")]);
    expect(inRunOrder("up", [{ slug: "control-plane", refuse: "invalid" }, { slug: "acme" }])).toEqual([
      [{ slug: "control-plane", refuse: "invalid" }, { slug: "acme" }],
    ]);
    expect(inRunOrder("up", stacks("control-plane"))).toEqual([stacks("control-plane")]);
  });
});
