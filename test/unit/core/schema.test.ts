import { describe, expect, it } from "vitest";
import { isHostname } from "../../../src/core/schema/schema";
import { closestMatch, editDistance } from "../../../src/core/suggest";
import { TEMPLATE, fleetWith, where } from "../../support/fleetFixture";

describe("tenant schema", () => {
  it("refuses an unknown key and suggests the near miss", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\ndatabse:\n  isolation: schema\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:3:1 databse schema"]);
    expect(fleet.errors[0]!.message).toBe("unknown key `databse`");
    expect(fleet.errors[0]!.fix).toBe("did you mean `database`?");
  });

  it("points at nested unknown keys and lists what is allowed when nothing is close", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\ndatabase:\n  isolaton: schema\n  colour: red\n" });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:4:3 database.isolaton schema",
      "tenants/acme.yaml:5:3 database.colour schema",
    ]);
    expect(fleet.errors[0]!.fix).toBe("did you mean `isolation`?");
    expect(fleet.errors[1]!.fix).toBe("remove it; allowed here: `isolation`, `server`, `extensions`");
  });

  it("reports a missing required key at the document and a wrong type at the value", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nplan: 3\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:1:1 name schema", "tenants/acme.yaml:2:7 plan schema"]);
    expect(fleet.errors[0]!.message).toBe("`name` is required");
    expect(fleet.errors[1]!.message).toBe("expected a string, got an integer 3");
  });

  it("suggests the near enum value", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme\nname: Acme\nstatus: suspnded\n" });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:3:9 status schema"]);
    expect(fleet.errors[0]!.fix).toBe("did you mean `suspended`?");
  });

  it("checks slugs as DNS labels and hostnames as FQDNs inside lists", () => {
    const fleet = fleetWith({
      "Acme.yaml": "slug: Acme_Corp\nname: Acme\n",
      "globex.yaml":
        "slug: globex\nname: Globex\ndomains:\n  custom:\n    - hostname: ok.globex.io\n    - hostname: not_a_host\n",
    });
    expect(where(fleet)).toEqual([
      "tenants/Acme.yaml:1:7 slug schema",
      "tenants/globex.yaml:6:17 domains.custom[1].hostname schema",
    ]);
  });

  it("refuses slugs whose derived PostgreSQL identifiers would be too long", () => {
    const slug = "a".repeat(51);
    const fleet = fleetWith({ [`${slug}.yaml`]: `slug: ${slug}\nname: Long\n` });
    expect(where(fleet)).toEqual([`tenants/${slug}.yaml:1:7 slug schema`]);
    expect(fleet.errors[0]!.message).toMatch(/at most 50 characters/);
  });

  it("validates the template strictly too", () => {
    const fleet = fleetWith(
      {},
      TEMPLATE.replace("tls: { provider: cloudflare }", "tls: { provider: cloudflare, mode: strict }"),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:5:30 tls.mode schema"]);
  });
});

describe("hostnames and suggestions", () => {
  it.each([
    ["app.example.com", true],
    ["App.Example.COM.", true],
    ["xn--bcher-kva.example", true],
    ["localhost", false],
    ["-bad.example.com", false],
    ["a..b.com", false],
    ["under_score.example.com", false],
    ["1.2.3.4", false],
  ])("isHostname(%s) is %s", (hostname, valid) => {
    expect(isHostname(hostname)).toBe(valid);
  });

  it("counts a transposition as one edit and refuses distant matches", () => {
    expect(editDistance("naem", "name")).toBe(1);
    expect(closestMatch("databse", ["database", "domains"])).toBe("database");
    expect(closestMatch("xyz", ["database", "domains"])).toBeUndefined();
  });
});
