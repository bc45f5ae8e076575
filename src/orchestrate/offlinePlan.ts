/**
 * `tenantctl plan`'s engine: runs the real stack programs (`tenantStack`, `controlPlaneStack` from infra/stacks.ts)
 * offline — no engine, no credentials, no network — and records every resource they declare.
 *
 * How: each stack is rendered in a Pulumi runtime store of its own (`withLocalStorage`, as the Automation API's
 * inline programs do), with a recording monitor in place of the engine. The monitor answers like
 * `pulumi.runtime.setMocks`' MockMonitor, with three differences that matter here:
 * - it reads the inputs as serialized (secrets still wrapped) and records them with secrets redacted;
 * - it answers from the request itself (no deserialize/serialize round trip per resource): rendering stays cheap;
 * - its placeholder answers are stable and readable (`<id of acme-role-auditor>`), so two renders can be compared.
 * Nothing in this file changes how a real `pulumi up` runs: the placeholders (the database admin's credentials, the
 * control-plane stack's outputs, zone ids) exist only in the store this file creates.
 *
 * Stacks render one at a time (they are CPU-bound; interleaving gains nothing). A store per stack costs ~35% more CPU
 * than reusing the global one (Node 20's AsyncLocalStorage turns on promise hooks), and buys isolation: no stack
 * name, config, resource or secret of one render can reach another. Nothing of a render stays reachable afterwards.
 *
 * It relies on internals of @pulumi/pulumi 3.x: `runtime/state.withLocalStorage`, `runtime/settings.setMockOptions`
 * and `runtime/settings.waitForRPCs` (what `setMocks` and the Automation API use; `runtime()` names them if an
 * upgrade moves them), the monitor's request/response methods, and `Resource.stackTrace` (skipped, see below).
 */
import { createHmac, randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { placeholderControlPlaneOutputs } from "../../infra/auth/controlPlaneOutputs";
import type { Features } from "../../infra/context/features";
import { controlPlaneStack, tenantStack } from "../../infra/stacks";
import { CONTROL_PLANE_STACK } from "../core/naming";
import { type PlannedResource, type PlannedStack, type PlanValue, SecretValue, treeOrder } from "../core/compare/plannedStack";
import type { ControlPlane, Tenant } from "../core/model";

/** Everything on: a reviewer sees the whole stack. */
export const ALL_FEATURES: Features = { dns: true, tls: true, auth: true };

export interface OfflinePlanOptions {
  /** The Pulumi project name (Pulumi.yaml `name`), part of every URN. @default "tenantctl" */
  readonly project?: string;
  /** @default "organization" (what the DIY backends call every organization) */
  readonly organization?: string;
  /** @default ALL_FEATURES */
  readonly features?: Features;
}

/** A stack to render: a tenant's, or the shared `control-plane` stack. */
export type StackToRender = { readonly tenant: Tenant } | { readonly controlPlane: true };

// ---------------------------------------------------------------------------------------------------------------
// The runtime internals we use.

interface RuntimeStore {
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
  supportsDeletedWith: boolean;
  supportsReplaceWith: boolean;
  supportsAliasSpecs: boolean;
  supportsTransforms: boolean;
  supportsParameterization: boolean;
  supportsResourceHooks: boolean;
  supportsErrorHooks: boolean;
}
interface RuntimeState {
  withLocalStorage<T>(callback: () => T): T;
  getStore(): RuntimeStore;
}
interface RuntimeSettings {
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
  waitForRPCs(): Promise<void>;
}

let runtimeModules: { state: RuntimeState; settings: RuntimeSettings } | undefined;
function runtime(): { state: RuntimeState; settings: RuntimeSettings } {
  if (runtimeModules) return runtimeModules;
  const state = require("@pulumi/pulumi/runtime/state") as Partial<RuntimeState>;
  const settings = require("@pulumi/pulumi/runtime/settings") as Partial<RuntimeSettings>;
  if (typeof state.withLocalStorage !== "function" || typeof settings.setMockOptions !== "function" || typeof settings.waitForRPCs !== "function") {
    throw new Error(
      "this @pulumi/pulumi no longer has runtime/state.withLocalStorage, runtime/settings.setMockOptions or runtime/settings.waitForRPCs: update src/orchestrate/offlinePlan.ts",
    );
  }
  runtimeModules = { state: state as RuntimeState, settings: settings as RuntimeSettings };
  return runtimeModules;
}

// ---------------------------------------------------------------------------------------------------------------
// Serialized property values, as the runtime sends them to the engine.

const SIG = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const RESOURCE_SIG = pulumi.runtime.specialResourceSig;
const UNKNOWN = pulumi.runtime.unknownValue;
/** Shown for a value the engine computes and an offline render cannot know. */
const UNKNOWN_TEXT = "(known after up)";

/** Keyed per process: digests compare two renders made here, and reveal nothing once the process is gone. */
const DIGEST_KEY = randomBytes(32);

type Serialized = null | boolean | number | string | Serialized[] | { [key: string]: Serialized };

function isObject(value: Serialized | undefined): value is { [key: string]: Serialized } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function secret(value: Serialized): Serialized {
  return { [SIG]: SECRET_SIG, value };
}

/** Serialized inputs → recorded inputs: secrets become `SecretValue`s, resource references their URN's name. */
function redact(value: Serialized): PlanValue {
  if (value === UNKNOWN) return UNKNOWN_TEXT;
  if (Array.isArray(value)) return value.map(redact);
  if (!isObject(value)) return value;
  const sig = value[SIG];
  if (sig === SECRET_SIG) {
    return new SecretValue(createHmac("sha256", DIGEST_KEY).update(JSON.stringify(value.value ?? null)).digest("base64url").slice(0, 22));
  }
  if (sig === RESOURCE_SIG) return `<resource ${nameOfUrn(String(value.urn))}>`;
  const out: Record<string, PlanValue> = {};
  for (const key of Object.keys(value)) out[key] = redact(value[key]!);
  return out;
}

function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** What `resolveOutputs` reads from a response object: anything with `toJavaScript()`. */
function struct(value: { [key: string]: Serialized }): { toJavaScript(): { [key: string]: Serialized } } {
  return { toJavaScript: () => value };
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholder answers: stable, readable, obviously not real.

const placeholderId = (name: string) => `<id of ${name}>`;
const zoneId = (zone: unknown) => `<id of zone ${String(zone)}>`;

/** Invokes the programs make, answered offline. An invoke missing here fails the render with its token. */
const OFFLINE_INVOKES: Readonly<Record<string, (args: { [key: string]: Serialized }) => { [key: string]: Serialized }>> = {
  "cloudflare:index/getZone:getZone": (args) => {
    const name = isObject(args.filter) ? args.filter.name : undefined;
    return { ...args, id: zoneId(name), zoneId: zoneId(name), name: name ?? null, status: "active" };
  },
  "aws:route53/getZone:getZone": (args) => ({ ...args, id: zoneId(args.name), zoneId: zoneId(args.name), name: args.name ?? null }),
  "cloudflare:index/getCustomHostname:getCustomHostname": (args) => ({
    ...args,
    id: args.customHostnameId ?? null,
    status: "pending",
    ssl: { status: "pending_validation", validationRecords: [] },
  }),
};

/** Outputs a provider computes that the programs read; merged over the echoed inputs. */
const OFFLINE_STATE: Readonly<Record<string, (inputs: { [key: string]: Serialized }, name: string) => { [key: string]: Serialized }>> = {
  "pulumi-nodejs:dynamic:GeneratedPassword": () => ({ value: "<generated password>" }),
  "aws:acm/certificate:Certificate": (inputs) => ({
    status: "PENDING_VALIDATION",
    domainValidationOptions: [
      {
        domainName: inputs.domainName ?? null,
        resourceRecordName: `<validation name for ${String(inputs.domainName)}>`,
        resourceRecordType: "CNAME",
        resourceRecordValue: "<validation value>",
      },
    ],
  }),
  "cloudflare:index/customHostname:CustomHostname": () => ({ status: "pending" }),
};

// ---------------------------------------------------------------------------------------------------------------
// The monitor.

interface Callback<T> {
  (error: Error | null, response?: T): void;
}
interface StructLike {
  toJavaScript(): { [key: string]: Serialized };
}
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): StructLike | undefined;
  getProvider(): string;
  getAdditionalsecretoutputsList(): string[];
}
interface ReadResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getId(): string;
  getProperties(): StructLike | undefined;
  getProvider(): string;
}
interface InvokeRequest {
  getTok(): string;
  getArgs(): StructLike | undefined;
}

/** Records what one stack's program declares and answers like an engine that has nothing deployed yet. */
class RecordingMonitor {
  readonly resources: PlannedResource[] = [];
  readonly errors: string[] = [];
  private readonly qualifiedTypes = new Map<string, string>();

  constructor(
    private readonly stack: string,
    private readonly project: string,
    private readonly stackOutputs: (stackName: string) => { [key: string]: Serialized } | undefined,
  ) {}

  /** The engine's URN: the parent's qualified type chain, then this type (the root stack is not part of it). */
  private urn(parent: string, type: string, name: string): string {
    const parentType = parent ? this.qualifiedTypes.get(parent) : undefined;
    const qualified = parentType ? `${parentType}$${type}` : type;
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    this.qualifiedTypes.set(urn, qualified);
    return urn;
  }

  private fail(callback: Callback<never>, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.errors.push(message);
    callback(error instanceof Error ? error : new Error(message));
  }

  registerResource(req: RegisterResourceRequest, callback: Callback<unknown>): void {
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent();
      const custom = req.getCustom();
      const serialized = req.getObject()?.toJavaScript() ?? {};
      const urn = this.urn(parent, type, name);
      const dynamic = type.startsWith("pulumi-nodejs:dynamic");
      const inputs: Record<string, PlanValue> = {};
      for (const key of Object.keys(serialized)) {
        // A dynamic provider's code travels in `__provider`: serialized JavaScript, not an input anyone reviews.
        if (dynamic && key === "__provider") continue;
        inputs[key] = redact(serialized[key]!);
      }
      const provider = req.getProvider();
      this.resources.push({
        type,
        name,
        urn,
        ...(parent ? { parent } : {}),
        component: !custom,
        read: false,
        ...(provider ? { provider: nameOfUrn(provider.slice(0, provider.lastIndexOf("::"))) } : {}),
        inputs,
      });
      const state = { ...serialized, ...OFFLINE_STATE[type]?.(serialized, name) };
      // The engine, not the SDK, makes `additionalSecretOutputs` secret.
      for (const key of req.getAdditionalsecretoutputsList()) {
        const value = state[key];
        if (value !== undefined && !(isObject(value) && value[SIG] === SECRET_SIG)) state[key] = secret(value);
      }
      const id = custom ? placeholderId(name) : "";
      callback(null, {
        getUrn: () => urn,
        getId: () => id,
        getObject: () => struct(state),
        getPropertydependenciesMap: () => undefined,
        getResult: () => 0,
      });
    } catch (error) {
      this.fail(callback, error);
    }
  }

  readResource(req: ReadResourceRequest, callback: Callback<unknown>): void {
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent();
      const serialized = req.getProperties()?.toJavaScript() ?? {};
      const urn = this.urn(parent, type, name);
      const inputs: Record<string, PlanValue> = {};
      for (const key of Object.keys(serialized)) inputs[key] = redact(serialized[key]!);
      this.resources.push({ type, name, urn, ...(parent ? { parent } : {}), component: false, read: true, inputs });
      let state: { [key: string]: Serialized } = serialized;
      if (type === "pulumi:pulumi:StackReference") {
        const stackName = String(serialized.name ?? req.getId());
        const outputs = this.stackOutputs(stackName);
        if (!outputs) throw new Error(`tenantctl plan has no offline outputs for stack reference "${stackName}": only the ${CONTROL_PLANE_STACK} stack is known`);
        state = { name: stackName, outputs, secretOutputNames: [] };
      }
      callback(null, { getUrn: () => urn, getProperties: () => struct(state) });
    } catch (error) {
      this.fail(callback, error);
    }
  }

  invoke(req: InvokeRequest, callback: Callback<unknown>): void {
    try {
      const token = req.getTok();
      const answer = OFFLINE_INVOKES[token];
      if (!answer) {
        throw new Error(`tenantctl plan cannot answer the data source ${token} offline: add a placeholder to OFFLINE_INVOKES in src/orchestrate/offlinePlan.ts`);
      }
      const result = answer(req.getArgs()?.toJavaScript() ?? {});
      callback(null, { getFailuresList: () => [], getReturn: () => struct(result) });
    } catch (error) {
      this.fail(callback, error);
    }
  }

  call(req: InvokeRequest, callback: Callback<unknown>): void {
    this.fail(callback, new Error(`tenantctl plan cannot call component method ${req.getTok()} offline`));
  }

  registerResourceOutputs(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  supportsFeature(req: { getId(): string }, callback: Callback<unknown>): void {
    const id = req.getId();
    callback(null, { getHassupport: () => id !== "outputValues" && id !== "transforms" && id !== "invokeTransforms" });
  }

  registerPackage(_req: unknown, callback: Callback<unknown>): void {
    callback(null, { getRef: () => "tenantctl-offline-plan" });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.

/** `tenantctl:databaseServers` for an offline render: names where the real values come from; the password is a secret. */
function placeholderConfig(controlPlane: ControlPlane): Record<string, string> {
  const servers = Object.fromEntries(
    controlPlane.databaseServers.map((server) => [
      server.name,
      { username: `<tenantctl:databaseServers.${server.name}.username>`, password: "<offline placeholder>" },
    ]),
  );
  return { "tenantctl:databaseServers": JSON.stringify(servers) };
}

/**
 * What a deployment reads from its environment to reach a database server (infra/databaseServers.ts): credentials
 * and address overrides. A plan shows what the files declare, the same on a laptop and in CI, and reads no
 * credentials: these are hidden from the programs while they declare (synchronously; put back right after).
 */
const DEPLOYMENT_ENVIRONMENT = ["TENANTCTL_DATABASE_SERVERS", "PGUSER", "PGPASSWORD", "PGSSLMODE"] as const;

function withoutDeploymentEnvironment<T>(declare: () => T): T {
  const saved = DEPLOYMENT_ENVIRONMENT.filter((name) => name in process.env).map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return declare();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Where a render's time went before these two (1,000 tenants: 29 s → 14 s): the runtime takes a stack trace for
 * every promise it tracks (`debuggablePromise`) and for every resource's source position (`Resource.stackTrace`,
 * with an unlimited depth), and formatting them cost more than declaring the resources. Neither is read offline.
 * Inside a plan's own runtime stores, resources get no source position; while a plan renders, `Error.stackTraceLimit`
 * is 0 (errors keep their messages, which is all a plan reports).
 */
const planStores = new WeakSet<object>();
function inPlanStore(): boolean {
  const storage = (globalThis as { asyncLocalStorage?: { getStore(): unknown } }).asyncLocalStorage;
  const store = storage?.getStore();
  return typeof store === "object" && store !== null && planStores.has(store);
}
let sourcePositionsSkipped = false;
function skipSourcePositions(): void {
  if (sourcePositionsSkipped) return;
  sourcePositionsSkipped = true;
  const resource = pulumi.Resource as unknown as { stackTrace?: (skip: number) => unknown[] };
  const original = resource.stackTrace;
  if (typeof original !== "function") return;
  resource.stackTrace = function (this: unknown, skip: number) {
    return inPlanStore() ? [] : original.call(this, skip);
  };
}

/**
 * Errors the program raises asynchronously (a `ResourceError` thrown in an `apply`) surface as unhandled rejections,
 * which `pulumi up`'s language host catches and reports. While a stack renders, this file does the same: it is the
 * only `unhandledRejection` listener, and what it hears belongs to that stack (stacks render one at a time). The
 * listeners that were there before are put back afterwards.
 */
async function catchingRejections<T>(errors: string[], run: () => Promise<T>): Promise<T> {
  const previous = process.listeners("unhandledRejection");
  const listener = (reason: unknown) => errors.push(describeError(reason));
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", listener);
  try {
    const result = await run();
    // Unhandled rejections are reported after the microtask queue drains: let them arrive.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const restored of previous) process.on("unhandledRejection", restored);
  }
}

/** A stack renders in milliseconds; one that takes this long waits for something that will never come. */
const STACK_TIMEOUT_MS = 60_000;

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One render at a time: the rejection listener and `Error.stackTraceLimit` are process-wide. */
let queue: Promise<unknown> = Promise.resolve();

/** Renders one stack in a runtime store of its own; nothing of it stays reachable once this resolves. */
export function renderStack(controlPlane: ControlPlane, target: StackToRender, options: OfflinePlanOptions = {}): Promise<PlannedStack> {
  const rendered = queue.then(() => renderNow(controlPlane, target, options));
  queue = rendered.catch(() => undefined);
  return rendered;
}

async function renderNow(controlPlane: ControlPlane, target: StackToRender, options: OfflinePlanOptions): Promise<PlannedStack> {
  const { state, settings } = runtime();
  const slug = "tenant" in target ? target.tenant.slug : CONTROL_PLANE_STACK;
  const stack = slug;
  const project = options.project ?? "tenantctl";
  const features = options.features ?? ALL_FEATURES;
  const controlPlaneOutputs = placeholderControlPlaneOutputs(controlPlane.auth) as unknown as { [key: string]: Serialized };
  const monitor = new RecordingMonitor(stack, project, (name) =>
    name === CONTROL_PLANE_STACK || name.endsWith(`/${CONTROL_PLANE_STACK}`) ? controlPlaneOutputs : undefined,
  );
  const errors = monitor.errors;
  skipSourcePositions();
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    await catchingRejections(errors, () => state.withLocalStorage(async () => {
      planStores.add(state.getStore());
      settings.setMockOptions(monitor, project, stack, false, options.organization ?? "organization");
      // What `pulumi.runtime.setMocks` turns on: the features a current engine supports.
      Object.assign(state.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsReplaceWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
        supportsParameterization: true,
        supportsResourceHooks: true,
        supportsErrorHooks: true,
      } satisfies RuntimeStore);
      pulumi.runtime.setAllConfig(placeholderConfig(controlPlane), ["tenantctl:databaseServers"]);
      try {
        withoutDeploymentEnvironment(() => {
          if ("tenant" in target) tenantStack(target.tenant, features);
          else controlPlaneStack(controlPlane, features);
        });
      } catch (error) {
        errors.push(describeError(error));
      }
      try {
        await withTimeout(settings.waitForRPCs(), STACK_TIMEOUT_MS, `the program did not finish within ${STACK_TIMEOUT_MS / 1000} s (an output that never resolves?)`);
      } catch (error) {
        errors.push(describeError(error));
      }
    }));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (errors.length > 0) return { slug, stack, resources: [], error: [...new Set(errors)].join("\n") };
  return { slug, stack, resources: treeOrder(monitor.resources) };
}

/** Renders stacks one after another (they are CPU-bound: interleaving them gains nothing and holds more memory). */
export async function renderStacks(
  controlPlane: ControlPlane,
  targets: readonly StackToRender[],
  options: OfflinePlanOptions = {},
): Promise<PlannedStack[]> {
  const stacks: PlannedStack[] = [];
  for (const target of targets) stacks.push(await renderStack(controlPlane, target, options));
  return stacks;
}
