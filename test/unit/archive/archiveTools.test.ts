import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tableDataIn } from "../../../src/archive/archiveTenant";
import { clientToolsFor } from "../../../src/postgres/clientTools";

describe("clientToolsFor", () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function debianRoot(...versions: string[]): string {
    const root = mkdtempSync(join(tmpdir(), "tenantctl-pgroot-"));
    roots.push(root);
    for (const version of versions) {
      mkdirSync(join(root, version, "bin"), { recursive: true });
      for (const tool of ["pg_dump", "pg_restore"]) writeFileSync(join(root, version, "bin", tool), "");
    }
    return root;
  }

  it("takes the server's own major version, else the nearest newer one, never an older one", () => {
    const root = debianRoot("13", "15", "17");
    expect(clientToolsFor(15, root)).toEqual({
      pgDump: join(root, "15", "bin", "pg_dump"),
      pgRestore: join(root, "15", "bin", "pg_restore"),
      major: 15,
    });
    expect(clientToolsFor(16, root).major).toBe(17);
    expect(() => clientToolsFor(18, root)).toThrow(
      /no pg_dump for PostgreSQL 18 .*apt-get install postgresql-client-18/,
    );
  });
});

describe("tableDataIn", () => {
  it("lists the tables whose data a pg_restore --list holds", () => {
    const listing = [
      ";",
      "; Archive created at 2026-12-02 07:23:26 UTC",
      "215; 1259 16402 TABLE public orders tenant_acme",
      "3338; 0 16402 TABLE DATA public orders tenant_acme",
      "3339; 0 16389 TABLE DATA public tenant_settings tenant_acme",
      "3187; 2606 16396 CONSTRAINT public tenant_settings tenant_settings_pkey tenant_acme",
    ].join("\n");
    expect(tableDataIn(listing)).toEqual(["public.orders", "public.tenant_settings"]);
  });
});
