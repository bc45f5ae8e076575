import { describe, expect, it } from "vitest";
import { envScript } from "../../../src/sandbox/envScript";

const BASE = {
  PATH: "/opt/pulumi/bin:/usr/bin",
  PULUMI_BACKEND_URL: "file:///p/.tenantctl/sandbox/state",
  PULUMI_CONFIG_PASSPHRASE: "tenantctl-sandbox",
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  TENANTCTL_DISABLE: "dns,tls,auth",
  TENANTCTL_DATABASE_SERVERS: "{}",
};
const POSTGRES = { host: "127.0.0.1", port: 5433, user: "tenantctl_admin" };

describe("envScript", () => {
  it("exports the sandbox's AuthHero client and the provider override when the sandbox runs AuthHero", () => {
    const script = envScript(
      { ...BASE, TENANTCTL_DISABLE: "dns,tls", TENANTCTL_AUTH_PROVIDER: "authhero", TENANTCTL_AUTHHERO_URL: "http://127.0.0.1:4000", TENANTCTL_AUTHHERO_CLIENT_ID: "m2m", TENANTCTL_AUTHHERO_CLIENT_SECRET: "it's secret" },
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
