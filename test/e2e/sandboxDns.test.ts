/**
 * `tenantctl sandbox --keep --dns`, for real: a throwaway PostgreSQL and a real PowerDNS with the template's zone, the
 * example fleet deployed by the real engine with its records written into PowerDNS (the template says Cloudflare: the
 * sandbox overrides the provider). The printed `dig` line resolves, run as printed; through env.sh as a user would,
 * `drift --all` finds nothing; `sandbox --stop` stops PowerDNS too.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pulumiEngine, tempProject } from "../support/pulumi";
import { runCli } from "../support/runCli";
import { keptSandbox, printedStopCommand, sourced } from "../support/sandbox";

const engine = pulumiEngine();

describe("tenantctl sandbox --dns", () => {
  const kept = keptSandbox();

  it("writes the tenants' records into a local PowerDNS and prints a dig line that resolves", async () => {
    const project = (kept.project = tempProject(engine.repoRoot, "tenantctl-sandbox-dns-"));
    const { code, stdout, stderr } = await runCli(["sandbox", "--keep", "--dns"], project.dir);
    kept.stop = printedStopCommand(stdout);
    expect(code, stdout + stderr).toBe(0);
    expect(stderr).toMatch(/^sandbox: PowerDNS answers DNS on 127\.0\.0\.1:\d+, its API on http:\/\/127\.0\.0\.1:\d+/m);
    for (const slug of ["acme", "globex", "initech"])
      expect(stdout).toMatch(new RegExp(`create +pulumi-nodejs:dynamic:PowerDnsRecord ${slug}-hostname`));

    // The printed dig line, run as printed.
    const dig = /^ {2}(dig @127\.0\.0\.1 -p \d+ (\S+) CNAME \+short) +# (\S+)$/m.exec(stdout);
    expect(dig, stdout).not.toBeNull();
    expect(dig![2]).toBe("acme.app.example.com");
    expect(execFileSync("sh", ["-c", dig![1]!], { encoding: "utf8" }).trim()).toBe(dig![3]);
    expect(dig![3]).toBe("edge.example.com.");

    // env.sh (0600) exports the PowerDNS API; its key is printed nowhere and is in no state file in clear.
    const sandboxDir = join(project.dir, ".tenantctl", "sandbox");
    const env = sourced(join(sandboxDir, "env.sh"));
    expect(env.TENANTCTL_DNS_PROVIDER).toBe("powerdns");
    const key = env.TENANTCTL_POWERDNS_API_KEY!;
    expect(key.length).toBeGreaterThan(10);
    expect(stdout + stderr).not.toContain(key);
    const grep = spawnSync("grep", ["-rlF", "--", key, join(sandboxDir, "state")], { encoding: "utf8" });
    expect({ status: grep.status, files: grep.stdout }).toEqual({ status: 1, files: "" });

    // As a user would after `source env.sh`: no drift, DNS included.
    const drift = spawnSync(
      "sh",
      ["-c", `. .tenantctl/sandbox/env.sh && node ${join(engine.repoRoot, "bin", "tenantctl.js")} drift --all`],
      { cwd: project.dir, encoding: "utf8" },
    );
    expect(drift.status, drift.stdout + drift.stderr).toBe(0);

    const stopped = await runCli(["sandbox", "--stop"], project.dir);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain("stopped the sandbox's PostgreSQL and PowerDNS");
    kept.stop = undefined;
    const after = spawnSync("sh", ["-c", `${dig![1]} +time=1 +tries=1`], { encoding: "utf8" });
    expect(after.stdout).not.toContain("edge.example.com");
  });
});
