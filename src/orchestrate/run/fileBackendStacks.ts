/**
 * The stacks of a project in a file backend (`PULUMI_BACKEND_URL=file://…`), read from its directory. This is what
 * `pulumi stack ls` answers there, without starting the CLI, which opens every stack's checkpoint: seconds for a fleet
 * of a thousand, before `drift --all` could start. Any other backend is asked through the CLI.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileBackendDir } from "./locks";

/** The stack names, sorted; undefined when the backend is not a local directory. */
export function fileBackendStacks(
  env: Readonly<Record<string, string | undefined>>,
  project: string,
): string[] | undefined {
  const backend = fileBackendDir(env);
  if (!backend) return undefined;
  const stacks = join(backend, ".pulumi", "stacks");
  const names = new Set<string>();
  // Project-scoped layout (`stacks/<project>/<stack>.json`), and the legacy one (`stacks/<stack>.json`) as the CLI
  // reads it too; `.json.bak` and `.json.attrs` beside them are not stacks.
  for (const dir of [join(stacks, project), stacks]) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const stack = /^(.+)\.json(?:\.gz)?$/.exec(entry)?.[1];
      if (stack) names.add(stack);
    }
  }
  return [...names].sort();
}
