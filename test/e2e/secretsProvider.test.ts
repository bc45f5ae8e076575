/**
 * TENANTCTL_SECRETS_PROVIDER: the stacks tenantctl creates keep their secrets under a KMS key instead of the passphrase,
 * with the real engine and PostgreSQL; AWS KMS itself is served on a loopback port (test/support/awsKmsServer.ts), as
 * AWS cannot be reached from here. No passphrase is set in this file's runs: a stack that needed one would fail.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsKmsServer, startAwsKmsServer } from "../support/awsKmsServer";
import { type RunningPostgres, startPostgres } from "../support/postgres";
import { databaseServersEnv, pulumiEngine, type TempProject, tempProject } from "../support/pulumi";
import { outcomesOf, tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

describe("stacks created with TENANTCTL_SECRETS_PROVIDER", () => {
  let postgres: RunningPostgres;
  let kms: AwsKmsServer;
  let project: TempProject;
  let state: string;
  let env: NodeJS.ProcessEnv;
  const tenantctl = (args: string[], runEnv = env) =>
    tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env: runEnv });

  beforeAll(async () => {
    [postgres, kms] = await Promise.all([startPostgres(), startAwsKmsServer()]);
    project = tempProject(engine.repoRoot, "tenantctl-e2e-secrets-provider-");
    state = mkdtempSync(join(tmpdir(), "tenantctl-e2e-secrets-provider-state-"));
    const {
      PULUMI_CONFIG_PASSPHRASE: _passphrase,
      PULUMI_CONFIG_PASSPHRASE_FILE: _passphraseFile,
      ...withoutPassphrase
    } = process.env;
    env = {
      ...withoutPassphrase,
      ...kms.env,
      PULUMI_BACKEND_URL: `file://${state}`,
      TENANTCTL_DATABASE_SERVERS: databaseServersEnv(postgres),
      // Only acme's stack runs here: without the control plane, there is no registry to write its rows to.
      TENANTCTL_DISABLE: "dns,tls,auth,registry",
      TENANTCTL_SECRETS_PROVIDER: kms.secretsProvider(),
    };
  }, 300_000);

  afterAll(async () => {
    project?.remove();
    if (state) rmSync(state, { recursive: true, force: true });
    await Promise.all([postgres?.stop(), kms?.close()]);
  });

  it("creates the stack with the KMS key, keeps its secrets encrypted in state, and reads them back with the key alone", async () => {
    const up = await tenantctl(["up", "acme"]);
    expect(up.code, up.stderr).toBe(0);
    expect(outcomesOf(up)).toEqual({ acme: "changed" });
    // One Encrypt: the stack's data key, wrapped at `stack init`; a Decrypt for each CLI start after it.
    expect(kms.calls["Encrypt"]).toBe(1);
    const decryptsAfterUp = kms.calls["Decrypt"] ?? 0;
    expect(decryptsAfterUp).toBeGreaterThanOrEqual(1);

    const stackConfig = readFileSync(join(project.dir, "Pulumi.acme.yaml"), "utf8");
    expect(stackConfig).toContain(`secretsprovider: ${kms.secretsProvider()}`);
    expect(stackConfig).toMatch(/^encryptedkey: \S+/m);
    expect(stackConfig).not.toContain("encryptionsalt");

    // The tenant's password is in state only as ciphertext of the stack's key.
    const stateFile = join(state, ".pulumi", "stacks", "tenantctl", "acme.json");
    expect(existsSync(stateFile)).toBe(true);
    const deployment = JSON.parse(readFileSync(stateFile, "utf8")) as {
      checkpoint: {
        latest: {
          secrets_providers: { type: string };
          resources: { type: string; outputs?: Record<string, unknown> }[];
        };
      };
    };
    expect(deployment.checkpoint.latest.secrets_providers.type).toBe("cloud");
    const password = deployment.checkpoint.latest.resources.find(
      (r) => r.type === "pulumi-nodejs:dynamic:GeneratedPassword",
    );
    expect(JSON.stringify(password?.outputs)).toMatch(/"ciphertext":"v1:[^"]+"/);

    const drift = await tenantctl(["drift", "acme"]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(outcomesOf(drift)).toEqual({ acme: "unchanged" });
    expect(kms.calls["Decrypt"]).toBeGreaterThan(decryptsAfterUp);
    expect(kms.calls["Encrypt"]).toBe(1);
  });

  it("leaves an existing stack's provider alone, and cannot read the stack without its key", async () => {
    const other = await startAwsKmsServer();
    try {
      const drift = await tenantctl(["drift", "acme"], { ...env, TENANTCTL_SECRETS_PROVIDER: other.secretsProvider() });
      // The stack keeps the provider it was created with (Pulumi.acme.yaml), so this run still asks the first KMS:
      // the variable only chooses the provider of stacks that do not exist yet.
      expect(drift.code, drift.stderr).toBe(0);
      expect(other.calls["Decrypt"]).toBeUndefined();

      // Pointed at the other KMS, the stack's wrapped key cannot be unwrapped: nothing is read, nothing deployed.
      const stackConfig = readFileSync(join(project.dir, "Pulumi.acme.yaml"), "utf8");
      writeFileSync(
        join(project.dir, "Pulumi.acme.yaml"),
        stackConfig.replace(kms.secretsProvider(), other.secretsProvider()),
      );
      try {
        const refused = await tenantctl(["drift", "acme"]);
        expect(refused.code).toBe(1);
        expect(outcomesOf(refused)).toEqual({ acme: "failed" });
        expect(other.calls["Decrypt"]).toBeGreaterThanOrEqual(1);
        expect(refused.report.tenants[0]?.message).toMatch(/InvalidCiphertextException|decrypt/i);
      } finally {
        writeFileSync(join(project.dir, "Pulumi.acme.yaml"), stackConfig);
      }
    } finally {
      await other.close();
    }
  });
});
