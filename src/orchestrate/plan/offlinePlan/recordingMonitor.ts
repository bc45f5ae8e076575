/**
 * The engine's stand-in during an offline render: it records what one stack's program declares and answers like an
 * engine that has nothing deployed yet. It answers like `pulumi.runtime.setMocks`' MockMonitor, with three differences
 * that matter here: it reads the inputs as serialized (secrets still wrapped) and records them with secrets redacted;
 * it answers from the request itself (no deserialize/serialize round trip per resource), so rendering stays cheap; its
 * placeholder answers are stable and readable, so two renders can be compared.
 */
import { CONTROL_PLANE_STACK } from "../../../core/naming";
import type { PlannedResource, PlanValue } from "../../../core/compare/plannedStack";
import { OFFLINE_INVOKES, OFFLINE_STATE, placeholderId } from "./placeholders";
import { isObject, nameOfUrn, redact, SECRET_SIG, secret, type Serialized, SIG, struct } from "./serialized";

type Callback<T> = (error: Error | null, response?: T) => void;
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
export class RecordingMonitor {
  readonly resources: PlannedResource[] = [];
  readonly errors: string[] = [];
  private readonly qualifiedTypes = new Map<string, string>();

  constructor(
    private readonly stack: string,
    private readonly project: string,
    private readonly stackOutputs: (stackName: string) => { [key: string]: Serialized } | undefined,
  ) {}

  /**
   * The engine's URN: the parent's qualified type chain, then this type (the root stack is not part of it). Like the
   * engine, a second resource with the same URN is refused.
   */
  private urn(parent: string, type: string, name: string): string {
    const parentType = parent ? this.qualifiedTypes.get(parent) : undefined;
    const qualified = parentType ? `${parentType}$${type}` : type;
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    if (this.qualifiedTypes.has(urn)) throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
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
        if (!outputs)
          throw new Error(
            `tenantctl plan has no offline outputs for stack reference "${stackName}": only the ${CONTROL_PLANE_STACK} stack is known`,
          );
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
        throw new Error(
          `tenantctl plan cannot answer the data source ${token} offline: add a placeholder to OFFLINE_INVOKES in src/orchestrate/plan/offlinePlan/placeholders.ts`,
        );
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
