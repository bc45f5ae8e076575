/**
 * A local S3 service for Pulumi's S3 state backend: versitygw (Apache-2.0) serving a temporary directory, built by
 * tools/ensure-versitygw.sh into the tools cache (scripts/test.sh builds it before the tests; a cold build takes
 * minutes, more than a test hook should wait). Buckets are directories of its root, so the bucket is made with mkdir.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort, stopChild } from "../../src/sandbox/localProcess";

export interface RunningVersityGw {
  /** `s3://<bucket>?endpoint=http://127.0.0.1:PORT&use_path_style=true&region=us-east-1`, for PULUMI_BACKEND_URL. */
  readonly backendUrl: string;
  /** The credentials and region the backend's S3 client reads. */
  readonly env: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string; AWS_REGION: string };
  /** The bucket's directory: what the backend wrote, as files. */
  readonly bucketDir: string;
  stop(): Promise<void>;
}

/** The directory holding `versitygw`, from tools/ensure-versitygw.sh; fails naming the fix when it cannot be had. */
export function versityGwBinDir(repoRoot: string): string {
  const ensured = spawnSync(join(repoRoot, "tools", "ensure-versitygw.sh"), { encoding: "utf8" });
  if (ensured.status !== 0) {
    throw new Error(
      `tools/ensure-versitygw.sh failed (exit ${ensured.status}): ${ensured.stderr.trim().split("\n").slice(-5).join("\n")}\n` +
        "The S3 state test needs versitygw: run `bash scripts/test.sh` (it builds it), or put Go >= 1.25 on PATH.",
    );
  }
  return ensured.stdout.trim();
}

export async function startVersityGw(repoRoot: string, bucket = "pulumi-state"): Promise<RunningVersityGw> {
  const binary = join(versityGwBinDir(repoRoot), "versitygw");
  const root = mkdtempSync(join(tmpdir(), "tenantctl-s3-"));
  const bucketDir = join(root, bucket);
  mkdirSync(bucketDir);
  const accessKey = `test${randomBytes(6).toString("hex")}`;
  const secretKey = randomBytes(18).toString("base64url");
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(binary, ["--port", `127.0.0.1:${port}`, "posix", root], {
      env: { ...process.env, ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stderr?.on("data", collect);
    const endpoint = `http://127.0.0.1:${port}`;
    if (await answers(child, endpoint)) {
      // It logs every request: read and dropped from here on.
      child.stderr?.off("data", collect).resume();
      return {
        backendUrl: `s3://${bucket}?endpoint=${endpoint}&use_path_style=true&region=us-east-1`,
        env: { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, AWS_REGION: "us-east-1" },
        bucketDir,
        async stop() {
          await stopChild(child);
          rmSync(root, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    // Another process may take the port between the probe and the bind: a new port, a few times.
    if (attempt >= 3) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`versitygw did not answer on ${endpoint}:\n${output.trim().split("\n").slice(-10).join("\n")}`);
    }
  }
}

/** Any HTTP answer (an unsigned request gets 403) means it listens. */
async function answers(child: ChildProcess, endpoint: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const answer = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (answer) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
