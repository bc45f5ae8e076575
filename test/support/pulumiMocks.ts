/**
 * Pulumi mocks that record what a program declares: every resource with its type, name, parent type, inputs and
 * URN, and every invoke. Shared by the infra tests; it imports nothing from vitest. (`tenantctl plan` has its own
 * recording monitor: src/orchestrate/plan/offlinePlan/recordingMonitor.ts.)
 *
 * Usage:
 *   const recorder = await recordResources({ state: (r) => ..., call: (c) => ..., stackOutputs: {...} });
 *   new TenantDomains("acme", {...});
 *   const resources = await recorder.settled();
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  /** e.g. `cloudflare:index/dnsRecord:DnsRecord`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** Type of the parent resource, e.g. `tenantctl:index:TenantDomains`; undefined at the top of the program. */
  readonly parentType: string | undefined;
  /** Inputs as the engine received them; secrets stay wrapped (see `isSecretValue`). */
  readonly inputs: Record<string, unknown>;
  readonly urn: string;
  readonly id: string;
  /** False for component resources. */
  readonly custom: boolean;
  /** Set for resources read rather than created (`StackReference`, `Resource.get`). */
  readonly read: boolean;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
}

export interface RecordResourcesOptions {
  /**
   * Output state a provider would compute for a resource, merged over its inputs
   * (e.g. an ACM certificate's `status` and `domainValidationOptions`).
   */
  readonly state?: (resource: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
  /** Answers an invoke; returning undefined fails the program with the token, so no invoke goes unnoticed. */
  readonly call?: (call: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;
  /** Outputs of other stacks, by fully qualified stack name, for `pulumi.StackReference`. */
  readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
  /** @default "project" */
  readonly project?: string;
  /** @default "stack" */
  readonly stack?: string;
  /** @default "organization" (what the DIY backends call every organization) */
  readonly organization?: string;
  /** @default false */
  readonly preview?: boolean;
}

export interface ResourceRecorder {
  /** Waits until every registration the program started has finished, then lists the resources in order. */
  settled(): Promise<RecordedResource[]>;
  /** Invokes made so far. */
  readonly calls: readonly RecordedCall[];
}

interface PendingRecord {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly id: string;
  readonly custom: boolean;
  readonly read: boolean;
}

/** The part of `pulumi.runtime.MockMonitor` we read: its URN for every registered resource. */
interface RegisteredResources {
  getRegisteredResources(): Map<string, { urn: string; id: string | null }>;
}

/**
 * Installs fresh mocks (one monitor per call, so nothing leaks between tests) and records what gets declared.
 *
 * `MockResourceArgs` carries no parent, so the parent type is read from the URN the mock monitor builds from the
 * parent chain (`urn:pulumi:stack::project::tenantctl:index:TenantDomains$cloudflare:index/dnsRecord:DnsRecord::name`).
 * Each resource gets a unique mock id, which ties a `newResource` call to its URN exactly.
 */
export async function recordResources(options: RecordResourcesOptions = {}): Promise<ResourceRecorder> {
  const pending: PendingRecord[] = [];
  const calls: RecordedCall[] = [];
  let sequence = 0;

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const read = args.id !== undefined && args.id !== "";
        const id = read ? (args.id as string) : `${args.name}-id-${++sequence}`;
        pending.push({ type: args.type, name: args.name, inputs: args.inputs, id, custom: args.custom ?? true, read });
        if (args.type === "pulumi:pulumi:StackReference") {
          return { id, state: stackReferenceState(args.inputs.name as string, options.stackOutputs) };
        }
        return { id, state: { ...args.inputs, ...options.state?.(args) } };
      },
      call(args) {
        calls.push({ token: args.token, inputs: args.inputs });
        const result = options.call?.(args);
        if (result === undefined) {
          throw new Error(
            `No mock answers invoke ${args.token} (${JSON.stringify(args.inputs)}): add it to recordResources({ call }).`,
          );
        }
        return result;
      },
    },
    options.project ?? "project",
    options.stack ?? "stack",
    options.preview ?? false,
    options.organization ?? "organization",
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as RegisteredResources;

  return {
    calls,
    async settled() {
      await waitForRegistrations();
      const urnsById = new Map<string, string>();
      for (const { urn, id } of monitor.getRegisteredResources().values()) {
        if (id !== null) urnsById.set(id, urn);
      }
      return pending.map((record) => {
        const urn = urnsById.get(record.id);
        if (urn === undefined) throw new Error(`No URN registered for ${record.type} ${record.name}`);
        return { ...record, urn, parentType: parentTypeOf(urn) };
      });
    },
  };
}

function stackReferenceState(
  stack: string,
  stackOutputs: RecordResourcesOptions["stackOutputs"],
): Record<string, unknown> {
  const outputs = stackOutputs?.[stack];
  if (outputs === undefined) {
    const known = Object.keys(stackOutputs ?? {});
    throw new Error(
      `No outputs mocked for stack "${stack}" (mocked: ${known.length > 0 ? known.join(", ") : "none"}).`,
    );
  }
  return { name: stack, outputs, secretOutputNames: [] };
}

/**
 * The runtime counts every resource and invoke it has started and settles a promise when all are done; `disconnect`
 * waits on it too. It is not in the typings, so its absence is reported rather than silently not waited for.
 */
async function waitForRegistrations(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") {
    throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: update test/support/pulumiMocks.ts.");
  }
  await runtime.waitForRPCs();
}

/** `urn:pulumi:<stack>::<project>::<parent types $ joined>$<type>::<name>` → the parent's type. */
export function parentTypeOf(urn: string): string | undefined {
  const qualifiedType = urn.split("::")[2];
  if (qualifiedType === undefined) throw new Error(`Not a URN: ${urn}`);
  const chain = qualifiedType.split("$");
  return chain.length > 1 ? chain[chain.length - 2] : undefined;
}

/** The resolved value of an output. Rejects when the output failed, instead of hanging like an un-run `apply`. */
export async function resolvedValue<T>(input: pulumi.Input<T>): Promise<T> {
  const output = pulumi.output(input) as unknown as { promise(): Promise<T>; isKnown: Promise<boolean> };
  if (!(await output.isKnown))
    throw new Error("The output is unknown (a preview value): it has no value to assert on.");
  return output.promise();
}

/** Whether a recorded input is a secret, as the engine receives it. */
export function isSecretValue(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** The recorded resources of one type. */
export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}
