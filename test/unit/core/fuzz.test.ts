/**
 * Property test: thousands of randomly mutated specs. Whatever the input, the loader answers with
 * diagnostics (each with a file, a 1-based position and a message) or with success; it never throws.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadFleet } from "../../../src/core/load";
import { parseSpecFile } from "../../../src/core/read/source";
import { writeFleet } from "../../support/fleetFixture";

const root = join(__dirname, "..", "..", "..");
const examples = ["acme.yaml", "globex.yaml", "initech.yaml", "_control-plane.yaml"].map((name) =>
  readFileSync(join(root, "tenants", name), "utf8"),
);

/** Text-level mutations that produce the mistakes people make: typos, bad indentation, stray characters. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(
      ":",
      "-",
      " ",
      "  ",
      "\n",
      "\t",
      "[",
      "{",
      "}",
      "'",
      '"',
      "#",
      "&a",
      "*a",
      "!!str ",
      "---\n",
      "null",
      "- x\n",
      "\u00e9",
      "\uFFFD",
      "0x1F",
    ),
  }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "delete") out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.kind === "insert") out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === "swap") {
      const other = out.length === 0 ? 0 : m.other % out.length;
      const chars = [...out];
      [chars[at], chars[other]] = [chars[other] ?? "", chars[at] ?? ""];
      out = chars.join("");
    } else {
      const lines = out.split("\n");
      const line = lines.length === 0 ? 0 : m.at % lines.length;
      lines.splice(line, 0, lines[line] ?? "");
      out = lines.join("\n");
    }
  }
  return out;
}

describe("validate never crashes", () => {
  it("parses thousands of mutated files into data or positioned diagnostics", () => {
    const outcomes = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (example, mutations) => {
          const text = apply(example, mutations);
          const parsed = parseSpecFile("tenants/x.yaml", Buffer.from(text));
          outcomes[parsed.ok ? "parsed" : "refused"]++;
          if (!parsed.ok) {
            expect(parsed.diagnostics.length).toBeGreaterThan(0);
            for (const d of parsed.diagnostics) {
              expect(d.line).toBeGreaterThanOrEqual(1);
              expect(d.column).toBeGreaterThanOrEqual(1);
              expect(d.message.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 3000, seed: 20261122 },
    );
    // Both answers were exercised, each in a good share of the runs: a mutation that breaks nothing, or a parser that
    // refuses everything, would leave one side untested.
    expect(outcomes.parsed + outcomes.refused).toBe(3000);
    expect(Math.min(outcomes.parsed, outcomes.refused), JSON.stringify(outcomes)).toBeGreaterThan(300);
  }, 120_000);

  it("loads fleets of mutated tenants and templates into diagnostics or success", () => {
    const cwd = writeFleet({});
    const dir = join(cwd, "tenants");
    const outcomes = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { maxLength: 2 }),
        fc.constantFrom(0, 1, 2),
        (tenantMutations, templateMutations, which) => {
          writeFileSync(join(dir, "_control-plane.yaml"), apply(examples[3]!, templateMutations));
          writeFileSync(
            join(dir, "acme.yaml"),
            apply(examples[which]!, tenantMutations).replace(/slug: \w+/, "slug: acme"),
          );
          const fleet = loadFleet({ cwd });
          outcomes[fleet.errors.length > 0 ? "refused" : "loaded"]++;
          for (const d of [...fleet.errors, ...fleet.warnings]) {
            expect(d.file).toMatch(/^tenants\//);
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
            expect(d.message).not.toBe("");
          }
          // Success means a resolved tenant; failure means at least one error. Never both silent.
          expect(fleet.errors.length > 0 || fleet.tenants.length === 1).toBe(true);
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
    expect(outcomes.loaded + outcomes.refused).toBe(1000);
    // Most mutations break a rule somewhere (61 of 1000 load with this seed): a few dozen successes are enough.
    expect(Math.min(outcomes.loaded, outcomes.refused), JSON.stringify(outcomes)).toBeGreaterThan(30);
  }, 120_000);
});
