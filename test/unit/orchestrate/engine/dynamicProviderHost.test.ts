/**
 * tenantctl's dynamic-provider host speaks the engine's ResourceProvider protocol, over real gRPC, as @pulumi/pulumi's
 * own host does: the engine attaches, configures, and then checks, creates, reads and diffs resources whose provider
 * travels as source text in `__provider`. The generated password's shipped source is the provider under test.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { version as pulumiVersion } from "@pulumi/pulumi/version";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_PASSWORD_PROVIDER_SOURCE } from "../../../../infra/dynamic/generatedPassword";
import {
  type DynamicProviderHost,
  startDynamicProviderHost,
} from "../../../../src/orchestrate/engine/dynamicProviderHost";

const URN =
  "urn:pulumi:acme::tenantctl::tenantctl:index:TenantDatabase$pulumi-nodejs:dynamic:GeneratedPassword::acme-password";
const struct = (value: Record<string, unknown>) => structproto.Struct.fromJavaScript(value as never);

/** A provider that fails as a real one may: create leaves a half-made resource (an id), update just fails. */
const FAILING_SOURCE = `"use strict";
exports.handler = function () {
  return {
    async create() { const e = new Error("the table could not be seeded"); e.id = "half-made"; e.properties = { seeded: false }; e.reasons = ["seed failed"]; throw e; },
    async update() { throw new Error("cannot update"); },
  };
};
`;

describe("tenantctl's dynamic-provider host", () => {
  let host: DynamicProviderHost;
  let client: provrpc.ResourceProviderClient;
  const call = <Res>(invoke: (callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown) =>
    new Promise<Res>((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));

  beforeAll(async () => {
    host = await startDynamicProviderHost("tenantctl");
    client = new provrpc.ResourceProviderClient(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure());
  });
  afterAll(() => {
    client?.close();
    host?.close();
  });

  it("tells the engine where it is, after what PULUMI_DEBUG_PROVIDERS already says", () => {
    expect(host.debugProviders(undefined)).toBe(`pulumi-nodejs:${host.port}`);
    expect(host.debugProviders("aws:12345")).toBe(`aws:12345,pulumi-nodejs:${host.port}`);
  });

  it("lets the engine attach and configure it, and asks for no secrets", async () => {
    await call<emptyproto.Empty>((cb) => client.attach(new plugproto.PluginAttach().setAddress("127.0.0.1:1"), cb));
    const info = await call<plugproto.PluginInfo>((cb) => client.getPluginInfo(new emptyproto.Empty(), cb));
    expect(info.getVersion()).toBe(pulumiVersion);
    const configured = await call<provproto.ConfigureResponse>((cb) =>
      client.configure(new provproto.ConfigureRequest().setArgs(struct({ "tenantctl:dir": "tenants" })), cb),
    );
    expect(configured.getAcceptsecrets()).toBe(false);
  });

  it("checks, creates, reads and diffs a generated password with the provider its resource carries", async () => {
    const inputs = { value: null, __provider: GENERATED_PASSWORD_PROVIDER_SOURCE };
    const checked = await call<provproto.CheckResponse>((cb) =>
      client.check(new provproto.CheckRequest().setUrn(URN).setOlds(struct({})).setNews(struct(inputs)), cb),
    );
    expect(checked.getFailuresList()).toEqual([]);
    expect(checked.getInputs()?.toJavaScript()["__provider"]).toBe(GENERATED_PASSWORD_PROVIDER_SOURCE);

    const created = await call<provproto.CreateResponse>((cb) =>
      client.create(new provproto.CreateRequest().setUrn(URN).setProperties(struct(inputs)), cb),
    );
    const outs = created.getProperties()!.toJavaScript() as { value: string; __provider: string };
    expect(created.getId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(outs.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The source goes back with the outputs, so later operations find the provider in state.
    expect(outs.__provider).toBe(GENERATED_PASSWORD_PROVIDER_SOURCE);

    const read = await call<provproto.ReadResponse>((cb) =>
      client.read(new provproto.ReadRequest().setId(created.getId()).setUrn(URN).setProperties(struct(outs)), cb),
    );
    expect(read.getId()).toBe(created.getId());
    expect(read.getProperties()?.toJavaScript()).toEqual(outs);

    const diff = await call<provproto.DiffResponse>((cb) =>
      client.diff(
        new provproto.DiffRequest().setId(created.getId()).setUrn(URN).setOlds(struct(outs)).setNews(struct(inputs)),
        cb,
      ),
    );
    expect(diff.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_NONE);
  });

  it("reports a failed create with the id of what exists, so the engine keeps it in state", async () => {
    const error = await call<provproto.CreateResponse>((cb) =>
      client.create(
        new provproto.CreateRequest().setUrn(URN).setProperties(struct({ __provider: FAILING_SOURCE })),
        cb,
      ),
    ).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).details).toBe("the table could not be seeded");
    const details = (error as grpc.ServiceError).metadata.get("grpc-status-details-bin");
    expect(details).toHaveLength(1);
    expect(Buffer.from(details[0] as Buffer).toString("latin1")).toContain("half-made");

    const plain = await call<provproto.UpdateResponse>((cb) =>
      client.update(
        new provproto.UpdateRequest()
          .setId("x")
          .setUrn(URN)
          .setOlds(struct({ __provider: FAILING_SOURCE }))
          .setNews(struct({ __provider: FAILING_SOURCE })),
        cb,
      ),
    ).catch((e: grpc.ServiceError) => e);
    expect((plain as grpc.ServiceError).details).toBe("cannot update");
    expect((plain as grpc.ServiceError).metadata.get("grpc-status-details-bin")).toEqual([]);
  });

  it("answers what it does not implement as UNIMPLEMENTED, as Pulumi's host does", async () => {
    const error = await call<provproto.GetSchemaResponse>((cb) =>
      client.getSchema(new provproto.GetSchemaRequest(), cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNIMPLEMENTED);
  });
});
