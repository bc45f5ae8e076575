/**
 * AWS KMS, as far as a Pulumi stack's secrets provider uses it, on a loopback port: AWS cannot be reached from here,
 * so it is replaced at the lowest layer, its HTTP API (the JSON 1.1 protocol of `TrentService`). Pulumi's `awskms://`
 * secrets provider (gocloud.dev/secrets/awskms, with `?endpoint=` pointing here) calls `Encrypt` once, when a stack is
 * created, to wrap the stack's data key, and `Decrypt` once per CLI start to unwrap it.
 *
 * Keys are AES-256-GCM keys made at start, one per key id asked for; a ciphertext names its key and is bound to the
 * request's encryption context, as KMS does. Request signatures are not checked (any credentials do); every call is
 * counted, so a test can see which ones the engine made.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface AwsKmsServer {
  readonly endpoint: string;
  /** Calls so far by operation (`Encrypt`, `Decrypt`, ...). */
  readonly calls: Readonly<Record<string, number>>;
  /** A secrets provider URL for this server and `alias/<alias>`. */
  secretsProvider(alias?: string): string;
  /** AWS_* variables the engine needs to call it (fake credentials: nothing checks them). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const REGION = "us-east-1";
const ACCOUNT = "000000000000";

export interface AwsKmsServerOptions {
  /** Serve HTTPS, as AWS does, with this key and certificate (PEM); the engine then needs AWS_CA_BUNDLE to trust it. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export async function startAwsKmsServer(options: AwsKmsServerOptions = {}): Promise<AwsKmsServer> {
  const keys = new Map<string, Buffer>();
  const calls: Record<string, number> = {};
  const arnOf = (keyId: string) =>
    keyId.startsWith("arn:")
      ? keyId
      : `arn:aws:kms:${REGION}:${ACCOUNT}:${keyId.startsWith("alias/") ? keyId : `key/${keyId}`}`;
  const keyFor = (arn: string) => {
    let key = keys.get(arn);
    if (!key) keys.set(arn, (key = randomBytes(32)));
    return key;
  };
  const context = (value: unknown) =>
    Buffer.from(JSON.stringify(Object.entries((value ?? {}) as Record<string, string>).sort()));

  const operations: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    Encrypt(body) {
      const arn = arnOf(String(body["KeyId"]));
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", keyFor(arn), iv).setAAD(context(body["EncryptionContext"]));
      const sealed = Buffer.concat([cipher.update(Buffer.from(String(body["Plaintext"]), "base64")), cipher.final()]);
      const name = Buffer.from(arn);
      const blob = Buffer.concat([Buffer.from([name.length]), name, iv, cipher.getAuthTag(), sealed]);
      return { CiphertextBlob: blob.toString("base64"), KeyId: arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
    },
    Decrypt(body) {
      const blob = Buffer.from(String(body["CiphertextBlob"]), "base64");
      const arn = blob.subarray(1, 1 + blob[0]!).toString();
      const rest = blob.subarray(1 + blob[0]!);
      const key = keys.get(arn);
      if (!key)
        throw new KmsError(400, "InvalidCiphertextException", "the ciphertext names a key this server does not hold");
      const decipher = createDecipheriv("aes-256-gcm", key, rest.subarray(0, 12)).setAAD(
        context(body["EncryptionContext"]),
      );
      decipher.setAuthTag(rest.subarray(12, 28));
      try {
        const plain = Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]);
        return { Plaintext: plain.toString("base64"), KeyId: arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
      } catch {
        throw new KmsError(
          400,
          "InvalidCiphertextException",
          "the ciphertext or its encryption context does not match",
        );
      }
    },
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => void handle(request, response);
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const operation = String(request.headers["x-amz-target"] ?? "").replace(/^TrentService\./, "");
    calls[operation] = (calls[operation] ?? 0) + 1;
    const reply = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    };
    try {
      const run = operations[operation];
      if (!run)
        throw new KmsError(
          400,
          "UnsupportedOperationException",
          `${operation || "(no X-Amz-Target)"} is not served here`,
        );
      reply(200, run(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>));
    } catch (error) {
      const { status, type, message } =
        error instanceof KmsError ? error : new KmsError(500, "KMSInternalException", String(error));
      reply(status, { __type: type, message });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    calls,
    secretsProvider: (alias = "tenantctl") =>
      `awskms://alias/${alias}?region=${REGION}&endpoint=${encodeURIComponent(endpoint)}`,
    env: {
      AWS_ACCESS_KEY_ID: "AKIAFAKEFORTESTS0000",
      AWS_SECRET_ACCESS_KEY: "fake-secret-for-tests",
      AWS_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

class KmsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
