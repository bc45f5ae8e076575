import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { describe, expect, it } from "vitest";
import {
  configurationKey,
  stackOfUrn,
} from "../../../../../src/orchestrate/engine/sharedProviders/sharedProviderProxy";

function request(
  args: Record<string, unknown>,
  variables: [string, string][],
  urn: string,
): provproto.ConfigureRequest {
  const built = new provproto.ConfigureRequest()
    .setArgs(structproto.Struct.fromJavaScript(args as never))
    .setAcceptsecrets(true)
    .setUrn(urn)
    .setName("default");
  for (const [key, value] of variables) built.getVariablesMap().set(key, value);
  return built;
}

describe("configurationKey", () => {
  const acme = "urn:pulumi:acme::tenantctl::pulumi:providers:postgresql::default";
  const globex = "urn:pulumi:globex::tenantctl::pulumi:providers:postgresql::default";

  it("is the same for the same configuration of two stacks, whatever the order of keys", () => {
    const one = request(
      { host: "db", port: "5432" },
      [
        ["postgresql:config:host", "db"],
        ["postgresql:config:port", "5432"],
      ],
      acme,
    );
    const two = request(
      { port: "5432", host: "db" },
      [
        ["postgresql:config:port", "5432"],
        ["postgresql:config:host", "db"],
      ],
      globex,
    );
    expect(configurationKey(two)).toBe(configurationKey(one));
  });

  it("differs when a server, a credential or a protocol flag differs", () => {
    const base = configurationKey(request({ host: "db", password: "a" }, [], acme));
    expect(configurationKey(request({ host: "db2", password: "a" }, [], acme))).not.toBe(base);
    expect(configurationKey(request({ host: "db", password: "b" }, [], acme))).not.toBe(base);
    expect(configurationKey(request({ host: "db", password: "a" }, [["postgresql:config:host", "db"]], acme))).not.toBe(
      base,
    );
    expect(configurationKey(request({ host: "db", password: "a" }, [], acme).setAcceptsecrets(false))).not.toBe(base);
  });
});

describe("stackOfUrn", () => {
  it("reads the stack of a URN, and nothing from what is not one", () => {
    expect(stackOfUrn("urn:pulumi:acme::tenantctl::postgresql:index/role:Role::acme-role")).toBe("acme");
    expect(stackOfUrn("")).toBeUndefined();
    expect(stackOfUrn("acme")).toBeUndefined();
  });
});
