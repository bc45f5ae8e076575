import { describe, expect, it } from "vitest";
import { configFrom } from "../../../examples/app/src/config";

describe("configFrom", () => {
  const base = {
    TENANTCTL_REGISTRY_URL: "postgres://r@h/tenantctl",
    TENANTCTL_RUNTIME_CREDENTIALS_FILE: "/tmp/c.json",
  };

  it("takes AuthHero's URL from the sandbox's env.sh as the issuer, with the trailing slash tokens carry", () => {
    const config = configFrom({
      ...base,
      TENANTCTL_AUTHHERO_URL: "http://127.0.0.1:4000",
      TENANTCTL_AUTH_AUDIENCE: "https://api",
    });
    expect(config.auth).toEqual({ issuer: "http://127.0.0.1:4000/", audience: "https://api" });
    expect(config).toMatchObject({ host: "127.0.0.1", port: 3000 });
  });

  it("runs without auth when no issuer is set", () => {
    expect(configFrom({ ...base, PORT: "0" })).toMatchObject({ auth: undefined, port: 0 });
  });

  it("names every missing variable in one message", () => {
    expect(() => configFrom({ TENANTCTL_AUTH_ISSUER: "http://i/", PORT: "x" })).toThrow(
      /TENANTCTL_REGISTRY_URL is not set.*TENANTCTL_RUNTIME_CREDENTIALS_FILE is not set.*TENANTCTL_AUTH_AUDIENCE is not set.*PORT "x"/,
    );
  });
});
