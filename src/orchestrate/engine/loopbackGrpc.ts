/**
 * gRPC on loopback as the engine and its plugins speak it: a server that tenantctl serves to the engine (the
 * dynamic-provider host, the shared-provider proxy) on a port the OS picks on 127.0.0.1, and the message size they
 * allow (provider states and schemas can be large).
 */
import * as grpc from "@grpc/grpc-js";

/** As the engine: provider messages (states, schemas) can be large. */
export const MAX_MESSAGE = 1024 * 1024 * 400;

/** A server for the engine to call; `listen` binds it. */
export function engineFacingServer(): grpc.Server {
  return new grpc.Server({ "grpc.max_receive_message_length": MAX_MESSAGE });
}

/** Binds `server` on 127.0.0.1, a port the OS picks, and resolves with that port. */
export function listenOnLoopback(server: grpc.Server): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
}
