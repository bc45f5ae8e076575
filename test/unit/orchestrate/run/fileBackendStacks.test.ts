/** The stacks of a file backend, read from its directory as `pulumi stack ls` would answer. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileBackendStacks } from "../../../../src/orchestrate/run/fileBackendStacks";

function backendWith(files: readonly string[]): string {
  const backend = mkdtempSync(join(tmpdir(), "tenantctl-file-backend-"));
  for (const file of files) {
    mkdirSync(join(backend, ".pulumi", "stacks", ...file.split("/").slice(0, -1)), { recursive: true });
    writeFileSync(join(backend, ".pulumi", "stacks", file), "{}");
  }
  return backend;
}

describe("fileBackendStacks", () => {
  it("lists the project's checkpoints, plain or gzipped, and not their backups or attribute files", () => {
    const backend = backendWith([
      "tenantctl/globex.json",
      "tenantctl/globex.json.bak",
      "tenantctl/globex.json.attrs",
      "tenantctl/acme.json.gz",
      "tenantctl/control-plane.json",
      "other-project/initech.json",
    ]);
    expect(fileBackendStacks({ PULUMI_BACKEND_URL: `file://${backend}` }, "tenantctl")).toEqual([
      "acme",
      "control-plane",
      "globex",
    ]);
  });

  it("reads the legacy layout too, and an empty backend has no stacks", () => {
    const legacy = backendWith(["acme.json", "acme.json.bak"]);
    expect(fileBackendStacks({ PULUMI_BACKEND_URL: `file://${legacy}` }, "tenantctl")).toEqual(["acme"]);
    const empty = mkdtempSync(join(tmpdir(), "tenantctl-file-backend-"));
    expect(fileBackendStacks({ PULUMI_BACKEND_URL: `file://${empty}` }, "tenantctl")).toEqual([]);
  });

  it("leaves every other backend to the CLI", () => {
    expect(fileBackendStacks({ PULUMI_BACKEND_URL: "s3://state?region=us-east-1" }, "tenantctl")).toBeUndefined();
    expect(fileBackendStacks({}, "tenantctl")).toBeUndefined();
  });
});
