/**
 * The last state of each tenant stack, as the scan needs it: its resources by type and logical name, with their inputs
 * and ids, and whether an operation was left pending. Read straight from a file backend's checkpoints (one JSON parse
 * per stack, no CLI start); any other backend answers `pulumi stack export` per stack, still far cheaper than a
 * refreshing preview. A stack whose state cannot be read goes to the engine.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileBackendDir } from "../run/locks";
import { mapBounded } from "../run/pool";

export interface DeployedResource {
  readonly type: string;
  readonly name: string;
  readonly id?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
}

export type StackState =
  | { readonly kind: "deployed"; readonly resources: readonly DeployedResource[]; readonly pending: number }
  /** No stack in the backend: the engine would skip it too (nothing to compare). */
  | { readonly kind: "missing" }
  | { readonly kind: "unreadable"; readonly reason: string };

interface RawDeployment {
  readonly resources?: readonly {
    type: string;
    urn: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
    pendingReplacement?: boolean;
  }[];
  readonly pending_operations?: readonly unknown[];
}

/** The state of each of `slugs`. `exportStack` is asked only where the backend is not a local directory. */
export async function readStackStates(
  slugs: readonly string[],
  place: {
    readonly project: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly exportStack: (slug: string) => Promise<unknown>;
  },
): Promise<Map<string, StackState>> {
  const backend = fileBackendDir(place.env);
  const states = new Map<string, StackState>();
  if (backend) {
    const read = await mapBounded(slugs, 4, (slug) => fromFileBackend(backend, place.project, slug));
    for (const [i, slug] of slugs.entries()) states.set(slug, read[i]!);
    return states;
  }
  const read = await mapBounded(slugs, 4, async (slug) => {
    try {
      return fromDeployment(await place.exportStack(slug));
    } catch (error) {
      const text = (error as Error).message ?? String(error);
      if (/no stack named|not found/i.test(text)) return { kind: "missing" } as const;
      return { kind: "unreadable", reason: `its state could not be exported: ${text.split("\n")[0]}` } as const;
    }
  });
  for (const [i, slug] of slugs.entries()) states.set(slug, read[i]!);
  return states;
}

async function fromFileBackend(backend: string, project: string, slug: string): Promise<StackState> {
  const stacks = join(backend, ".pulumi", "stacks");
  for (const base of [join(stacks, project, slug), join(stacks, slug)]) {
    try {
      const text = await readIfThere(`${base}.json`);
      if (text !== undefined) return fromCheckpoint(JSON.parse(text.toString("utf8")));
      const zipped = await readIfThere(`${base}.json.gz`);
      if (zipped !== undefined) return fromCheckpoint(JSON.parse(gunzipSync(zipped).toString("utf8")));
    } catch (error) {
      return { kind: "unreadable", reason: `its state file could not be read: ${(error as Error).message}` };
    }
  }
  return { kind: "missing" };
}

async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A file backend's checkpoint holds the deployment under `checkpoint.latest`. */
function fromCheckpoint(file: { checkpoint?: { latest?: RawDeployment } }): StackState {
  return fromDeployment(file.checkpoint?.latest ?? {});
}

/** `pulumi stack export` answers `{version, deployment}`; a checkpoint's `latest` is the deployment itself. */
function fromDeployment(exported: unknown): StackState {
  const deployment = ((exported as { deployment?: RawDeployment }).deployment ?? exported ?? {}) as RawDeployment;
  const raw = deployment.resources ?? [];
  const leftOver = raw.filter((r) => r.delete || r.pendingReplacement).length;
  return {
    kind: "deployed",
    pending: (deployment.pending_operations?.length ?? 0) + leftOver,
    resources: raw.map((r) => ({
      type: r.type,
      name: r.urn.split("::").pop() ?? r.urn,
      ...(r.id ? { id: r.id } : {}),
      inputs: withoutProviderSource(r.inputs),
      outputs: withoutProviderSource(r.outputs),
    })),
  };
}

/** A dynamic resource's provider source travels in its state (tens of kilobytes each): not kept for a fleet of them. */
function withoutProviderSource(values: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!values || !("__provider" in values)) return values ?? {};
  const { __provider: _source, ...rest } = values;
  return rest;
}
