import { describe, expect, it } from "vitest";
import { goRuntimeEnv } from "../../../../src/orchestrate/engine/goRuntime";

describe("goRuntimeEnv", () => {
  it("gives the engine's processes a memory limit instead of size-triggered collections", () => {
    expect(goRuntimeEnv({})).toEqual({ GOGC: "off", GOMEMLIMIT: "256MiB" });
  });

  it("leaves a user's own GOGC or GOMEMLIMIT alone, and adds nothing to it", () => {
    expect(goRuntimeEnv({ GOGC: "100" })).toEqual({});
    expect(goRuntimeEnv({ GOMEMLIMIT: "1GiB" })).toEqual({});
  });
});
