/**
 * Plugins a killed run left behind. The engine starts its language host and providers (and the dynamic-provider
 * host) in process groups of their own, so killing a run's process group (a cancelled CI job, `kill -9`) leaves them
 * running, re-parented to init. A plugin is the engine's child for its whole life: one whose parent is init (pid 1)
 * belongs to an engine that is gone, and nothing can talk to it any more. Linux only (/proc); elsewhere nothing is
 * found.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The command lines of the engine's plugins: `pulumi-language-*`, `pulumi-resource-*`, the dynamic-provider host. */
const PLUGIN = /(^|\/)pulumi-(language|resource)-[\w-]+(\s|$)|@pulumi\/pulumi\/cmd\/dynamic-provider\/index\.js/;

export interface OrphanedPlugin {
  readonly pid: number;
  readonly command: string;
}

export function orphanedPlugins(uid: number | undefined = process.getuid?.()): OrphanedPlugin[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((name): OrphanedPlugin[] => {
    try {
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last `)`.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== 1) return [];
      if (
        uid !== undefined &&
        !readFileSync(`/proc/${name}/status`, "utf8").match(new RegExp(`^Uid:\\s+${uid}\\s`, "m"))
      )
        return [];
      const command = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      return PLUGIN.test(command) ? [{ pid: Number(name), command }] : [];
    } catch {
      return [];
    }
  });
}

/** Stops them (SIGTERM; a plugin has nothing to save) and says how many. */
export function stopOrphanedPlugins(log?: (line: string) => void): number {
  const orphans = orphanedPlugins();
  for (const orphan of orphans) {
    try {
      process.kill(orphan.pid, "SIGTERM");
    } catch {
      // gone meanwhile
    }
  }
  if (orphans.length > 0) log?.(`stopped ${orphans.length} plugin process(es) left running by a killed run`);
  return orphans.length;
}
