/**
 * The shared-provider proxy with the real PostgreSQL plugin: engine connections configured alike share one process,
 * connections configured differently never do, and what a provider answers unconfigured needs no process of its own.
 * (The e2e fleet runs every stack through it too: see fleet.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { afterEach, describe, expect, it } from "vitest";
import {
  type SharedProviderProxy,
  startSharedProviderProxy,
} from "../../src/orchestrate/engine/sharedProviders/sharedProviderProxy";
import { pulumiEngine } from "../support/pulumi";

const engine = pulumiEngine();

/** One engine connection: a client of its own (grpc-js shares channels with equal options, so each gets a distinct one). */
function engineConnection(port: number, id: number): provrpc.ResourceProviderClient {
  return new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "tenantctl.test.connection": id,
  });
}

function call<Res>(
  send: (callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
): Promise<Res> {
  return new Promise((resolve, reject) => send((error, response) => (error ? reject(error) : resolve(response))));
}

function configureRequest(host: string, stack: string): provproto.ConfigureRequest {
  const request = new provproto.ConfigureRequest()
    .setArgs(
      structproto.Struct.fromJavaScript({
        host,
        port: "5432",
        username: "admin",
        sslmode: "disable",
        version: "1.27.0",
      }),
    )
    .setAcceptsecrets(true)
    .setAcceptresources(true)
    .setUrn(`urn:pulumi:${stack}::tenantctl::pulumi:providers:postgresql::default`);
  request.getVariablesMap().set("postgresql:config:host", host);
  return request;
}

describe("the shared-provider proxy with the real PostgreSQL plugin", () => {
  let proxy: SharedProviderProxy | undefined;
  const clients: grpc.Client[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    proxy?.close();
  });
  const connect = (id: number) => {
    const client = engineConnection(proxy!.port, id);
    clients.push(client);
    return client;
  };
  const start = async () => {
    proxy = await startSharedProviderProxy(join(engine.binDir, "pulumi-resource-postgresql"), process.env);
  };

  it("answers unconfigured calls from its first process and shares it between connections configured alike", async () => {
    await start();
    const [a, b, c] = [connect(1), connect(2), connect(3)];
    const info = await call<plugproto.PluginInfo>((done) => c.getPluginInfo(new emptyproto.Empty(), done));
    expect(info.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const checkRequest = new provproto.CheckRequest()
      .setNews(structproto.Struct.fromJavaScript({ host: "db.one" }))
      .setUrn("urn:pulumi:acme::tenantctl::pulumi:providers:postgresql::default");
    const checked = await call<provproto.CheckResponse>((done) => c.checkConfig(checkRequest, done));
    expect(checked.getFailuresList()).toEqual([]);
    expect(checked.getInputs()?.toJavaScript()).toMatchObject({ host: "db.one" });

    const first = await call<provproto.ConfigureResponse>((done) =>
      a.configure(configureRequest("db.one", "acme"), done),
    );
    const second = await call<provproto.ConfigureResponse>((done) =>
      b.configure(configureRequest("db.one", "globex"), done),
    );
    expect(first.getSupportspreview()).toBe(true);
    expect(second.serializeBinary()).toEqual(first.serializeBinary());
    expect(proxy!.processCount()).toBe(1);
  });

  it("starts another process for another configuration", async () => {
    await start();
    const [a, b] = [connect(1), connect(2)];
    await call<provproto.ConfigureResponse>((done) => a.configure(configureRequest("db.one", "acme"), done));
    await call<provproto.ConfigureResponse>((done) => b.configure(configureRequest("db.two", "globex"), done));
    expect(proxy!.processCount()).toBe(2);
  });

  it("replaces a provider process that ended, for the connections after it", async () => {
    await start();
    const [a, b] = [connect(1), connect(2)];
    await call<provproto.ConfigureResponse>((done) => a.configure(configureRequest("db.one", "acme"), done));
    // The proxy's processes are the ones started with its address as their engine's.
    const pids = () =>
      execFileSync("pgrep", ["-f", `pulumi-resource-postgresql 127.0.0.1:${proxy!.port}$`], { encoding: "utf8" })
        .trim()
        .split("\n");
    const [crashed] = pids();
    process.kill(Number(crashed), "SIGKILL");
    const running = () => {
      try {
        return pids().includes(crashed!);
      } catch {
        return false; // pgrep exits 1 when it finds none
      }
    };
    await expect.poll(running).toBe(false);
    const configured = await call<provproto.ConfigureResponse>((done) =>
      b.configure(configureRequest("db.one", "globex"), done),
    );
    expect(configured.getSupportspreview()).toBe(true);
    expect(proxy!.processCount()).toBe(2);
    expect(pids()).not.toContain(crashed);
  });
});
