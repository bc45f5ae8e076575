import { describe, expect, it } from "vitest";
import { envScript, pgpassLines } from "../../../src/sandbox/envScript";

const BASE = {
  PATH: "/opt/pulumi/bin:/usr/bin",
  PULUMI_BACKEND_URL: "file:///p/.tenantctl/sandbox/state",
  PULUMI_CONFIG_PASSPHRASE: "tenantctl-sandbox",
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  TENANTCTL_DISABLE: "dns,tls,auth",
  TENANTCTL_DATABASE_SERVERS: "{}",
};
const POSTGRES = [{ name: "primary", postgres: { host: "127.0.0.1", port: 5433, user: "tenantctl_admin" } }];

describe("envScript", () => {
  it("exports the sandbox's AuthHero client and the provider override when the sandbox runs AuthHero", () => {
    const script = envScript(
      {
        ...BASE,
        TENANTCTL_DISABLE: "dns,tls",
        TENANTCTL_AUTH_PROVIDER: "authhero",
        TENANTCTL_AUTHHERO_URL: "http://127.0.0.1:4000",
        TENANTCTL_AUTHHERO_CLIENT_ID: "m2m",
        TENANTCTL_AUTHHERO_CLIENT_SECRET: "it's secret",
      },
      "/p/.tenantctl/sandbox/pgpass",
      POSTGRES,
      "/p/.tenantctl/sandbox/project",
      "/p/tenants",
    );
    expect(script).toContain("export TENANTCTL_DISABLE=dns,tls\n");
    expect(script).toContain("export TENANTCTL_AUTH_PROVIDER=authhero\n");
    expect(script).toContain("export TENANTCTL_AUTHHERO_URL=http://127.0.0.1:4000\n");
    expect(script).toContain("export TENANTCTL_AUTHHERO_CLIENT_ID=m2m\n");
    expect(script).toContain(`export TENANTCTL_AUTHHERO_CLIENT_SECRET='it'\\''s secret'\n`);
  });

  it("exports none of them without AuthHero", () => {
    const script = envScript(BASE, "/p/pgpass", POSTGRES, "/p/project", "/p/tenants");
    expect(script).not.toContain("AUTHHERO");
    expect(script).not.toContain("TENANTCTL_AUTH_PROVIDER");
  });
});

describe("envScript with a cluster per database server", () => {
  const servers = [
    { name: "primary", postgres: { host: "127.0.0.1", port: 5433, user: "tenantctl_admin" } },
    { name: "secondary", postgres: { host: "127.0.0.1", port: 5434, user: "tenantctl_admin" } },
  ];

  it("points plain psql at the first server and names how to reach each", () => {
    const script = envScript(BASE, "/p/pgpass", servers, "/p/project", "/p/tenants");
    expect(script).toContain("export PGHOST=127.0.0.1 PGPORT=5433 PGUSER=tenantctl_admin PGSSLMODE=disable\n");
    expect(script).toContain("# server primary: psql -h 127.0.0.1 -p 5433 -U tenantctl_admin -d postgres\n");
    expect(script).toContain("# server secondary: psql -h 127.0.0.1 -p 5434 -U tenantctl_admin -d postgres\n");
  });

  it("writes a pgpass line per cluster, each with its own password", () => {
    const clusters = servers.map((server, index) => ({
      name: server.name,
      postgres: { ...server.postgres, password: `pw:${index}` },
    }));
    expect(pgpassLines(clusters as unknown as Parameters<typeof pgpassLines>[0])).toBe(
      "127.0.0.1:5433:*:tenantctl_admin:pw\\:0\n127.0.0.1:5434:*:tenantctl_admin:pw\\:1\n",
    );
  });
});
