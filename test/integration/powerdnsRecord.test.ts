/**
 * The PowerDNS record provider against a real PowerDNS Authoritative server (started on free loopback ports with a
 * throwaway SQLite database). The provider is the one loaded from the source that ships (powerdnsProvider.ts), called
 * as the engine calls it; what the server holds is checked over real DNS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PowerDnsConnection } from "../../infra/dns/powerdnsConnection";
import { loadPowerDnsRecordProvider, type PowerDnsRecordState } from "../../infra/dns/powerdnsProvider";
import { cnameOf, editByHand, type RunningPowerDns, startTestPowerDns } from "../support/powerdns";

const ZONE = "example.test";
const provider = loadPowerDnsRecordProvider();
let server: RunningPowerDns;
let connection: PowerDnsConnection;

beforeAll(async () => {
  server = await startTestPowerDns(ZONE);
  connection = { apiUrl: server.apiUrl, serverId: server.serverId, apiKey: server.apiKey };
});

afterAll(async () => {
  await server?.stop();
});

function record(overrides: Partial<PowerDnsRecordState> = {}): PowerDnsRecordState {
  return {
    connection,
    tenant: "acme",
    zone: `${ZONE}.`,
    name: `acme.app.${ZONE}.`,
    type: "CNAME",
    ttl: 300,
    records: ["edge.example.net."],
    ...overrides,
  };
}

describe("PowerDNS record provider", () => {
  it("creates a record that resolves, reads it back unchanged, and deletes it", async () => {
    const inputs = record();
    const created = await provider.create!(inputs);
    expect(created.id).toBe(`${ZONE}./acme.app.${ZONE}./CNAME`);
    expect(await cnameOf(server, `acme.app.${ZONE}`)).toBe("edge.example.net");

    const read = await provider.read!(created.id, inputs);
    expect(read.props).toEqual(inputs);

    await provider.delete!(created.id, inputs);
    expect(await cnameOf(server, `acme.app.${ZONE}`)).toBeUndefined();
    // Already gone is fine.
    await provider.delete!(created.id, inputs);
  });

  it("reads a hand edit as the real rrset, and an update restores the spec", async () => {
    const inputs = record({ name: `globex.app.${ZONE}.`, tenant: "globex" });
    const { id } = await provider.create!(inputs);
    await editByHand(server, { name: inputs.name, type: "CNAME", ttl: 60, records: ["elsewhere.example.org."] });

    const read = await provider.read!(id, inputs);
    expect(read.props).toMatchObject({ records: ["elsewhere.example.org."], ttl: 60 });
    const diff = await provider.diff!(id, read.props as PowerDnsRecordState, inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    await provider.update!(id, read.props as PowerDnsRecordState, inputs);
    expect(await cnameOf(server, inputs.name)).toBe("edge.example.net");
    expect((await provider.read!(id, inputs)).props).toEqual(inputs);
    await provider.delete!(id, inputs);
  });

  it("reports a record deleted by hand as gone, so an up writes it again", async () => {
    const inputs = record({ name: `initech.app.${ZONE}.`, tenant: "initech" });
    const { id } = await provider.create!(inputs);
    await editByHand(server, { name: inputs.name, type: "CNAME", records: [] });
    expect((await provider.read!(id, inputs)).id).toBe("");
  });

  it("takes over a record already at that name instead of failing", async () => {
    await editByHand(server, { name: `umbrella.app.${ZONE}`, type: "CNAME", records: ["old.example.org."] });
    const inputs = record({ name: `umbrella.app.${ZONE}.`, tenant: "umbrella" });
    await provider.create!(inputs);
    expect(await cnameOf(server, inputs.name)).toBe("edge.example.net");
  });

  it("replaces, deleting first, when the name or type changes", async () => {
    const olds = record();
    const diff = await provider.diff!("id", olds, record({ name: `other.app.${ZONE}.` }));
    expect(diff).toMatchObject({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
    expect(await provider.diff!("id", olds, record())).toMatchObject({ changes: false });
  });

  it("names the tenant, the record and the fix on a wrong key, and never the key", async () => {
    const wrong = record({ connection: { ...connection, apiKey: "not-the-key-0123456789" } });
    const failure = await provider.create!(wrong).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const { message } = failure as Error;
    expect(message).toContain('tenant "acme"');
    expect(message).toContain(`CNAME acme.app.${ZONE}.`);
    expect(message).toMatch(/401|403/);
    expect(message).toContain("TENANTCTL_POWERDNS_API_KEY");
    expect(message).not.toContain("not-the-key-0123456789");
    expect(message).not.toContain(server.apiKey);
  });

  it("says the zone must exist when it does not", async () => {
    const failure = await provider.create!(record({ zone: "missing.test.", name: "acme.missing.test." })).catch(
      (error: Error) => error,
    );
    expect((failure as Error).message).toMatch(/missing\.test\..*(404|422).*/s);
  });
});
