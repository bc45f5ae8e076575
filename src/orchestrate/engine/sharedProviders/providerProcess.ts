/**
 * One provider plugin process started by tenantctl (not by the engine) and a gRPC client that forwards raw messages
 * to it: a backend of the shared-provider proxy (sharedProviderProxy.ts).
 *
 * A plugin is started as the engine starts it: its binary with the address of an engine service as its only
 * argument; it prints the port it listens on as the first line of stdout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { MAX_MESSAGE } from "../loopbackGrpc";

/** A plugin that has not said its port by then is not going to. */
const START_TIMEOUT_MS = 30_000;

export interface ProviderProcess {
  readonly client: grpc.Client;
  /** The process ended (or never started): calls to it fail. */
  readonly exited: Promise<void>;
  stop(): void;
}

export async function startProviderProcess(
  binary: string,
  engineAddress: string,
  env: NodeJS.ProcessEnv,
): Promise<ProviderProcess> {
  // In a process group of its own, as the engine starts its plugins: a Ctrl-C at the terminal reaches tenantctl and
  // the engines, which finish what is in flight, and not the provider they are finishing it with. tenantctl stops it
  // when the run ends; one left by a killed run is an orphan like the engine's (src/orchestrate/run/orphans.ts).
  const child = spawn(binary, [engineAddress], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    // Kept only to explain a plugin that fails to start; a running plugin's stderr goes nowhere, as the engine's
    // plugins' does without -v.
    if (stderr.length < 4096) stderr += chunk;
  });
  try {
    const port = await firstLinePort(child, START_TIMEOUT_MS, () => stderr);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    });
    return {
      client,
      exited,
      stop() {
        client.close();
        child.kill("SIGKILL");
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

function firstLinePort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}${stderr() ? `: ${stderr().trim()}` : ""}`));
    };
    const timer = setTimeout(() => fail(`gave no port in ${timeoutMs / 1000} s`), timeoutMs);
    child.once("error", (error) => fail(error.message));
    const exitedEarly = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited (${signal ?? code}) before giving its port`);
    child.once("exit", exitedEarly);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const newline = out.indexOf("\n");
      if (newline < 0) return;
      const port = Number(out.slice(0, newline).trim());
      clearTimeout(timer);
      child.off("exit", exitedEarly);
      child.stdout?.removeAllListeners("data").resume();
      if (Number.isInteger(port) && port > 0) resolve(port);
      else reject(new Error(`printed ${JSON.stringify(out.slice(0, newline))} instead of its port`));
    });
  });
}
