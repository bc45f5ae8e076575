/**
 * TENANTCTL_TEST_SKIP: the one way to leave a test project out of a run, named on purpose (`TENANTCTL_TEST_SKIP=e2e`,
 * or `e2e,integration`), for a machine that lacks what that project needs. Without it, a missing prerequisite fails
 * the run (see README). Read by vitest.config.mts and by the summary reporter; scripts/test.sh reads it too.
 */
export const TEST_PROJECTS = ["unit", "integration", "e2e"] as const;

export function skippedProjects(env: NodeJS.ProcessEnv): string[] {
  const names = (env["TENANTCTL_TEST_SKIP"] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(TEST_PROJECTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `TENANTCTL_TEST_SKIP names no test project: ${unknown.join(", ")} (the projects are ${TEST_PROJECTS.join(", ")})`,
    );
  }
  return names;
}
