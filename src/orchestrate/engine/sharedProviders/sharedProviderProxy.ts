/**
 * One provider process per configuration for every stack of a run, instead of two per stack.
 *
 * Why: the engine starts a plugin for each provider it loads, and a tenant's `preview --refresh` loads the PostgreSQL
 * provider twice (once configured from state for the refresh, once unconfigured for `Registry.Check` of the program's
 * provider): about 0.17 s of CPU each, per stack, for a process that would answer every stack of the run the same.
 *
 * How: tenantctl starts the plugin itself and tells each engine to attach to this proxy
 * (`PULUMI_DEBUG_PROVIDERS=<package>:<port>`, as for the dynamic providers). A plugin holds one configuration per
 * process (the engine configures it over each connection), so the proxy routes by configuration:
 *
 * - each engine connection (one per provider the engine loads, told apart by its peer address) is bound, at its
 *   `Configure`, to the process configured with exactly the same arguments, started for it when there is none. Two
 *   stacks with different servers or credentials never share a process; a stack's URN is not part of the key.
 * - what a provider answers without its configuration (GetPluginInfo, GetSchema, CheckConfig, DiffConfig, mappings)
 *   goes to the first process, which is why an unconfigured load no longer starts one.
 * - `Attach` and `Handshake` give a plugin the engine's address, where it sends its log lines; the processes here
 *   get the proxy's instead (engineLogRouter below), which hands each line to the engine of the stack its URN names.
 * - `Cancel` is not passed on: it would cancel every stack's calls, and the engine cancels its own calls anyway
 *   (a cancelled call here cancels the forwarded one).
 *
 * Everything else is forwarded as raw bytes, errors with their details (partial failures) included.
 */
import * as grpc from "@grpc/grpc-js";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { engineFacingServer, listenOnLoopback } from "../loopbackGrpc";
import { type ProviderProcess, startProviderProcess } from "./providerProcess";

export interface SharedProviderProxy {
  readonly port: number;
  /** Provider processes started so far (for the tests). */
  processCount(): number;
  close(): void;
}

type Raw = Buffer;
const raw = { serialize: (value: Raw) => value, deserialize: (value: Raw) => value };
const EMPTY: Raw = Buffer.alloc(0);
/** Methods a provider answers the same whatever its configuration: sent to the first process. */
const UNCONFIGURED = new Set([
  "getPluginInfo",
  "getSchema",
  "checkConfig",
  "diffConfig",
  "getMapping",
  "getMappings",
  "parameterize",
]);

export async function startSharedProviderProxy(binary: string, env: NodeJS.ProcessEnv): Promise<SharedProviderProxy> {
  const server = engineFacingServer();
  const logs = engineLogRouter();
  server.addService(rawService(enginerpc.EngineService), { log: logs.handle });
  /** Configuration key → its process, and that process's answer to the Configure that set it up. */
  const byConfiguration = new Map<string, { provider: Promise<ProviderProcess>; configured: Promise<Raw> }>();
  const started: Promise<ProviderProcess>[] = [];
  /** Engine connection (peer) → the process it was configured on. */
  const boundTo = new Map<string, Promise<ProviderProcess>>();
  let port = 0;
  const start = () => {
    const provider = startProviderProcess(binary, `127.0.0.1:${port}`, env);
    started.push(provider);
    // A process that ended (a crash) is forgotten, so that the stacks after it get a new one rather than its error.
    provider.then(
      (backend) => backend.exited.then(() => forget(provider)),
      () => forget(provider),
    );
    return provider;
  };
  const forget = (provider: Promise<ProviderProcess>) => {
    if (closed) return;
    for (const [key, entry] of byConfiguration) if (entry.provider === provider) byConfiguration.delete(key);
    if (spare === provider) spare = undefined;
    if (first === provider) first = undefined;
  };
  let closed = false;
  // Claimed by the first configuration, so that a run with one server starts one process.
  let spare: Promise<ProviderProcess> | undefined;
  let first: Promise<ProviderProcess> | undefined;
  /** The process for what needs no configuration; started again, when next needed, if it ended. */
  const firstProcess = () => (first ??= start());

  const configure = (request: Raw, peer: string) => {
    const decoded = provproto.ConfigureRequest.deserializeBinary(request);
    logs.stackAt(decoded.getUrn() ?? "", peer);
    const key = configurationKey(decoded);
    let entry = byConfiguration.get(key);
    if (!entry) {
      const provider = spare ?? start();
      spare = undefined;
      const configured = provider.then((backend) =>
        unaryCall(backend.client, providerPath("configure"), request, new grpc.Metadata()),
      );
      const created = { provider, configured };
      byConfiguration.set(key, created);
      // A configuration that failed is not kept: the next stack tries again (and gets the provider's own error).
      configured.catch(() => {
        if (byConfiguration.get(key) === created) byConfiguration.delete(key);
      });
      entry = created;
    }
    boundTo.set(peer, entry.provider);
    return entry.configured;
  };

  const backendFor = (method: string, peer: string): Promise<ProviderProcess> =>
    UNCONFIGURED.has(method) ? firstProcess() : (boundTo.get(peer) ?? firstProcess());

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, definition] of Object.entries(provrpc.ResourceProviderService)) {
    if (definition.responseStream) {
      implementation[method] = (call: grpc.ServerWritableStream<Raw, Raw>) => {
        backendFor(method, call.getPeer()).then(
          (backend) => {
            const outgoing = backend.client.makeServerStreamRequest(
              definition.path,
              raw.serialize,
              raw.deserialize,
              call.request,
              call.metadata,
            );
            call.on("cancelled", () => outgoing.cancel());
            outgoing.on("data", (message: Raw) => call.write(message));
            outgoing.on("error", (error: grpc.ServiceError) => call.destroy(error));
            outgoing.on("end", () => call.end());
          },
          (error: Error) => call.destroy(unavailable(error)),
        );
      };
      continue;
    }
    implementation[method] = (call: grpc.ServerUnaryCall<Raw, Raw>, callback: grpc.sendUnaryData<Raw>) => {
      const peer = call.getPeer();
      const answer = (work: Promise<Raw>) =>
        work.then(
          (response) => callback(null, response),
          (error: grpc.ServiceError | Error) => {
            const serviceError = "code" in error ? error : unavailable(error);
            callback(serviceError, null, serviceError.metadata);
          },
        );
      switch (method) {
        case "attach":
          logs.engineAt(peer, plugproto.PluginAttach.deserializeBinary(call.request).getAddress());
          return answer(Promise.resolve(EMPTY));
        case "cancel":
          return answer(Promise.resolve(EMPTY));
        case "handshake": {
          const request = provproto.ProviderHandshakeRequest.deserializeBinary(call.request);
          logs.engineAt(peer, request.getEngineAddress());
          const ours = request.setEngineAddress(`127.0.0.1:${port}`).serializeBinary();
          return answer(
            firstProcess().then((backend) =>
              unaryCall(backend.client, providerPath(method), Buffer.from(ours), call.metadata),
            ),
          );
        }
        case "configure":
          return answer(configure(call.request, peer));
        default:
          return answer(
            backendFor(method, peer).then((backend) =>
              unaryCall(backend.client, providerPath(method), call.request, call.metadata, call),
            ),
          );
      }
    };
  }
  server.addService(rawService(provrpc.ResourceProviderService), implementation);
  port = await listenOnLoopback(server);
  spare = firstProcess();
  try {
    await spare;
  } catch (error) {
    server.forceShutdown();
    throw error;
  }

  return {
    port,
    processCount: () => started.length,
    close() {
      closed = true;
      server.forceShutdown();
      logs.close();
      for (const provider of started)
        provider.then(
          (backend) => backend.stop(),
          () => undefined,
        );
    },
  };
}

/** What makes two configurations the same provider: everything the engine configures it with, except whose it is. */
export function configurationKey(request: provproto.ConfigureRequest): string {
  const variables = Object.fromEntries(
    request
      .getVariablesMap()
      .toArray()
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return canonicalJson({
    variables,
    args: request.getArgs()?.toJavaScript() ?? null,
    acceptSecrets: request.getAcceptsecrets(),
    acceptResources: request.getAcceptresources(),
    sendsOldInputs: request.getSendsOldInputs(),
    sendsOldInputsToDelete: request.getSendsOldInputsToDelete(),
  });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The engine service the provider processes log to: each line goes to the engine of the stack its URN names (learnt
 * from the connection that configured a provider for that stack), a line without a URN to the engine that configured
 * last. A line for an engine that has gone is dropped, as it would be with a provider of its own.
 */
function engineLogRouter() {
  const engineOfPeer = new Map<string, string>();
  const engineOfStack = new Map<string, string>();
  const clients = new Map<string, grpc.Client>();
  let latest: string | undefined;
  const clientFor = (address: string) => {
    let client = clients.get(address);
    if (!client) {
      client = new grpc.Client(address, grpc.credentials.createInsecure());
      clients.set(address, client);
    }
    return client;
  };
  return {
    engineAt(peer: string, address: string) {
      if (address) engineOfPeer.set(peer, address);
    },
    stackAt(urn: string, peer: string) {
      const engine = engineOfPeer.get(peer);
      if (!engine) return;
      latest = engine;
      const stack = stackOfUrn(urn);
      if (stack) engineOfStack.set(stack, engine);
    },
    handle(call: grpc.ServerUnaryCall<Raw, Raw>, callback: grpc.sendUnaryData<Raw>) {
      const stack = stackOfUrn(engineproto.LogRequest.deserializeBinary(call.request).getUrn());
      const engine = (stack && engineOfStack.get(stack)) || latest;
      if (!engine) return callback(null, EMPTY);
      unaryCall(clientFor(engine), enginerpc.EngineService.log.path, call.request, new grpc.Metadata()).then(
        () => callback(null, EMPTY),
        () => callback(null, EMPTY),
      );
    },
    close() {
      for (const client of clients.values()) client.close();
    },
  };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

function providerPath(method: string): string {
  return (provrpc.ResourceProviderService as grpc.ServiceDefinition)[method]!.path;
}

function unaryCall(
  client: grpc.Client,
  path: string,
  request: Raw,
  metadata: grpc.Metadata,
  incoming?: grpc.ServerUnaryCall<Raw, Raw>,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const outgoing = client.makeUnaryRequest(
      path,
      raw.serialize,
      raw.deserialize,
      request,
      metadata,
      (error, response) => (error ? reject(error) : resolve(response ?? EMPTY)),
    );
    incoming?.on("cancelled", () => outgoing.cancel());
  });
}

function rawService(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([method, spec]) => [
      method,
      {
        ...spec,
        requestSerialize: raw.serialize,
        requestDeserialize: raw.deserialize,
        responseSerialize: raw.serialize,
        responseDeserialize: raw.deserialize,
      },
    ]),
  );
}

function unavailable(error: Error): grpc.ServiceError {
  return Object.assign(new Error(`shared provider: ${error.message}`), {
    code: grpc.status.UNAVAILABLE,
    details: `shared provider: ${error.message}`,
    metadata: new grpc.Metadata(),
  });
}
