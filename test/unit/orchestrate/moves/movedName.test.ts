import { describe, expect, it } from "vitest";
import {
  containerOf,
  dropStatement,
  markedName,
  MAX_IDENTIFIER_BYTES,
  moveStamp,
  movedName,
} from "../../../../src/orchestrate/moves/movedName";

const at = new Date("2026-12-05T09:30:07.123Z");

describe("movedName", () => {
  it("says it moved and when, in UTC to the second", () => {
    expect(moveStamp(at)).toBe("20261205093007");
    expect(movedName("tenant_initech", at)).toBe("tenant_initech_moved_20261205093007");
    expect(markedName("tenant_initech", "staging", at)).toBe("tenant_initech_staging_20261205093007");
  });

  it("cuts the name, never the stamp, to fit PostgreSQL's 63 bytes", () => {
    const long = `tenant_${"a".repeat(56)}`;
    const name = movedName(long, at);
    expect(Buffer.byteLength(name)).toBe(MAX_IDENTIFIER_BYTES);
    expect(name.endsWith("_moved_20261205093007")).toBe(true);
    expect(name.startsWith("tenant_aaa")).toBe(true);
  });
});

describe("dropStatement", () => {
  it("drops a database, or a schema with what it holds, naming where to run it", () => {
    expect(
      dropStatement(
        { server: "primary", database: "tenant_acme", schema: "public" },
        "tenant_acme_moved_20261205093007",
      ),
    ).toBe('DROP DATABASE "tenant_acme_moved_20261205093007";  -- on server primary');
    expect(
      dropStatement(
        { server: "primary", database: "tenants", schema: "tenant_initech" },
        "tenant_initech_moved_20261205093007",
      ),
    ).toBe('DROP SCHEMA "tenant_initech_moved_20261205093007" CASCADE;  -- in database tenants on server primary');
  });

  it("tells a database of its own from a schema in the shared one", () => {
    expect(containerOf({ server: "s", database: "tenant_acme", schema: "public" })).toEqual({
      kind: "database",
      name: "tenant_acme",
      database: "tenant_acme",
    });
    expect(containerOf({ server: "s", database: "tenants", schema: "tenant_acme" })).toEqual({
      kind: "schema",
      name: "tenant_acme",
      database: "tenants",
    });
  });
});
