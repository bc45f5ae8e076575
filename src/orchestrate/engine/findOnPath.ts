import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The first directory on PATH holding an executable file `name`, as the shell finds it, or undefined. */
export function findOnPath(
  name: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return dir;
    } catch {
      // not here
    }
  }
  return undefined;
}
