import { describe, expect, it } from "vitest";
import { resolveDatabaseServer } from "../../../infra/databaseServers";
import { PRIMARY_SERVER } from "../../support/tenantFixtures";

describe("resolveDatabaseServer", () => {
  it("takes the address from the template and credentials from the environment when config says nothing", () => {
    expect(resolveDatabaseServer(PRIMARY_SERVER, undefined, { PGUSER: "admin", PGPASSWORD: "pw" })).toEqual({
      name: "primary",
      host: "db.internal.example.com",
      port: 5432,
      username: "admin",
      password: "pw",
      sslmode: "require",
      superuser: true,
    });
  });

  it("lets the config entry override every field, ahead of the environment", () => {
    const resolved = resolveDatabaseServer(
      PRIMARY_SERVER,
      { host: "127.0.0.1", port: 6543, username: "cfg", password: "cfg-pw", sslmode: "disable", superuser: false },
      { PGUSER: "env", PGPASSWORD: "env-pw", PGSSLMODE: "verify-full" },
    );
    expect(resolved).toEqual({ name: "primary", host: "127.0.0.1", port: 6543, username: "cfg", password: "cfg-pw", sslmode: "disable", superuser: false });
  });

  it("honours PGSSLMODE when config has no sslmode", () => {
    expect(resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b" }, { PGSSLMODE: "disable" }).sslmode).toBe("disable");
  });

  it("names the config key to set when credentials are missing", () => {
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, undefined, {})).toThrow(
      "No admin user for database server \"primary\": set `pulumi config set --path 'tenantctl:databaseServers.primary.username' <user>` or env PGUSER.",
    );
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, { username: "a" }, {})).toThrow(/--secret 'tenantctl:databaseServers\.primary\.password'/);
  });

  it("refuses an sslmode node-postgres cannot honour, and a port that is not one", () => {
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b", sslmode: "prefer" as never }, {})).toThrow(/Unsupported sslmode "prefer"/);
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b", port: "6543" as never }, {})).toThrow(/Invalid port "6543"/);
  });
});
