/**
 * The drift scan's expectations (src/orchestrate/scan/expected.ts) are what the stack programs render: for every
 * example tenant, status and deployment the scan reads, the offline render of infra/stacks.ts declares exactly the
 * resources the scan expects, with the inputs it expects. A resource added to a component and not taught to the scan
 * fails here, so the scan cannot call a stack clean while its program would create or change something.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane, Tenant, TenantStatus } from "../../src/core/model";
import { loadFleet } from "../../src/core/load";
import { renderStack } from "../../src/orchestrate/plan/offlinePlan/renderStack";
import { pendingChanges } from "../../src/orchestrate/scan/compare";
import { expectedResources, type ScanDeployment } from "../../src/orchestrate/scan/expected";
import type { StackState } from "../../src/orchestrate/scan/stackStates";

let controlPlane: ControlPlane;
let tenants: Tenant[];
beforeAll(() => {
  const fleet = loadFleet({ dir: "tenants", cwd: join(__dirname, "..", "..") });
  expect(fleet.errors).toEqual([]);
  controlPlane = fleet.controlPlane!;
  tenants = [...fleet.tenants];
});

const DEPLOYMENTS: Record<string, ScanDeployment> = {
  "database only (the sandbox, the tests)": {
    features: { dns: false, tls: false, auth: false, registry: false },
    authProvider: "auth0",
  },
  "with AuthHero": { features: { dns: false, tls: false, auth: true, registry: false }, authProvider: "authhero" },
  "with the registry": { features: { dns: false, tls: false, auth: false, registry: true }, authProvider: "auth0" },
  "with the registry and AuthHero": {
    features: { dns: false, tls: false, auth: true, registry: true },
    authProvider: "authhero",
  },
};

/** The render as a deployed state would hold it: plain JSON inputs, without the tree's inner nodes and providers. */
async function renderedState(
  tenant: Tenant,
  deployment: ScanDeployment,
  template: ControlPlane = controlPlane,
): Promise<StackState> {
  const stack = await renderStack(template, { tenant }, deployment);
  expect(stack.error).toBeUndefined();
  return {
    kind: "deployed",
    pending: 0,
    resources: stack.resources
      .filter((r) => !r.component && !r.read && !r.type.startsWith("pulumi:providers:"))
      .map((r) => ({ type: r.type, name: r.name, inputs: JSON.parse(JSON.stringify(r.inputs)), outputs: {} })),
  };
}

describe("the scan's expected resources", () => {
  for (const [name, deployment] of Object.entries(DEPLOYMENTS)) {
    for (const status of ["active", "suspended", "decommissioned"] as TenantStatus[]) {
      it(`are the rendered ones, ${name}, ${status}`, async () => {
        for (const tenant of tenants) {
          const variant = { ...tenant, status };
          const expected = expectedResources(variant, deployment, controlPlane);
          expect(expected.unreadable).toEqual([]);
          const state = await renderedState(variant, deployment);
          expect(pendingChanges(expected.resources, state), tenant.slug).toEqual([]);
          // Every input the program gives, the scan knows (a state holds the provider's defaults too, so
          // pendingChanges looks only at the inputs the scan expects: this is where an unknown one shows).
          if (state.kind === "deployed")
            for (const resource of expected.resources) {
              const rendered = state.resources.find((r) => r.type === resource.type && r.name === resource.name);
              expect(Object.keys(rendered?.inputs ?? {}).sort(), resource.name).toEqual(
                Object.keys(resource.inputs).sort(),
              );
            }
          // The same set both ways: nothing rendered that the scan would not read.
          expect(expected.resources.map((r) => `${r.type}::${r.name}`).sort(), tenant.slug).toEqual(
            state.kind === "deployed" ? state.resources.map((r) => `${r.type}::${r.name}`).sort() : [],
          );
        }
      });
    }
  }

  it("notice a render that differs: an input, a resource more, a resource less", async () => {
    const deployment = DEPLOYMENTS["with the registry and AuthHero"]!;
    const acme = tenants.find((t) => t.slug === "acme")!;
    const expected = expectedResources(acme, deployment, controlPlane).resources;
    const state = await renderedState(acme, deployment);
    if (state.kind !== "deployed") throw new Error("unreachable");
    const changed = state.resources.map((r) =>
      r.name === "acme-role" ? { ...r, inputs: { ...r.inputs, connectionLimit: 5 } } : r,
    );
    expect(pendingChanges(expected, { ...state, resources: changed })).toEqual([
      "acme-role: connectionLimit in the state is 5, the files say 100",
    ]);
    const extra = [...state.resources, { type: "x:index:Thing", name: "acme-thing", inputs: {}, outputs: {} }];
    expect(pendingChanges(expected, { ...state, resources: extra })).toEqual([
      "acme-thing: in the stack's state, not in the files (x:index:Thing: the scan does not read it)",
    ]);
    const fewer = state.resources.filter((r) => r.name !== "acme-extension-pg_trgm");
    expect(pendingChanges(expected, { ...state, resources: fewer })).toEqual([
      "acme-extension-pg_trgm: not in the stack's state (the next up creates it)",
    ]);
    const noGrant = state.resources.filter((r) => r.name !== "acme-runtime-member");
    expect(pendingChanges(expected, { ...state, resources: noGrant })).toEqual([
      "acme-runtime-member: not in the stack's state (the next up creates it)",
    ]);
    // The registry's row and the migrations, as the state holds them: a column, a file's checksum.
    const edited = state.resources.map((r) => {
      if (r.name === "acme-rows")
        return { ...r, inputs: { ...r.inputs, row: { ...(r.inputs["row"] as object), plan: "basic" } } };
      if (r.name === "acme-migrations") {
        const [first, ...rest] = r.inputs["migrations"] as { sha256: string }[];
        return { ...r, inputs: { ...r.inputs, migrations: [{ ...first, sha256: "0".repeat(64) }, ...rest] } };
      }
      return r;
    });
    const found = pendingChanges(expected, { ...state, resources: edited });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^acme-migrations: migrations in the state is .*"sha256":"0{64}"/);
    expect(found[1]).toMatch(/^acme-rows: row in the state is .*"plan":"basic"/);
  });

  /** The template with its zone at PowerDNS (the scan lists those). */
  const withPowerDns = (): ControlPlane => ({
    ...controlPlane,
    dns: {
      ...controlPlane.dns,
      provider: "powerdns",
      powerdns: { apiUrl: "http://127.0.0.1:8081", serverId: "localhost" },
    },
  });

  for (const tls of [false, true])
    for (const status of ["active", "suspended", "decommissioned"] as TenantStatus[])
      it(`are the rendered ones with DNS at PowerDNS${tls ? " and TLS (tenants without custom domains)" : ""}, ${status}`, async () => {
        const deployment: ScanDeployment = {
          features: { dns: true, tls, auth: true, registry: true },
          authProvider: "authhero",
        };
        const chosen = tenants.filter((t) => !tls || t.domains.custom.length === 0);
        expect(chosen.length).toBeGreaterThan(0);
        for (const tenant of chosen) {
          const variant = { ...tenant, status };
          const template = withPowerDns();
          const expected = expectedResources(variant, deployment, template);
          expect(expected.unreadable).toEqual([]);
          expect(expected.resources.some((r) => r.name === `${tenant.slug}-hostname`)).toBe(
            status !== "decommissioned",
          );
          const state = await renderedState(variant, deployment, template);
          expect(pendingChanges(expected.resources, state), tenant.slug).toEqual([]);
          expect(expected.resources.map((r) => `${r.type}::${r.name}`).sort(), tenant.slug).toEqual(
            state.kind === "deployed" ? state.resources.map((r) => `${r.type}::${r.name}`).sort() : [],
          );
        }
      });

  it("send a stack with DNS elsewhere than PowerDNS, certificates or Auth0 to the engine: the scan does not list them", () => {
    const acme = tenants.find((t) => t.slug === "acme")!;
    expect(acme.domains.custom.length).toBeGreaterThan(0);
    const all = { features: { dns: true, tls: true, auth: true, registry: true }, authProvider: "auth0" } as const;
    expect(expectedResources(acme, all, controlPlane).unreadable).toEqual([
      `DNS records at ${acme.domains.dns.provider} (the scan lists PowerDNS zones)`,
      "TLS for custom domains (the scan does not read certificates)",
      "Auth0 organizations and roles",
    ]);
    expect(
      expectedResources(acme, { ...all, authProvider: "authhero", powerdnsInStackConfig: true }, withPowerDns())
        .unreadable,
    ).toEqual([
      "DNS records with the stack's own tenantctl:powerdns config",
      "TLS for custom domains (the scan does not read certificates)",
    ]);
    // TENANTCTL_DNS_PROVIDER=powerdns over a Cloudflare template: the records are in the PowerDNS zone, read.
    expect(
      expectedResources(acme, { ...all, authProvider: "authhero", dnsProvider: "powerdns" }, controlPlane).unreadable,
    ).toEqual(["TLS for custom domains (the scan does not read certificates)"]);
  });
});
