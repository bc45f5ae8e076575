/**
 * The last lines of a test run: how many tests of each project (unit, integration, e2e) passed, failed or were skipped,
 * and which projects did not run at all, so a green run cannot hide a project that never ran. Printed after vitest's
 * own summary (listed after the default reporter in vitest.config.mts).
 */
import type { Reporter, TestModule } from "vitest/node";
import { skippedProjects, TEST_PROJECTS as PROJECTS } from "./testSkip";

export default class ProjectSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, { passed: number; failed: number; skipped: number; unloaded: number }>();
    for (const module of testModules) {
      const name = module.project.name;
      const count = counts.get(name) ?? { passed: 0, failed: 0, skipped: 0, unloaded: 0 };
      counts.set(name, count);
      // A file that failed before its tests were collected (an import error, a failing beforeAll at the top) has none.
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) count.unloaded++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") count.passed++;
        else if (state === "failed") count.failed++;
        else count.skipped++;
      }
    }
    const skipped = skippedProjects(process.env);
    const lines = ["Tests by project:"];
    for (const name of [
      ...PROJECTS,
      ...[...counts.keys()].filter((key) => !(PROJECTS as readonly string[]).includes(key)),
    ]) {
      const count = counts.get(name);
      if (count === undefined) {
        lines.push(
          `  ${name.padEnd(12)} not run${skipped.includes(name) ? ` (TENANTCTL_TEST_SKIP=${skipped.join(",")})` : ""}`,
        );
        continue;
      }
      const parts = [`${count.passed} passed`];
      if (count.failed > 0) parts.push(`${count.failed} failed`);
      if (count.skipped > 0) parts.push(`${count.skipped} skipped`);
      if (count.unloaded > 0) parts.push(`${count.unloaded} file(s) failed to load`);
      lines.push(`  ${name.padEnd(12)} ${parts.join(", ")}`);
    }
    process.stdout.write(`\n${lines.join("\n")}\n`);
  }
}
