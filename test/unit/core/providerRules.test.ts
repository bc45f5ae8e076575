/**
 * The rules that refuse, at pull-request time, what a provider or the program would refuse later: each at its exact
 * file:line:col. Line numbers refer to TEMPLATE (test/support/fleetFixture.ts) and to the tenant files written here.
 */
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/core/load";
import { TEMPLATE, fleetWith, where, writeFleet } from "../../support/fleetFixture";

const tenant = (slug: string, extra = "") => `slug: ${slug}\nname: ${slug}\n${extra}`;

describe("authheroLimits", () => {
  const AUTHHERO = TEMPLATE.replace("provider: auth0", "provider: authhero");
  const role = (name: string, description = "Role") =>
    `auth:\n  roles:\n    - { name: ${name}, description: ${description}, permissions: [read:data] }\n`;

  it("accepts authhero: the example-sized fleet is valid", () => {
    expect(fleetWith({ "acme.yaml": tenant("acme", role("auditor")) }, AUTHHERO).errors).toEqual([]);
  });

  it("refuses a tenant role whose `<slug>:<role>` name is longer than AuthHero's 50 characters, at the role", () => {
    // "acme:" is 5 characters: 45 fit, 46 do not.
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", role("r".repeat(46))), "globex.yaml": tenant("globex", role("r".repeat(43))) },
      AUTHHERO,
    );
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:15 auth.roles[0].name authheroLimits"]);
    expect(fleet.errors[0]!.message).toBe(
      `role name \`acme:${"r".repeat(46)}\` has 51 characters; AuthHero role names have at most 50`,
    );
    expect(fleet.errors[0]!.fix).toBe("shorten it to 45 characters or fewer");
  });

  it("refuses a role description over 255 characters and a resource server identifier over 191", () => {
    const template = AUTHHERO.replace(
      "identifier: https://api.example.com",
      `identifier: https://${"a".repeat(180)}.com`,
    ).replace("description: Member", `description: ${"d".repeat(256)}`);
    const fleet = fleetWith({}, template);
    expect(fleet.errors.map((d) => `${d.path} ${d.message}`)).toEqual([
      `auth.resourceServers[0].identifier resource server identifier has 192 characters; AuthHero takes at most 191`,
      `auth.roles[1].description role description has 256 characters; AuthHero takes at most 255`,
    ]);
  });

  it("checks nothing of this for auth0, whose limits differ", () => {
    expect(fleetWith({ "acme.yaml": tenant("acme", role("r".repeat(46))) }).errors).toEqual([]);
  });

  it("checks an auth0 fleet as deployed into AuthHero when asked (the sandbox's --auth authhero)", () => {
    const fleet = loadFleet({
      cwd: writeFleet({ "acme.yaml": tenant("acme", role("r".repeat(46))) }, TEMPLATE),
      authProvider: "authhero",
    });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:15 auth.roles[0].name authheroLimits"]);
    expect(fleet.controlPlane?.auth.provider).toBe("authhero");
  });

  it("leaves unknown permission names to permissionsExist (AuthHero itself would accept them)", () => {
    const fleet = fleetWith(
      {
        "acme.yaml": tenant(
          "acme",
          "auth:\n  roles:\n    - { name: auditor, description: A, permissions: [read:logs] }\n",
        ),
      },
      AUTHHERO,
    );
    expect(fleet.errors.map((d) => d.rule)).toEqual(["permissionsExist"]);
  });
});

describe("baseDomainInsideDnsZone", () => {
  it("refuses a base domain outside the zone its records are written to", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme") },
      TEMPLATE.replace("zone: example.com", "zone: example.org"),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:2:15 platform.baseDomain baseDomainInsideDnsZone"]);
  });

  it("accepts the zone itself and any name under it", () => {
    expect(fleetWith({}, TEMPLATE.replace("baseDomain: app.example.com", "baseDomain: example.com")).errors).toEqual(
      [],
    );
    expect(fleetWith({}).errors).toEqual([]);
  });
});

describe("tenantHostnameFitsDns", () => {
  const longBase = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.example.com`;
  it("refuses a subdomain that makes the tenant hostname longer than DNS allows", () => {
    const template = TEMPLATE.replace("baseDomain: app.example.com", `baseDomain: ${longBase}`);
    const fleet = fleetWith(
      {
        "acme.yaml": tenant("acme", `domains:\n  subdomain: ${"s".repeat(50)}\n`),
        "globex.yaml": tenant("globex", `domains:\n  subdomain: ${"s".repeat(49)}\n`),
      },
      template,
    );
    expect(where(fleet)).toEqual(["tenants/acme.yaml:4:14 domains.subdomain tenantHostnameFitsDns"]);
    expect(fleet.errors[0]!.message).toMatch(/has 254 characters; DNS names have at most 253$/);
  });
});

describe("customHostnamesFitCertificates", () => {
  it("refuses a custom hostname longer than a certificate's common name", () => {
    const long = `${"a".repeat(52)}.acme-corp.io`;
    const fine = `${"a".repeat(51)}.acme-corp.io`;
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", `domains:\n  custom:\n    - hostname: ${fine}\n    - hostname: ${long}\n`),
    });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:6:17 domains.custom[1].hostname customHostnamesFitCertificates"]);
    expect(fleet.errors[0]!.message).toContain(
      "has 65 characters; a certificate's name (Cloudflare for SaaS) has at most 64",
    );
  });

  it("names ACM when ACM issues the certificates", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", `domains:\n  custom:\n    - hostname: ${"a".repeat(52)}.acme-corp.io\n`) },
      TEMPLATE.replace("tls: { provider: cloudflare }", "tls: { provider: acm }"),
    );
    expect(fleet.errors.map((d) => d.message)).toEqual([expect.stringContaining("(ACM) has at most 64")]);
  });
});

describe("customHostnameIsNotTheZone", () => {
  it("refuses the Cloudflare for SaaS zone itself as a custom hostname", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: Example.com.\n") });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:17 domains.custom[0].hostname customHostnameIsNotTheZone"]);
  });

  it("lets ACM certify it", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: example.com\n") },
      TEMPLATE.replace("tls: { provider: cloudflare }", "tls: { provider: acm }"),
    );
    expect(fleet.errors).toEqual([]);
  });
});

describe("settingKeysStorable", () => {
  it("refuses a dotted key in the template, in the template's file, at the key", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme") },
      TEMPLATE.replace("    locale: en-US\n", '    locale: en-US\n    "ui.theme": dark\n'),
    );
    expect(where(fleet)).toEqual([
      'tenants/_control-plane.yaml:24:5 defaults.settings["ui.theme"] settingKeysStorable',
    ]);
    expect(fleet.errors[0]!.message).toBe(
      "setting key `ui.theme` contains a dot, and setting keys are stored as dotted paths",
    );
    expect(fleet.errors[0]!.fix).toBe("nest the value instead: `ui: { theme: ... }`");
  });

  it("refuses a dotted or empty key in a tenant file once, not also as a setting the template lacks", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", 'settings:\n  features:\n    "sso.v2": true\n  "": 1\n') });
    expect(where(fleet)).toEqual([
      'tenants/acme.yaml:5:5 settings.features["sso.v2"] settingKeysStorable',
      'tenants/acme.yaml:6:3 settings[""] settingKeysStorable',
    ]);
  });

  it("refuses keys in a plan's settings too", () => {
    const fleet = fleetWith(
      {},
      TEMPLATE.replace("settings: { features: { sso: true } }", 'settings: { features: { "a.b": true } }'),
    );
    expect(where(fleet)).toEqual([
      'tenants/_control-plane.yaml:18:121 plans.enterprise.settings.features["a.b"] settingKeysStorable',
    ]);
  });
});

describe("settingValuesStorable", () => {
  it("refuses strings jsonb cannot store: U+0000 and an unpaired surrogate", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", 'settings:\n  locale: "en\\0US"\n  branding: { primaryColor: "\\uD800" }\n'),
    });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:4:11 settings.locale settingValuesStorable",
      "tenants/acme.yaml:5:29 settings.branding.primaryColor settingValuesStorable",
    ]);
  });

  it("accepts a character outside the Basic Multilingual Plane, written as a surrogate pair", () => {
    expect(fleetWith({ "acme.yaml": tenant("acme", 'settings:\n  locale: "\\uD83D\\uDE00 emoji"\n') }).errors).toEqual(
      [],
    );
  });
});

describe("extensionsListedOnce", () => {
  it("refuses an extension listed twice in one layer, where it is listed", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", "database:\n  extensions: [pg_trgm, pg_trgm]\n") });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:4:25 database.extensions[1] extensionsListedOnce"]);
  });
});

describe("templateRolesUnique and resourceServersDistinct", () => {
  it("refuses a template role defined twice", () => {
    const fleet = fleetWith(
      {},
      TEMPLATE.replace(
        "    - { name: member, description: Member, permissions: [read:data] }\n",
        "    - { name: member, description: Member, permissions: [read:data] }\n    - { name: member, description: Again, permissions: [read:data] }\n",
      ),
    );
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:16:15 auth.roles[2].name templateRolesUnique"]);
  });

  it("refuses two resource servers whose identifiers make the same resource", () => {
    const fleet = fleetWith(
      {},
      TEMPLATE.replace(
        "  roles:\n",
        "    - { identifier: http://API.example.com, name: API 2, scopes: [other:data] }\n  roles:\n",
      ),
    );
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:13:21 auth.resourceServers[1].identifier resourceServersDistinct",
    ]);
    expect(fleet.errors[0]!.message).toBe(
      "resource servers `https://api.example.com` and `http://API.example.com` differ only in their scheme or punctuation",
    );
  });
});

describe("assignableRolesFitMetadata", () => {
  const roles = (n: number) =>
    `auth:\n  roles:\n${Array.from({ length: n }, (_, i) => `    - { name: role${i}, description: R, permissions: [read:data] }\n`).join("")}`;
  it("refuses more roles than the organization's metadata can list (12 with the template's two)", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", roles(11)), "globex.yaml": tenant("globex", roles(10)) });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:5 auth.roles assignableRolesFitMetadata"]);
    expect(fleet.errors[0]!.fix).toBe("keep at most 10 roles here");
  });
});

describe("schema limits from the providers", () => {
  it("refuses what PostgreSQL and Auth0 cannot take, each at its value", () => {
    const fleet = fleetWith(
      {
        "acme.yaml": tenant("acme", `limits: { dbConnections: 2147483648 }\ndatabase:\n  extensions: [pg--x, "x-"]\n`),
        "globex.yaml": `slug: globex\nname: ${"n".repeat(256)}\n`,
      },
      TEMPLATE.replace("name: API,", "name: <API>,"),
    );
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:12:52 auth.resourceServers[0].name schema",
      "tenants/acme.yaml:3:26 limits.dbConnections schema",
      "tenants/acme.yaml:5:16 database.extensions[0] schema",
      "tenants/acme.yaml:5:23 database.extensions[1] schema",
      "tenants/globex.yaml:2:7 name schema",
    ]);
  });
});

describe("every independent problem in one run", () => {
  it("reports a schema error and the rules about the rest of the file together, in words that read cleanly", () => {
    const fleet = fleetWith({ "acme.yaml": "slug: acme-corp\nname: Acme\nplan: enterprse\ndomains: { custom: }\n" });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:1:7 slug slugMatchesFileName",
      "tenants/acme.yaml:3:7 plan planExists",
      "tenants/acme.yaml:4:20 domains.custom schema",
    ]);
    expect(fleet.errors[2]!.message).toBe("expected a list, got null");
    // Checked without its bad parts, the tenant is never one that could be deployed.
    expect(fleet.tenants).toEqual([]);
  });

  it("checks the rest of a file whose name is missing, and hostnames across the fleet", () => {
    const fleet = fleetWith({
      "acme.yaml": "slug: acme\ndomains:\n  custom:\n    - hostname: shop.acme.com\n",
      "globex.yaml":
        "slug: globex\nname: Globex\nlimits: { users: -1 }\ndomains:\n  custom:\n    - hostname: SHOP.acme.com\n",
    });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:1:1 name schema",
      "tenants/globex.yaml:3:18 limits.users schema",
      "tenants/globex.yaml:6:17 domains.custom[0].hostname noDuplicateHostnames",
    ]);
  });

  it("checks the tenants against a template that has a mistake of its own", () => {
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme-corp") },
      TEMPLATE.replace("ingressHostname: edge.example.com", "ingressHostname: edge"),
    );
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:3:20 platform.ingressHostname schema",
      "tenants/acme.yaml:1:7 slug slugMatchesFileName",
    ]);
    expect(fleet.controlPlane).toBeUndefined();
  });
});
