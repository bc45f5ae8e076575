import { describe, expect, it } from "vitest";
import {
  type DatabaseServerConfig,
  databaseServersFromEnv,
  resolveDatabaseServer as resolveWith,
} from "../../infra/context/databaseServerConfig";
import type { DatabaseServer } from "../../src/core/model";
import { SetupError } from "../../src/core/errors";
import { PRIMARY_SERVER } from "../support/tenantFixtures";

/** The server's config entry (`tenantctl:databaseServers.<name>`) and the environment, as program.ts passes them. */
function resolveDatabaseServer(
  server: DatabaseServer,
  entry: DatabaseServerConfig | undefined,
  env: Record<string, string | undefined>,
) {
  return resolveWith(server, { config: entry === undefined ? undefined : { [server.name]: entry }, env });
}

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
    expect(resolved).toEqual({
      name: "primary",
      host: "127.0.0.1",
      port: 6543,
      username: "cfg",
      password: "cfg-pw",
      sslmode: "disable",
      superuser: false,
    });
  });

  it("honours PGSSLMODE when config has no sslmode", () => {
    expect(
      resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b" }, { PGSSLMODE: "disable" }).sslmode,
    ).toBe("disable");
  });

  it("names the config key to set when credentials are missing", () => {
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, undefined, {})).toThrow(
      'No admin user for database server "primary": set `pulumi config set --path \'tenantctl:databaseServers.primary.username\' <user>`, or "username" in TENANTCTL_DATABASE_SERVERS, or env PGUSER.',
    );
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, { username: "a" }, {})).toThrow(
      /--secret 'tenantctl:databaseServers\.primary\.password'/,
    );
  });

  it("refuses an sslmode node-postgres cannot honour, and a port that is not one", () => {
    expect(() =>
      resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b", sslmode: "prefer" as never }, {}),
    ).toThrow(/Unsupported sslmode "prefer"/);
    expect(() =>
      resolveDatabaseServer(PRIMARY_SERVER, { username: "a", password: "b", port: "6543" as never }, {}),
    ).toThrow(/"primary\.port" must be a number, not string/);
  });
});

describe("TENANTCTL_DATABASE_SERVERS", () => {
  const SECRET = "s3cr3t-pa55word";
  const servers = (value: unknown) => ({
    TENANTCTL_DATABASE_SERVERS: typeof value === "string" ? value : JSON.stringify(value),
  });

  it("supplies a whole server entry without any stack config", () => {
    const env = servers({
      primary: { host: "127.0.0.1", port: 5433, username: "admin", password: SECRET, sslmode: "disable" },
    });
    expect(resolveDatabaseServer(PRIMARY_SERVER, undefined, env)).toEqual({
      name: "primary",
      host: "127.0.0.1",
      port: 5433,
      username: "admin",
      password: SECRET,
      sslmode: "disable",
      superuser: true,
    });
  });

  it("wins over the config entry field by field, and leaves the fields it does not set to config", () => {
    const config = {
      host: "cfg.example.com",
      port: 6543,
      username: "cfg",
      password: "cfg-pw",
      sslmode: "verify-full" as const,
      superuser: false,
    };
    const env = { ...servers({ primary: { port: 5433, password: SECRET } }), PGUSER: "env-user" };
    expect(resolveDatabaseServer(PRIMARY_SERVER, config, env)).toEqual({
      name: "primary",
      host: "cfg.example.com",
      port: 5433,
      username: "cfg",
      password: SECRET,
      sslmode: "verify-full",
      superuser: false,
    });
  });

  it("wins over PGUSER/PGPASSWORD/PGSSLMODE, which still fill what neither sets", () => {
    const env = {
      ...servers({ primary: { username: "json-user" } }),
      PGUSER: "env-user",
      PGPASSWORD: "env-pw",
      PGSSLMODE: "disable",
    };
    expect(resolveDatabaseServer(PRIMARY_SERVER, undefined, env)).toMatchObject({
      username: "json-user",
      password: "env-pw",
      sslmode: "disable",
    });
  });

  it("only applies to the servers it names", () => {
    const env = {
      ...servers({ replica: { username: "other", password: "other-pw" } }),
      PGUSER: "env-user",
      PGPASSWORD: "env-pw",
    };
    expect(resolveDatabaseServer(PRIMARY_SERVER, undefined, env)).toMatchObject({
      username: "env-user",
      password: "env-pw",
    });
  });

  it("is ignored when unset or empty", () => {
    expect(databaseServersFromEnv({})).toEqual({});
    expect(databaseServersFromEnv({ TENANTCTL_DATABASE_SERVERS: "  " })).toEqual({});
  });

  it("names the variable, server and field of every mistake, and never quotes the text that holds the password", () => {
    const cases: Array<[unknown, RegExp]> = [
      [`{"primary": {"password": "${SECRET}"`, /^TENANTCTL_DATABASE_SERVERS is not valid JSON/],
      [`["${SECRET}"]`, /must be a JSON object keyed by server name/],
      [{ primary: SECRET }, /the entry of server "primary" must be an object/],
      [
        { primary: { user: "admin", password: SECRET } },
        /unknown field "user" for server "primary" \(did you mean `username`\?\)/,
      ],
      [{ primary: { port: "5433", password: SECRET } }, /"primary\.port" must be a number, not string/],
      [{ primary: { password: 12345 } }, /"primary\.password" must be a string, not number/],
    ];
    for (const [value, message] of cases) {
      let error: Error | undefined;
      try {
        resolveDatabaseServer(PRIMARY_SERVER, undefined, servers(value));
      } catch (caught) {
        error = caught as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(SECRET);
      expect(error?.message).not.toContain("12345");
    }
  });

  it("keeps the password out of the errors about the other fields", () => {
    const env = servers({ primary: { username: "admin", password: SECRET, sslmode: "prefer", port: 70000 } });
    expect(() => resolveDatabaseServer(PRIMARY_SERVER, undefined, env)).toThrow(/Unsupported sslmode "prefer"/);
    try {
      resolveDatabaseServer(PRIMARY_SERVER, undefined, env);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});

describe("tenantctl:databaseServers", () => {
  it("is checked like the variable: a field of the wrong type or an unknown field names the config key", () => {
    expect(() =>
      resolveWith(PRIMARY_SERVER, { config: { primary: { username: "a", password: "b", superuser: "no" } }, env: {} }),
    ).toThrow(/tenantctl:databaseServers: "primary\.superuser" must be a boolean, not string/);
    expect(() => resolveWith(PRIMARY_SERVER, { config: { primary: { usernme: "a" } }, env: {} })).toThrow(
      /unknown field "usernme" for server "primary" \(did you mean `username`\?\)/,
    );
    expect(() => resolveWith(PRIMARY_SERVER, { config: ["primary"], env: {} })).toThrow(
      /must be an object keyed by server name/,
    );
  });

  it("fails as a SetupError (one message, no stack trace) before any provider is declared", () => {
    let error: unknown;
    try {
      resolveDatabaseServer(PRIMARY_SERVER, undefined, { PGUSER: "admin" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SetupError);
    expect((error as Error).message).toMatch(/^No admin password for database server "primary"/);
  });
});
