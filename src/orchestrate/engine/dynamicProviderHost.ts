/**
 * The engine's dynamic-provider host (`pulumi-nodejs`, the provider of every `pulumi-nodejs:dynamic:*` resource: our
 * settings table and generated password), served from tenantctl's own process for every stack of a run.
 *
 * Why: by default the engine starts the `pulumi-resource-pulumi-nodejs` plugin for each deployment — a shell script
 * that starts one Node.js process to find the host and another that loads all of @pulumi/pulumi (0.55 s of CPU each
 * time) — and `preview --refresh`, `up --refresh` are two deployments, so every stack paid it twice. tenantctl already
 * has Node.js and @pulumi/pulumi loaded, so it serves the same gRPC protocol itself and tells the engine to attach to it
 * (`PULUMI_DEBUG_PROVIDERS=pulumi-nodejs:<port>`, the engine's documented way to use an already running provider).
 *
 * What it runs is unchanged: each resource carries its provider's source in `__provider` (infra/dynamic/prebuilt.ts),
 * loaded here exactly as @pulumi/pulumi's own host loads it (its `cmd/dynamic-provider`, whose behaviour this follows
 * method for method), and `pulumi up -s acme` by hand still uses Pulumi's own host with the same source. The
 * providers are stateless between calls, so one host serves several stacks at once.
 */
import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type * as pulumi from "@pulumi/pulumi";
import { Config as DynamicConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { unknownValue, unwrapRpcSecret } from "@pulumi/pulumi/runtime/rpc";
import { version as pulumiVersion } from "@pulumi/pulumi/version";
import { engineFacingServer, listenOnLoopback } from "./loopbackGrpc";
import { loadPg } from "../../../infra/context/loadPg";
import { loadProviderSource } from "../../../infra/dynamic/prebuilt";

/** The engine's package name of the dynamic-provider plugin (`pulumi-resource-pulumi-nodejs`). */
export const DYNAMIC_PROVIDER_PACKAGE = "pulumi-nodejs";
const PROVIDER_KEY = "__provider";

type Provider = pulumi.dynamic.ResourceProvider;
type Props = Record<string, unknown>;

export interface DynamicProviderHost {
  /** Where it listens, on 127.0.0.1. */
  readonly port: number;
  /** `PULUMI_DEBUG_PROVIDERS` for the engine: this host for `pulumi-nodejs`, after what `existing` already says. */
  debugProviders(existing: string | undefined): string;
  close(): void;
}

export async function startDynamicProviderHost(project: string): Promise<DynamicProviderHost> {
  const server = engineFacingServer();
  server.addService(provrpc.ResourceProviderService, dynamicProviderService(project));
  const port = await listenOnLoopback(server);
  return {
    port,
    debugProviders: (existing) => [existing, `${DYNAMIC_PROVIDER_PACKAGE}:${port}`].filter(Boolean).join(","),
    close: () => server.forceShutdown(),
  };
}

/** The ResourceProvider service; methods not listed here answer UNIMPLEMENTED (grpc-js's default), as Pulumi's host does. */
export function dynamicProviderService(project: string): grpc.UntypedServiceImplementation {
  // One provider per source text (and configuration), loaded once, as Pulumi's host caches it once per process.
  const providers = new Map<string, Promise<Provider>>();
  // Configure arrives per engine connection; a provider that has `configure` gets the configuration of the deployment asking.
  const configs = new Map<string, Props>();

  const providerFor = (props: Props, peer: string): Promise<Provider> => {
    const source = String(props[PROVIDER_KEY]);
    const config = configs.get(peer) ?? {};
    const key = `${JSON.stringify(config)}\n${source}`;
    let provider = providers.get(key);
    if (!provider) {
      // Before the provider's own `require("pg")`, so that it gets pg without undici (loadPg.ts).
      loadPg();
      provider = (async () => {
        const loaded = loadProviderSource<Provider>(source);
        if (loaded.configure) await loaded.configure({ config: new DynamicConfig(config, project) });
        return loaded;
      })();
      providers.set(key, provider);
    }
    return provider;
  };

  const unary =
    <Req, Res>(work: (request: Req, peer: string) => Promise<Res>, errorResponse = plainError) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      work(call.request, call.getPeer()).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const response = errorResponse(error);
          callback(response, null, response.metadata);
        },
      );
    };

  return {
    getPluginInfo: unary(async () => new plugproto.PluginInfo().setVersion(pulumiVersion)),
    // Attaching is how the engine connects to a running host (see the module comment); there is nothing to set up.
    attach: unary(async () => new emptyproto.Empty()),
    cancel: unary(async () => new emptyproto.Empty()),
    configure: unary(async (request: provproto.ConfigureRequest, peer) => {
      const args = (request.getArgs()?.toJavaScript() ?? {}) as Props;
      const config: Props = {};
      for (const [key, value] of Object.entries(args)) if (key !== PROVIDER_KEY) config[key] = unwrapRpcSecret(value);
      configs.set(peer, config);
      // Secrets are not sent to dynamic providers: the engine unwraps them and marks the outputs again.
      return new provproto.ConfigureResponse().setAcceptsecrets(false);
    }),
    check: unary(async (request: provproto.CheckRequest, peer) => {
      const olds = (request.getOlds()?.toJavaScript() ?? {}) as Props;
      const news = (request.getNews()?.toJavaScript() ?? {}) as Props;
      const provider = await providerFor(news[PROVIDER_KEY] === unknownValue ? olds : news, peer);
      let inputs: Props = news;
      let failures: pulumi.dynamic.CheckFailure[] = [];
      if (provider.check) {
        const result = await provider.check(olds, news);
        if (result.inputs) inputs = result.inputs;
        if (result.failures) failures = result.failures;
      }
      inputs[PROVIDER_KEY] = news[PROVIDER_KEY];
      const response = new provproto.CheckResponse().setInputs(structproto.Struct.fromJavaScript(inputs as never));
      if (failures.length > 0)
        response.setFailuresList(
          failures.map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)),
        );
      return response;
    }),
    diff: unary(async (request: provproto.DiffRequest, peer) => {
      const olds = (request.getOlds()?.toJavaScript() ?? {}) as Props;
      const news = (request.getNews()?.toJavaScript() ?? {}) as Props;
      const provider = await providerFor(news[PROVIDER_KEY] === unknownValue ? olds : news, peer);
      const response = new provproto.DiffResponse();
      if (provider.diff) {
        const result = await provider.diff(request.getId(), olds, news);
        const { DiffChanges } = provproto.DiffResponse;
        response.setChanges(
          result.changes === true
            ? DiffChanges.DIFF_SOME
            : result.changes === false
              ? DiffChanges.DIFF_NONE
              : DiffChanges.DIFF_UNKNOWN,
        );
        if (result.replaces && result.replaces.length > 0) response.setReplacesList(result.replaces);
        if (result.deleteBeforeReplace) response.setDeletebeforereplace(result.deleteBeforeReplace);
      }
      return response;
    }),
    create: unary(async (request: provproto.CreateRequest, peer) => {
      const props = (request.getProperties()?.toJavaScript() ?? {}) as Props;
      const result = await (await providerFor(props, peer)).create(props);
      return new provproto.CreateResponse()
        .setId(result.id)
        .setProperties(structproto.Struct.fromJavaScript(withProvider(result.outs, props) as never));
    }, initFailure),
    read: unary(async (request: provproto.ReadRequest, peer) => {
      const props = (request.getProperties()?.toJavaScript() ?? {}) as Props;
      const provider = await providerFor(props, peer);
      const response = new provproto.ReadResponse();
      if (!provider.read) return response.setId(request.getId()).setProperties(request.getProperties());
      // The provider's source goes back with what was read, so the resource keeps working after a refresh.
      const result = await provider.read(request.getId(), props);
      response
        .setId(result.id ?? "")
        .setProperties(structproto.Struct.fromJavaScript(withProvider(result.props, props) as never));
      const inputs = (result as { inputs?: Props }).inputs;
      if (inputs) response.setInputs(structproto.Struct.fromJavaScript(withProvider(inputs, props) as never));
      return response;
    }),
    update: unary(async (request: provproto.UpdateRequest, peer) => {
      const olds = (request.getOlds()?.toJavaScript() ?? {}) as Props;
      const news = (request.getNews()?.toJavaScript() ?? {}) as Props;
      const provider = await providerFor(news, peer);
      const result = provider.update ? ((await provider.update(request.getId(), olds, news)) ?? {}) : {};
      return new provproto.UpdateResponse().setProperties(
        structproto.Struct.fromJavaScript(withProvider(result.outs, news) as never),
      );
    }, initFailure),
    delete: unary(async (request: provproto.DeleteRequest, peer) => {
      const props = (request.getProperties()?.toJavaScript() ?? {}) as Props;
      const provider = await providerFor(props, peer);
      if (provider.delete) await provider.delete(request.getId(), props);
      return new emptyproto.Empty();
    }),
    invoke: unary(async (request: provproto.InvokeRequest) => {
      throw new Error(`unknown function ${request.getTok()}`);
    }),
  };
}

function withProvider(result: Props | undefined, props: Props): Props {
  return Object.assign(result ?? {}, { [PROVIDER_KEY]: props[PROVIDER_KEY] });
}

type ErrorResponse = Partial<grpc.StatusObject> & { metadata: grpc.Metadata };

function plainError(error: unknown): ErrorResponse {
  return {
    code: grpc.status.UNKNOWN,
    details: (error as Error)?.message ?? String(error),
    metadata: new grpc.Metadata(),
  };
}

/**
 * As Pulumi's host: an error of create or update that carries an `id` is a resource that exists but failed to
 * initialize; the engine keeps it in state (with its properties) instead of forgetting it.
 */
function initFailure(error: unknown): ErrorResponse {
  const response = plainError(error);
  const e = error as { id?: string; properties?: Props; reasons?: string[]; message?: string };
  if (e?.id) {
    const detail = new provproto.ErrorResourceInitFailed()
      .setId(e.id)
      .setProperties(structproto.Struct.fromJavaScript((e.properties ?? {}) as never))
      .setReasonsList(e.reasons ?? []);
    const details = new anyproto.Any();
    details.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status()
      .setCode(grpc.status.UNKNOWN)
      .setMessage(e.message ?? "")
      .addDetails(details);
    response.metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return response;
}
