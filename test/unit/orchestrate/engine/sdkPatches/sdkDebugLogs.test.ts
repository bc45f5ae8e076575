/**
 * withoutSdkDebugLogs: @pulumi/pulumi's debug lines no longer reach the engine, its other log lines still do. The
 * engine here is a gRPC server on a loopback port that records what it is sent (the Engine service's `log`). Its own
 * process (vitest `forks`), since the patch is for the whole process.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOnLoopback } from "../../../../../src/orchestrate/engine/loopbackGrpc";
import { withoutSdkDebugLogs } from "../../../../../src/orchestrate/engine/sdkPatches/sdkDebugLogs";

const log = require("@pulumi/pulumi/log") as {
  debug(message: string): Promise<void>;
  info(message: string): Promise<void>;
  warn(message: string): Promise<void>;
};
const settings = require("@pulumi/pulumi/runtime/settings") as { resetOptions(...args: unknown[]): void };

describe("withoutSdkDebugLogs", () => {
  const received: string[] = [];
  const server = new grpc.Server();

  beforeAll(async () => {
    server.addService(enginerpc.EngineService, {
      log(
        call: grpc.ServerUnaryCall<engineproto.LogRequest, emptyproto.Empty>,
        done: grpc.sendUnaryData<emptyproto.Empty>,
      ) {
        received.push(`${call.request.getSeverity()} ${call.request.getMessage()}`);
        done(null, new emptyproto.Empty());
      },
    });
    const port = await listenOnLoopback(server);
    settings.resetOptions("tenantctl", "acme", -1, `127.0.0.1:${port}`, "", false, "");
  });
  afterAll(() => server.forceShutdown());

  it("sends the engine debug lines until it is called, and then only the others", async () => {
    await log.debug("before");
    expect(received).toEqual(["0 before"]); // LogSeverity.DEBUG = 0

    withoutSdkDebugLogs();
    await log.debug("after");
    await log.info("still told");
    await log.warn("and this");
    expect(received).toEqual(["0 before", "1 still told", "2 and this"]);
  });
});
