/** The Pulumi project file (Pulumi.yaml), read and rewritten with a YAML parser: its name, and a copy with `main` made absolute. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isScalar, parseDocument } from "yaml";

export const PROJECT_FILE = "Pulumi.yaml";

/** The project's `name`, part of every URN; "tenantctl" when there is no Pulumi.yaml or it names none. */
export function projectName(projectDir: string): string {
  const file = join(projectDir, PROJECT_FILE);
  if (!existsSync(file)) return "tenantctl";
  const name = parseDocument(readFileSync(file, "utf8")).get("name");
  return typeof name === "string" && name.trim() !== "" ? name.trim() : "tenantctl";
}

/**
 * The project's Pulumi.yaml with `main` made absolute (the project directory itself when it names no `main`), for a
 * copy of the project in another directory. Comments and everything else are kept.
 */
export function projectFileWithAbsoluteMain(projectDir: string): string {
  const document = parseDocument(readFileSync(join(projectDir, PROJECT_FILE), "utf8"));
  const main = document.get("main", true);
  const relativeMain = isScalar(main) && typeof main.value === "string" ? main.value : ".";
  document.set("main", resolve(projectDir, relativeMain));
  return document.toString();
}
