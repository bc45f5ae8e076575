import { describe, expect, it } from "vitest";
import { backendWorkarounds } from "../../../../src/orchestrate/engine/workspace";

describe("backendWorkarounds", () => {
  it("lists stacks with one worker on a PostgreSQL backend, where more deadlock the CLI", () => {
    expect(backendWorkarounds({ PULUMI_BACKEND_URL: "postgres://u:p@db/state" })).toEqual({
      PULUMI_DIY_BACKEND_PARALLEL: "1",
    });
    expect(backendWorkarounds({ PULUMI_BACKEND_URL: "postgresql://u:p@db/state" })).toEqual({
      PULUMI_DIY_BACKEND_PARALLEL: "1",
    });
  });

  it("keeps the user's own choice, and leaves other backends alone", () => {
    expect(
      backendWorkarounds({ PULUMI_BACKEND_URL: "postgres://u:p@db/state", PULUMI_DIY_BACKEND_PARALLEL: "4" }),
    ).toEqual({});
    expect(backendWorkarounds({ PULUMI_BACKEND_URL: "file:///tmp/state" })).toEqual({});
    expect(backendWorkarounds({ PULUMI_BACKEND_URL: "s3://bucket" })).toEqual({});
    expect(backendWorkarounds({})).toEqual({});
  });
});
