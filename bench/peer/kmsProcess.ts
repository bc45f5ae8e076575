/**
 * The bench's AWS KMS (test/support/awsKmsServer.ts) in a process of its own, over HTTPS as AWS serves it, so that the
 * CLI's KMS call costs it a TLS handshake as it would against AWS, and so that it answers while the bench waits on a
 * measured command (spawnSync blocks the bench's own event loop).
 *
 *   node dist/bench/peer/kmsProcess.js <dir>   → one JSON line on stdout: {pid, secretsProvider, env}; runs until stdin closes
 *
 * <dir> receives a throwaway key and self-signed certificate for 127.0.0.1; `env.AWS_CA_BUNDLE` points at it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAwsKmsServer } from "../../test/support/awsKmsServer";

export interface KmsProcessInfo {
  readonly pid: number;
  readonly secretsProvider: string;
  readonly env: Record<string, string>;
}

async function main(dir: string): Promise<void> {
  const key = join(dir, "kms-key.pem");
  const cert = join(dir, "kms-cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  const kms = await startAwsKmsServer({ tls: { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") } });
  const info: KmsProcessInfo = {
    pid: process.pid,
    secretsProvider: kms.secretsProvider(),
    env: { ...kms.env, AWS_CA_BUNDLE: cert },
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void kms.close().then(() => process.exit(0)));
}

if (require.main === module) {
  main(process.argv[2] ?? ".").catch((error: unknown) => {
    process.stderr.write(`kmsProcess: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
