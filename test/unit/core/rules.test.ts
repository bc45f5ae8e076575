import { describe, expect, it } from "vitest";
import { TEMPLATE, fleetWith, where } from "../../support/fleetFixture";

const tenant = (slug: string, extra = "") => `slug: ${slug}\nname: ${slug}\n${extra}`;

describe("slugMatchesFileName", () => {
  it("points at the slug when it differs from the file name", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme-corp") });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:1:7 slug slugMatchesFileName"]);
    expect(fleet.errors[0]!.fix).toBe("set `slug: acme`, or rename the file to `acme-corp.yaml`");
  });
});

describe("noReservedSlugs", () => {
  it("refuses reserved slugs and reserved subdomains", () => {
    const fleet = fleetWith({
      "www.yaml": tenant("www"),
      "acme.yaml": tenant("acme", "domains:\n  subdomain: api\n"),
      "control-plane.yaml": tenant("control-plane"),
    });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:4:14 domains.subdomain noReservedSlugs",
      "tenants/control-plane.yaml:1:7 slug noReservedSlugs",
      "tenants/www.yaml:1:7 slug noReservedSlugs",
    ]);
  });
});

describe("noDuplicateSubdomains", () => {
  it("refuses a subdomain another tenant has, naming the owner", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme"),
      "globex.yaml": tenant("globex", "domains:\n  subdomain: acme\n"),
    });
    expect(where(fleet)).toEqual(["tenants/globex.yaml:4:14 domains.subdomain noDuplicateSubdomains"]);
    expect(fleet.errors[0]!.message).toBe("subdomain `acme` is already used by tenant `acme` (tenants/acme.yaml)");
  });
});

describe("noDuplicateHostnames", () => {
  it("compares hostnames case-insensitively and without the trailing dot", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: app.acme.com\n"),
      "globex.yaml": tenant(
        "globex",
        "domains:\n  custom:\n    - hostname: other.globex.io\n    - hostname: APP.Acme.com.\n",
      ),
    });
    expect(where(fleet)).toEqual(["tenants/globex.yaml:6:17 domains.custom[1].hostname noDuplicateHostnames"]);
  });
});

describe("customHostnamesListedOnce", () => {
  it("refuses a hostname listed twice, or the tenant's own platform hostname", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: a.acme.com\n    - hostname: A.acme.com\n"),
    });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:6:17 domains.custom[1].hostname customHostnamesListedOnce"]);
  });
});

describe("customHostnamesOutsideOthers", () => {
  it("refuses hostnames under the platform base domain", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: shop.app.example.com\n"),
    });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:17 domains.custom[0].hostname customHostnamesOutsideOthers"]);
  });

  it("refuses hostnames under another tenant's hostname", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant("acme", "domains:\n  custom:\n    - hostname: acme.com\n"),
      "globex.yaml": tenant("globex", "domains:\n  custom:\n    - hostname: shop.eu.acme.com\n"),
    });
    expect(where(fleet)).toEqual(["tenants/globex.yaml:5:17 domains.custom[0].hostname customHostnamesOutsideOthers"]);
    expect(fleet.errors[0]!.message).toBe(
      "custom hostname `shop.eu.acme.com` is under `acme.com`, which belongs to tenant `acme`",
    );
  });
});

describe("tenantRolesDoNotShadowTemplateRoles", () => {
  it("refuses a tenant role named like a template role, and a role defined twice", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant(
        "acme",
        "auth:\n  roles:\n    - { name: admin, description: x, permissions: [read:data] }\n    - { name: viewer, description: x, permissions: [read:data] }\n    - { name: viewer, description: y, permissions: [read:data] }\n",
      ),
    });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:5:15 auth.roles[0].name tenantRolesDoNotShadowTemplateRoles",
      "tenants/acme.yaml:7:15 auth.roles[2].name tenantRolesDoNotShadowTemplateRoles",
    ]);
  });
});

describe("permissionsExist", () => {
  it("refuses permissions no resource server offers, in tenants and in the template", () => {
    const template = TEMPLATE.replace(
      "{ name: member, description: Member, permissions: [read:data] }",
      "{ name: member, description: Member, permissions: [read:date] }",
    );
    const fleet = fleetWith(
      {
        "acme.yaml": tenant(
          "acme",
          "auth:\n  roles:\n    - { name: viewer, description: x, permissions: [read:data, delete:all] }\n",
        ),
      },
      template,
    );
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:15:58 auth.roles[1].permissions[0] permissionsExist",
      "tenants/acme.yaml:5:64 auth.roles[0].permissions[1] permissionsExist",
    ]);
    expect(fleet.errors[0]!.fix).toBe("did you mean `read:data`?");
  });
});

describe("derivedNamesUnique", () => {
  it("refuses a slug whose database name is the shared database", () => {
    const template = TEMPLATE.replace("sharedDatabase: tenants", "sharedDatabase: tenant_shared");
    const fleet = fleetWith({ "shared.yaml": tenant("shared") }, template);
    expect(where(fleet)).toEqual(["tenants/shared.yaml:1:7 slug derivedNamesUnique"]);
  });
});

describe("connectionBudget", () => {
  it("refuses a fleet whose connection limits exceed the server's maxConnections", () => {
    const files = Object.fromEntries(
      ["a", "b", "c"].map((slug) => [`${slug}.yaml`, tenant(slug, "plan: enterprise\n")]),
    );
    const fleet = fleetWith(files);
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:8:91 database.servers.primary.maxConnections connectionBudget",
    ]);
    expect(fleet.errors[0]!.message).toBe(
      "tenants on server `primary` need 300 connections, more than its maxConnections of 200 (largest: a 100, b 100, c 100)",
    );
  });

  it("accepts a fleet within budget", () => {
    const fleet = fleetWith({
      "a.yaml": tenant("a", "plan: enterprise\n"),
      "b.yaml": tenant("b", "plan: enterprise\n"),
    });
    expect(fleet.errors).toEqual([]);
  });
});

describe("settingsMatchTemplate", () => {
  it("refuses unknown settings with a suggestion, and values of the wrong type", () => {
    const fleet = fleetWith({
      "acme.yaml": tenant(
        "acme",
        "settings:\n  brandng: { primaryColor: red }\n  features: { sso: 'yes' }\n  locale: { lang: en }\n",
      ),
    });
    expect(where(fleet)).toEqual([
      "tenants/acme.yaml:4:3 settings.brandng settingsMatchTemplate",
      "tenants/acme.yaml:5:20 settings.features.sso settingsMatchTemplate",
      "tenants/acme.yaml:6:11 settings.locale settingsMatchTemplate",
    ]);
    expect(fleet.errors.map((d) => d.fix)).toEqual([
      "did you mean `branding`?",
      "write a boolean here",
      "write a string here",
    ]);
  });

  it("accepts settings that only a plan defines", () => {
    const template = TEMPLATE.replace(
      "settings: { features: { sso: true } }",
      "settings: { features: { sso: true, scim: true } }",
    );
    const fleet = fleetWith(
      { "acme.yaml": tenant("acme", "plan: enterprise\nsettings:\n  features: { scim: false }\n") },
      template,
    );
    expect(fleet.errors).toEqual([]);
  });
});

describe("template rules", () => {
  it("refuses a default plan that does not exist", () => {
    const fleet = fleetWith({}, TEMPLATE.replace("  plan: basic", "  plan: basik"));
    expect(where(fleet)).toEqual(["tenants/_control-plane.yaml:20:9 defaults.plan defaultPlanExists"]);
  });

  it("warns about locked keys nothing sets, and refuses keys both locked and seed-only", () => {
    const template = TEMPLATE.replace(
      "locked: [settings.security.mfa]",
      "locked: [settings.security.mfaa, settings.branding.primaryColor]",
    );
    const fleet = fleetWith({}, template);
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:28:12 seedOnly[0] lockedAndSeedOnlyKeysExist",
      "tenants/_control-plane.yaml:27:10 locked[0] lockedAndSeedOnlyKeysExist",
    ]);
    expect(fleet.warnings.map((d) => d.fix)).toEqual(["did you mean `settings.security.mfa`?"]);
  });

  it("refuses a scope offered by two resource servers", () => {
    const template = TEMPLATE.replace(
      "    - { identifier: https://api.example.com, name: API, scopes: [read:data, write:data, manage:users] }",
      "    - { identifier: https://api.example.com, name: API, scopes: [read:data, write:data, manage:users] }\n    - { identifier: https://admin.example.com, name: Admin, scopes: [manage:users] }",
    );
    const fleet = fleetWith({}, template);
    expect(where(fleet)).toEqual([
      "tenants/_control-plane.yaml:13:70 auth.resourceServers[1].scopes[0] resourceServerScopesUnique",
    ]);
  });
});

describe("decommissioned tenants", () => {
  it("are still validated and resolved", () => {
    const fleet = fleetWith({ "acme.yaml": tenant("acme", "status: decommissioned\nsettings:\n  nope: 1\n") });
    expect(where(fleet)).toEqual(["tenants/acme.yaml:5:3 settings.nope settingsMatchTemplate"]);
    expect(fleet.tenants[0]!.status).toBe("decommissioned");
  });
});
