/**
 * The off switch of the program-side patches (sdkPatches/index.ts): TENANTCTL_PROGRAM_PATCHES=0 leaves @pulumi/pulumi's
 * `log.debug` and `debuggablePromise` as Pulumi ships them; without it, both are replaced. Its own process (vitest
 * `forks`), since the patches are for the whole process.
 */
import { describe, expect, it } from "vitest";
import { PROGRAM_PATCHES_ENV, pulumiAutomation } from "../../../../../src/orchestrate/engine/sdkPatches";

describe(PROGRAM_PATCHES_ENV, () => {
  it("=0 patches nothing of the program side; unset, both patches apply", async () => {
    await pulumiAutomation({ inlinePrograms: true, env: { [PROGRAM_PATCHES_ENV]: "0" } });
    const log = require("@pulumi/pulumi/log") as { debug: unknown };
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
    const shipped = { debug: log.debug, debuggablePromise: debuggable.debuggablePromise };

    await pulumiAutomation({ inlinePrograms: true, env: {} });
    expect(log.debug).not.toBe(shipped.debug);
    expect(debuggable.debuggablePromise).not.toBe(shipped.debuggablePromise);
  });
});
