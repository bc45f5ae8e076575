/** The migrations folder as `validate` checks it: names, order, duplicate versions, unreadable files, a missing folder. */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/core/load";
import { TEMPLATE, writeFleet } from "../../support/fleetFixture";

const TENANT = "slug: acme\nname: Acme\n";

function fleetWithMigrations(files: Record<string, string>, template = TEMPLATE) {
  const cwd = writeFleet({ "acme.yaml": TENANT }, template);
  mkdirSync(join(cwd, "migrations"), { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(cwd, "migrations", name), sql);
  return { cwd, fleet: loadFleet({ cwd }) };
}

const problems = (fleet: ReturnType<typeof loadFleet>) =>
  fleet.errors.map((d) => `${d.file}:${d.line} ${d.path} ${d.message}`);

describe("the migrations folder", () => {
  it("reads ordered files with their checksums, and knows a no-transaction file", () => {
    const { fleet } = fleetWithMigrations({
      "0001_users.sql": "CREATE TABLE users (id int);\n",
      "0002_email_index.sql": "-- tenantctl: no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);\n",
      "README.md": "not a migration",
    });
    expect(fleet.errors).toEqual([]);
    expect(
      fleet.controlPlane?.migrations?.map((m) => [m.version, m.fileName, m.noTransaction, m.sha256.length]),
    ).toEqual([
      [1, "0001_users.sql", false, 64],
      [2, "0002_email_index.sql", true, 64],
    ]);
  });

  it("points at each badly named, duplicate, missing-before, empty or unreadable file", () => {
    const { cwd, fleet: _ } = fleetWithMigrations({
      "0001_users.sql": "CREATE TABLE users (id int);\n",
      "0002_a.sql": "SELECT 1;\n",
      "0002_b.sql": "SELECT 2;\n",
      "0004_late.sql": "SELECT 4;\n",
      "5_Bad-Name.sql": "SELECT 5;\n",
      "0005_empty.sql": "  \n",
      "0006_secret.sql": "SELECT 6;\n",
    });
    chmodSync(join(cwd, "migrations", "0006_secret.sql"), 0o000);
    const fleet = loadFleet({ cwd });
    const expected = [
      "migrations/0002_a.sql:1  version 2 is used by 0002_a.sql and 0002_b.sql",
      "migrations/0002_b.sql:1  version 2 is used by 0002_a.sql and 0002_b.sql",
      "migrations/0004_late.sql:1  0004_late.sql: version 3 is missing before it (versions run 1, 2, 3… with none left out)",
      "migrations/0005_empty.sql:1  0005_empty.sql is empty",
      "migrations/5_Bad-Name.sql:1  5_Bad-Name.sql is not named like a migration",
    ];
    // root reads any file: the unreadable one is then read, and numbered after a gap.
    const unreadable = process.getuid?.() === 0 ? [] : ["migrations/0006_secret.sql:1  cannot read 0006_secret.sql"];
    expect(problems(fleet).map((p) => p.replace(/(cannot read 0006_secret\.sql).*/, "$1"))).toEqual(
      expect.arrayContaining([...expected, ...unreadable]),
    );
    // A fleet whose migrations cannot be applied deploys no tenant.
    expect(fleet.errors.every((d) => d.severity === "error")).toBe(true);
    expect(fleet.controlPlane?.migrations).toEqual([]);
  });

  it("is optional unless the template names it", () => {
    const cwd = writeFleet({ "acme.yaml": TENANT });
    expect(loadFleet({ cwd }).errors).toEqual([]);
    const named = writeFleet({ "acme.yaml": TENANT }, `${TEMPLATE}migrations: { dir: db/migrations }\n`);
    expect(problems(loadFleet({ cwd: named }))).toEqual([
      "tenants/_control-plane.yaml:1 migrations.dir the migrations folder db/migrations does not exist",
    ]);
  });
});
