import { describe, expect, it } from "vitest";
import {
  fingerprintDifferences,
  type SchemaFingerprint,
  totalRows,
} from "../../../../src/orchestrate/moves/fingerprint";

const original: SchemaFingerprint = {
  tables: { customers: { rows: 300, hash: "1:2" }, orders: { rows: 2000, hash: "3:4" } },
  sequences: { customers_id_seq: "300", invoice_numbers: "1004", unused: null },
  objects: ["relation r customers owner tenant_initech acl -", "view customer_totals SELECT ..."],
  bytes: 1000,
};

describe("fingerprintDifferences", () => {
  it("finds none in an exact copy, whatever its size on disk", () => {
    expect(fingerprintDifferences(original, { ...original, bytes: 2000 })).toEqual([]);
    expect(totalRows(original)).toBe(2300);
  });

  it("names each difference: rows, content, a table or sequence lost or added, a sequence behind, an object lost", () => {
    const copy: SchemaFingerprint = {
      tables: { customers: { rows: 300, hash: "1:9" }, extra: { rows: 0, hash: "0:0" } },
      sequences: { customers_id_seq: "300", invoice_numbers: "1000" },
      objects: ["relation r customers owner postgres acl -"],
      bytes: 1000,
    };
    expect(fingerprintDifferences(original, copy)).toEqual([
      "table customers: same 300 rows, different content",
      "table orders is missing from the copy",
      "table extra is in the copy only",
      "sequence invoice_numbers: 1004, the copy has 1000",
      "sequence unused is missing from the copy",
      "missing from the copy: relation r customers owner tenant_initech acl -",
      "missing from the copy: view customer_totals SELECT ...",
      "in the copy only: relation r customers owner postgres acl -",
    ]);
    expect(
      fingerprintDifferences(original, {
        ...original,
        tables: { ...original.tables, orders: { rows: 1999, hash: "3:4" } },
      }),
    ).toEqual(["table orders: 2000 rows, the copy has 1999"]);
  });
});
