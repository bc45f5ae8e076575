/** `pulumi stack export` of one stack, for backends the scan cannot read as files (S3, Azure Blob, GCS, PostgreSQL, Cloud). */
import { pulumiAutomation } from "../engine/sdkPatches";
import { projectWorkspace } from "../engine/workspace";

export async function exportStackOf(
  projectDir: string,
  slug: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<unknown> {
  const automation = await pulumiAutomation();
  const overrides = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const workspace = await projectWorkspace(automation, projectDir, { envVars: overrides }, { ...process.env, ...env });
  return workspace.exportStack(slug);
}
