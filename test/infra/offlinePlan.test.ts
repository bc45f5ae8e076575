/**
 * The offline renderer behind `tenantctl plan`: the real stack programs under a recording monitor, one runtime store
 * per stack. What the CLI prints is tested in test/unit/plan.test.ts; this is about the renderer itself.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type PlannedStack, SecretValue } from "../../src/core/compare/plannedStack";
import type { ControlPlane, Tenant } from "../../src/core/model";
import { renderStack, renderStacks } from "../../src/orchestrate/plan/offlinePlan/renderStack";
import { loadFleet } from "../../src/core/load";

let controlPlane: ControlPlane;
let tenants: Map<string, Tenant>;
beforeAll(() => {
  const fleet = loadFleet({ dir: "tenants", cwd: join(__dirname, "..", "..") });
  expect(fleet.errors).toEqual([]);
  controlPlane = fleet.controlPlane!;
  tenants = new Map(fleet.tenants.map((tenant) => [tenant.slug, tenant]));
});

const tenant = (slug: string) => tenants.get(slug)!;
const json = (stack: PlannedStack) => JSON.stringify(stack);

describe("renderStack", () => {
  it("renders each stack in isolation, also when renders are started together", async () => {
    const [acme, initech] = await Promise.all([
      renderStack(controlPlane, { tenant: tenant("acme") }),
      renderStack(controlPlane, { tenant: tenant("initech") }),
    ]);
    // Each with its migrations (migrations/ of the repository) and its registry rows.
    expect([acme!.resources.length, initech!.resources.length]).toEqual([26, 21]);
    expect(acme!.resources.every((resource) => resource.urn.startsWith("urn:pulumi:acme::tenantctl::"))).toBe(true);
    expect(initech!.resources.every((resource) => resource.urn.startsWith("urn:pulumi:initech::tenantctl::"))).toBe(
      true,
    );
    // Same result as alone, one after the other.
    const [acmeAgain, initechAgain] = await renderStacks(controlPlane, [
      { tenant: tenant("acme") },
      { tenant: tenant("initech") },
    ]);
    expect(json(acmeAgain!)).toBe(json(acme!));
    expect(json(initechAgain!)).toBe(json(initech!));
  });

  it("keeps secrets as values that compare equal between renders without revealing them", async () => {
    const first = await renderStack(controlPlane, { tenant: tenant("globex") });
    const second = await renderStack(controlPlane, { tenant: tenant("globex") });
    const password = (stack: PlannedStack) =>
      stack.resources.find((resource) => resource.name === "globex-role")!.inputs.password;
    expect(password(first)).toBeInstanceOf(SecretValue);
    expect((password(first) as SecretValue).digest).toBe((password(second) as SecretValue).digest);
    expect(JSON.stringify(password(first))).toBe('"[secret]"');
    expect(Object.keys(password(first) as object)).toEqual([]);
  });

  it("uses the project, stack and organization it is given", async () => {
    const stack = await renderStack(
      controlPlane,
      { tenant: tenant("initech") },
      { project: "fleet", organization: "acme-corp" },
    );
    const reference = stack.resources.find((resource) => resource.type === "pulumi:pulumi:StackReference")!;
    expect(reference.urn).toBe(
      "urn:pulumi:initech::fleet::tenantctl:index:TenantAuth$pulumi:pulumi:StackReference::initech-control-plane",
    );
    expect(reference.inputs).toEqual({ name: "acme-corp/fleet/control-plane" });
  });

  it("honours the features it is given", async () => {
    const stack = await renderStack(
      controlPlane,
      { tenant: tenant("acme") },
      { features: { dns: false, tls: false, auth: false, registry: false } },
    );
    expect(
      stack.resources
        .map((resource) => resource.type)
        .filter((type) => !type.startsWith("postgresql:") && !type.startsWith("pulumi")),
    ).toEqual(["tenantctl:index:TenantDatabase", "tenantctl:index:TenantSettings"]);
  });

  it("answers Route53 and ACM lookups offline too", async () => {
    const acme = tenant("acme");
    const onAws: Tenant = {
      ...acme,
      domains: { ...acme.domains, dns: { provider: "route53", zone: "example.com" }, tls: { provider: "acm" } },
    };
    const awsControlPlane: ControlPlane = { ...controlPlane, dns: onAws.domains.dns, tls: onAws.domains.tls };
    const stack = await renderStack(awsControlPlane, { tenant: onAws });
    expect(stack.error).toBeUndefined();
    expect(stack.resources.find((resource) => resource.type === "aws:route53/record:Record")?.inputs).toEqual({
      name: "acme.app.example.com",
      records: ["edge.example.com"],
      ttl: 300,
      type: "CNAME",
      zoneId: "<id of zone example.com>",
    });
    expect(
      stack.resources
        .filter((resource) => resource.type === "aws:acm/certificate:Certificate")
        .map((resource) => resource.inputs.domainName),
    ).toEqual(["app.acme-corp.com", "portal.acme-corp.com"]);
  });

  it("renders acme TLS offline: per custom domain, a look at what the ingress serves, and no certificate or key", async () => {
    const acme = tenant("acme");
    const tls = {
      provider: "acme" as const,
      acme: { directoryUrl: "https://acme-v02.api.letsencrypt.org/directory", ingressAddress: "edge.example.com:443" },
    };
    const onAcme: Tenant = { ...acme, domains: { ...acme.domains, tls } };
    const stack = await renderStack({ ...controlPlane, tls }, { tenant: onAcme });
    expect(stack.error).toBeUndefined();
    expect(
      stack.resources
        .filter((resource) => resource.type === "pulumi-nodejs:dynamic:AcmeServedCertificate")
        .map(({ name, inputs }) => ({ name, hostname: inputs.hostname, ingress: inputs.ingressAddress })),
    ).toEqual([
      { name: "acme-app.acme-corp.com", hostname: "app.acme-corp.com", ingress: "edge.example.com:443" },
      { name: "acme-portal.acme-corp.com", hostname: "portal.acme-corp.com", ingress: "edge.example.com:443" },
    ]);
    expect(stack.resources.some((resource) => /certificate:Certificate|CustomHostname/.test(resource.type))).toBe(
      false,
    );
  });

  it("renders PowerDNS records without credentials, the connection a secret", async () => {
    const acme = tenant("acme");
    const dns = {
      provider: "powerdns" as const,
      zone: "example.com",
      powerdns: { apiUrl: "http://pdns.internal.example.com:8081", serverId: "localhost" },
    };
    const onPowerDns: Tenant = { ...acme, domains: { ...acme.domains, dns } };
    const stack = await renderStack({ ...controlPlane, dns }, { tenant: onPowerDns });
    expect(stack.error).toBeUndefined();
    const record = stack.resources.find((resource) => resource.type === "pulumi-nodejs:dynamic:PowerDnsRecord");
    expect(record?.inputs).toMatchObject({
      tenant: "acme",
      zone: "example.com.",
      name: "acme.app.example.com.",
      type: "CNAME",
      ttl: 300,
      records: ["edge.example.com."],
    });
    expect(record?.inputs.connection).toBeInstanceOf(SecretValue);
    expect(json(stack)).not.toContain("<offline placeholder>");
  });

  it("reports an error the program raises asynchronously as that stack's error, and puts back the rejection listeners", async () => {
    const sentinel = () => undefined;
    process.on("unhandledRejection", sentinel);
    try {
      const listeners = process.listeners("unhandledRejection");
      const limit = Error.stackTraceLimit;
      // The control plane's outputs have no resource server, so acme's role permissions cannot be granted.
      const withoutServers: ControlPlane = { ...controlPlane, auth: { ...controlPlane.auth, resourceServers: [] } };
      const failed = await renderStack(withoutServers, { tenant: tenant("acme") });
      expect(failed.resources).toEqual([]);
      expect(failed.error).toContain(
        'Role "auditor" needs resource server(s) https://api.example.com, which stack "organization/tenantctl/control-plane" has not deployed',
      );
      expect(process.listeners("unhandledRejection")).toEqual(listeners);
      expect(Error.stackTraceLimit).toBe(limit);
      // The next stack is not affected.
      expect((await renderStack(controlPlane, { tenant: tenant("acme") })).error).toBeUndefined();
    } finally {
      process.removeListener("unhandledRejection", sentinel);
    }
  });

  it("reports a program that throws while declaring, and renders the control plane", async () => {
    const failed = await renderStack(
      {
        ...controlPlane,
        auth: { ...controlPlane.auth, roles: [{ name: "x:y", description: "bad", permissions: [] }] },
      },
      { controlPlane: true },
    );
    expect(failed.error).toContain('Template role "x:y" contains ":"');
    const stack = await renderStack(controlPlane, { controlPlane: true });
    expect(stack).toMatchObject({ slug: "control-plane", stack: "control-plane" });
    expect(stack.resources).toHaveLength(21);
    const grants = stack.resources
      .filter((r) => r.type === "postgresql:index/grant:Grant" && r.name.startsWith("shared-"))
      .map((r) => ({ name: r.name, inputs: r.inputs }));
    expect(grants).toEqual([
      {
        name: "shared-primary-public-schema-usage-only",
        inputs: { database: "tenants", schema: "public", role: "public", objectType: "schema", privileges: ["USAGE"] },
      },
      {
        name: "shared-primary-revoke-public",
        inputs: { database: "tenants", role: "public", objectType: "database", privileges: [] },
      },
    ]);
  });
});

describe("renderStack: the registry", () => {
  it("the control plane declares the registry's database, tables and the two roles, with only the grants they need", async () => {
    const stack = await renderStack(controlPlane, { controlPlane: true });
    const registry = stack.resources
      .filter((r) => r.parent?.endsWith("ControlPlaneRegistry::registry"))
      .map((r) => ({ type: r.type.split(":").pop(), name: r.name, inputs: JSON.parse(JSON.stringify(r.inputs)) }));
    expect(registry).toEqual([
      { type: "Database", name: "registry-database", inputs: { name: "tenantctl" } },
      {
        type: "Role",
        name: "registry-reader",
        inputs: { login: true, name: "tenantctl_registry_reader", password: "[secret]" },
      },
      {
        type: "Grant",
        name: "registry-reader-connect",
        inputs: {
          database: "tenantctl",
          objectType: "database",
          privileges: ["CONNECT"],
          role: "tenantctl_registry_reader",
        },
      },
      { type: "GeneratedPassword", name: "registry-reader-password", inputs: {} },
      {
        type: "Grant",
        name: "registry-revoke-public",
        inputs: { database: "tenantctl", objectType: "database", privileges: [], role: "public" },
      },
      { type: "GeneratedPassword", name: "registry-runtime-password", inputs: {} },
      {
        type: "Role",
        name: "registry-runtime-primary",
        inputs: { inherit: false, login: true, name: "tenantctl_runtime", password: "[secret]" },
      },
      {
        type: "Grant",
        name: "registry-runtime-primary-connect-shared",
        inputs: { database: "tenants", objectType: "database", privileges: ["CONNECT"], role: "tenantctl_runtime" },
      },
      {
        type: "RegistrySchema",
        name: "registry-schema",
        inputs: {
          connection: "[secret]",
          database: "tenantctl",
          reader: "tenantctl_registry_reader",
          schema: "tenantctl",
        },
      },
    ]);
  });

  it("a tenant stack writes its rows and grants the runtime role its role while active, not once suspended", async () => {
    const registration = (stack: PlannedStack) =>
      stack.resources
        .filter((r) => r.parent?.endsWith("TenantRegistration::acme"))
        .map((r) => ({ name: r.name, inputs: JSON.parse(JSON.stringify(r.inputs)) }));
    const active = registration(await renderStack(controlPlane, { tenant: tenant("acme") }));
    expect(active.map((r) => r.name)).toEqual(["acme-rows", "acme-runtime-connect", "acme-runtime-member"]);
    expect(active[0]!.inputs).toMatchObject({
      database: "tenantctl",
      schema: "tenantctl",
      slug: "acme",
      row: {
        name: "Acme Corporation",
        plan: "enterprise",
        status: "active",
        limits: { users: 10000, dbConnections: 100 },
        server: "primary",
        host: "db.internal.example.com",
        port: 5432,
        database: "tenant_acme",
        schema: "public",
        role: "tenant_acme",
        organization_id: "<id of acme-organization>",
      },
      domains: {
        "acme.app.example.com": { kind: "platform", is_primary: true, tls_status: "none", customer_records: [] },
        "app.acme-corp.com": { kind: "custom", is_primary: false, tls_status: "pending" },
      },
    });
    expect(active[2]!.inputs).toEqual({ role: "tenantctl_runtime", grantRole: "tenant_acme" });
    const suspended = registration(
      await renderStack(controlPlane, { tenant: { ...tenant("acme"), status: "suspended" } }),
    );
    expect(suspended.map((r) => r.name)).toEqual(["acme-rows"]);
    expect(suspended[0]!.inputs.row.status).toBe("suspended");
  });
});

describe("renderStack and the environment", () => {
  it("shows what the files declare, whatever database credentials and overrides the environment holds", async () => {
    const environment = {
      TENANTCTL_DATABASE_SERVERS: JSON.stringify({
        primary: { host: "127.0.0.1", port: 6543, username: "ci", password: "hunter2" },
      }),
      PGUSER: "someone",
      PGPASSWORD: "hunter3",
      PGSSLMODE: "disable",
    };
    const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    try {
      const stack = await renderStack(controlPlane, { tenant: tenant("initech") });
      expect(stack.resources.find((resource) => resource.type === "pulumi:providers:postgresql")?.inputs).toMatchObject(
        {
          host: "db.internal.example.com",
          port: "5432",
          username: "<tenantctl:databaseServers.primary.username>",
          sslmode: "require",
        },
      );
      expect(JSON.stringify(stack)).not.toMatch(/hunter|127\.0\.0\.1|someone/);
      // Put back as they were.
      expect(Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]))).toEqual(
        environment,
      );
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
