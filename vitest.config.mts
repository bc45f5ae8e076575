import { defineConfig } from "vitest/config";
import { skippedProjects } from "./test/support/testSkip";

// Three projects, from cheapest to most real:
//  - unit:        pure TypeScript (test/unit), and everything of infra/, pure or under pulumi.runtime.setMocks (test/infra)
//  - integration: a real PostgreSQL server started by the global setup (test/integration)
//  - e2e:         the real Pulumi engine built from Go modules, plus PostgreSQL (test/e2e)
// A project whose prerequisites are missing fails the run, unless TENANTCTL_TEST_SKIP names it (test/support/testSkip.ts).
// The last lines of a run count the tests of each project (test/support/projectSummaryReporter.ts).
const skipped = skippedProjects(process.env);

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/projectSummaryReporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/infra/**/*.test.ts"],
          // Pulumi mocks are process-global: one process per file keeps them apart.
          pool: "forks",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/postgresGlobalSetup.ts"],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/postgresGlobalSetup.ts", "test/support/pulumiGlobalSetup.ts"],
          pool: "forks",
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 300_000,
        },
      },
    ].filter((project) => !skipped.includes(project.test.name)),
  },
});
