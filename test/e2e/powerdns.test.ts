/**
 * Self-hosted DNS with the real engine: the example fleet with `dns.provider: powerdns`, against a real PowerDNS
 * Authoritative server on loopback ports. Tenant hostnames resolve over DNS, the API key never reaches the state in
 * plaintext, a hand edit in PowerDNS is drift that `up` restores, and a decommissioned tenant's record is removed.
 * Its own PostgreSQL, state and PowerDNS.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cnameOf, editByHand, type RunningPowerDns, startTestPowerDns } from "../support/powerdns";
import { type OwnWorld, startOwnWorld } from "../support/ownWorld";
import { pulumiEngine, type TempProject } from "../support/pulumi";
import { tenantctlProcess } from "../support/tenantctlProcess";

const engine = pulumiEngine();

describe("PowerDNS records", () => {
  let world: OwnWorld | undefined;
  let powerdns: RunningPowerDns | undefined;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;

  const tenantctl = (args: string[]) => tenantctlProcess(engine.repoRoot, args, { cwd: project.dir, env });

  beforeAll(async () => {
    world = await startOwnWorld(engine.repoRoot, "powerdns");
    powerdns = await startTestPowerDns("example.com");
    project = world.project;
    const template = project.readFile("_control-plane.yaml");
    const withPowerDns = template.replace(
      /^dns:\n(?: {2}.*\n)+/m,
      `dns:\n  provider: powerdns\n  zone: example.com\n  powerdns: { apiUrl: "${powerdns.apiUrl}", serverId: localhost }\n`,
    );
    expect(withPowerDns).not.toBe(template);
    project.writeFile("_control-plane.yaml", withPowerDns);
    // The key is a secret of the deployment, never in the files: here, the environment.
    env = { ...world.env, TENANTCTL_DISABLE: "tls,auth", TENANTCTL_POWERDNS_API_KEY: powerdns.apiKey };
  }, 300_000);

  afterAll(async () => {
    await powerdns?.stop();
    await world?.close();
  });

  it("writes each tenant's hostname, resolvable over DNS, with the API key a secret in state", async () => {
    const controlPlane = await tenantctl(["up", "control-plane"]);
    expect(controlPlane.code, JSON.stringify(controlPlane.report, null, 1)).toBe(0);
    const up = await tenantctl(["up", "acme", "globex"]);
    expect(up.code, JSON.stringify(up.report, null, 1)).toBe(0);
    expect(await cnameOf(powerdns!, "acme.app.example.com")).toBe("edge.example.com");
    expect(await cnameOf(powerdns!, "globex.app.example.com")).toBe("edge.example.com");

    const stateFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? stateFiles(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const state = stateFiles(world!.state).map((file) => readFileSync(file, "utf8"));
    expect(state.join("\n")).toContain("PowerDnsRecord");
    expect(state.join("\n")).not.toContain(powerdns!.apiKey);
  });

  it("sees a hand edit as drift, and up restores the record", async () => {
    await editByHand(powerdns!, { name: "acme.app.example.com", type: "CNAME", records: ["attacker.example.org."] });
    expect(await cnameOf(powerdns!, "acme.app.example.com")).toBe("attacker.example.org");

    const drift = await tenantctl(["drift", "acme", "globex"]);
    expect(drift.code, JSON.stringify(drift.report, null, 1)).toBe(3);
    const drifted = drift.report.tenants.filter((tenant) => tenant.outcome === "drift").map((tenant) => tenant.slug);
    expect(drifted).toEqual(["acme"]);
    expect(JSON.stringify(drift.report)).toContain("attacker.example.org");

    const up = await tenantctl(["up", "acme"]);
    expect(up.code, JSON.stringify(up.report, null, 1)).toBe(0);
    expect(await cnameOf(powerdns!, "acme.app.example.com")).toBe("edge.example.com");
    const clean = await tenantctl(["drift", "acme"]);
    expect(clean.code, clean.stderr).toBe(0);
  });

  it("drift --all reads the zone in one request: clean stacks skip the engine, a changed or deleted record does not", async () => {
    const all = await tenantctl(["up", "--all"]);
    expect(all.code, all.stderr).toBe(0);
    type Scanned = {
      scan?: { scanned: number; clean: number; toEngine: number };
      tenants: { slug: string; outcome: string; scan?: string[] }[];
    };
    const clean = await tenantctl(["drift", "--all"]);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanScan = (clean.report as unknown as Scanned).scan!;
    expect(cleanScan.scanned).toBeGreaterThanOrEqual(3);
    expect(cleanScan).toMatchObject({ clean: cleanScan.scanned, toEngine: 0 });

    await editByHand(powerdns!, {
      name: "globex.app.example.com",
      type: "CNAME",
      ttl: 60,
      records: ["edge.example.com."],
    });
    await editByHand(powerdns!, { name: "acme.app.example.com", type: "CNAME", records: [] });
    const drift = await tenantctl(["drift", "--all"]);
    expect(drift.code, drift.stderr).toBe(3);
    const report = drift.report as unknown as Scanned;
    expect(report.scan).toMatchObject({ toEngine: 2 });
    const tenant = (slug: string) => report.tenants.find((t) => t.slug === slug)!;
    expect(tenant("acme").scan).toEqual(["acme-hostname: CNAME acme.app.example.com. is not in zone example.com."]);
    expect(tenant("globex").scan).toEqual(["globex-hostname: CNAME globex.app.example.com.: ttl is 60"]);
    // The engine, asked for those two, agrees.
    expect([tenant("acme").outcome, tenant("globex").outcome]).toEqual(["drift", "drift"]);

    const up = await tenantctl(["up", "acme", "globex"]);
    expect(up.code, up.stderr).toBe(0);
    const again = await tenantctl(["drift", "--all"]);
    expect(again.code, again.stderr).toBe(0);
    expect((again.report as unknown as Scanned).scan).toMatchObject({ toEngine: 0 });
  });

  it("removes a decommissioned tenant's record", async () => {
    project.writeFile("globex.yaml", `${project.readFile("globex.yaml")}status: decommissioned\n`);
    const up = await tenantctl(["up", "globex"]);
    expect(up.code, JSON.stringify(up.report, null, 1)).toBe(0);
    expect(await cnameOf(powerdns!, "globex.app.example.com")).toBeUndefined();
    expect(await cnameOf(powerdns!, "acme.app.example.com")).toBe("edge.example.com");
  });
});
