/**
 * After a switch, the stack's state still holds the resources of the old location: the database or schema (renamed
 * now) and the grants, default privileges and extensions declared in or on it. Left there, the refresh of `up` reads
 * objects that are gone under those names, and the update deletes them, acting on a database that no longer exists.
 * They are forgotten instead (taken out of the state, as `retainOnDelete` does on a delete), before the stack runs: the
 * old copy is kept as it is, and the stack declares the new location afresh, importing what the move made there.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import type { DataLocation } from "../../core/location";
import { containerOf } from "./movedName";

interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly inputs?: Record<string, unknown>;
  readonly dependencies?: string[];
  readonly propertyDependencies?: Record<string, string[]>;
  readonly [key: string]: unknown;
}

/**
 * The URNs of the PostgreSQL resources that are the old location or live in it; after a server move, every PostgreSQL
 * resource of the stack (its role too: they are all on the old server, and the stack declares them on the new one). Pure.
 */
export function resourcesOfLocation(
  resources: readonly StateResource[],
  old: DataLocation,
  serverChanged = false,
): Set<string> {
  const container = containerOf(old);
  const of = (resource: StateResource): boolean => {
    if (!resource.type.startsWith("postgresql:index/")) return false;
    if (serverChanged) return true;
    const inputs = resource.inputs ?? {};
    if (container.kind === "database")
      return (
        inputs["database"] === container.name ||
        (resource.type === "postgresql:index/database:Database" && inputs["name"] === container.name)
      );
    if (inputs["database"] !== container.database) return false;
    return (
      (resource.type === "postgresql:index/schema:Schema" && inputs["name"] === container.name) ||
      inputs["schema"] === container.name
    );
  };
  return new Set(resources.filter(of).map((resource) => resource.urn));
}

/** The resources without those of the old location, and without references to them. Pure. */
export function withoutLocation<T extends StateResource>(
  resources: readonly T[],
  old: DataLocation,
  serverChanged = false,
): { kept: T[]; forgotten: string[] } {
  const gone = resourcesOfLocation(resources, old, serverChanged);
  const kept = resources
    .filter((resource) => !gone.has(resource.urn))
    .map((resource) => ({
      ...resource,
      ...(resource.dependencies ? { dependencies: resource.dependencies.filter((urn) => !gone.has(urn)) } : {}),
      ...(resource.propertyDependencies
        ? {
            propertyDependencies: Object.fromEntries(
              Object.entries(resource.propertyDependencies).map(([key, urns]) => [
                key,
                urns.filter((urn) => !gone.has(urn)),
              ]),
            ),
          }
        : {}),
    }));
  return { kept, forgotten: [...gone].map((urn) => urn.split("::").pop() ?? urn) };
}

/**
 * Takes the old location's resources out of the stack's state (`pulumi stack export`, filtered, `import`); the names of
 * those forgotten. A stack that does not exist (a tenant whose stack was destroyed, its data retained) has nothing to forget.
 */
export async function forgetOldLocation(
  projectDir: string,
  slug: string,
  old: DataLocation,
  serverChanged: boolean,
): Promise<string[]> {
  const automation = await import("@pulumi/pulumi/automation");
  const { projectWorkspace } = await import("../engine/workspace");
  const stack = await automation.Stack.select(slug, await projectWorkspace(automation, projectDir));
  let exported: Deployment;
  try {
    exported = await stack.exportStack();
  } catch (error) {
    if (error instanceof automation.StackNotFoundError) return [];
    throw error;
  }
  const deployment = exported.deployment as { resources?: StateResource[] };
  const { kept, forgotten } = withoutLocation(deployment.resources ?? [], old, serverChanged);
  if (forgotten.length > 0) await stack.importStack({ ...exported, deployment: { ...deployment, resources: kept } });
  return forgotten;
}
