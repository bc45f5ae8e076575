/**
 * The Automation API loaded through `pulumiAutomation()` (src/orchestrate/engine/sdkPatches) leaves TypeScript, npm's
 * Arborist and normalize-package-data unloaded (stand-ins in the module cache), and each still works, loaded on first
 * use, exactly as @pulumi/pulumi imports it. This file runs in a process of its own (vitest `forks`), and nothing of
 * @pulumi/pulumi is loaded before the test.
 */
import Module = require("node:module");
import { dirname, join } from "node:path";
import { types } from "node:util";
import { describe, expect, it } from "vitest";
import { pulumiAutomation } from "../../../../../src/orchestrate/engine/sdkPatches";

const fromPulumi = Module.createRequire(join(dirname(require.resolve("@pulumi/pulumi/package.json")), "index.js"));
const cached = (name: string) => require.cache[fromPulumi.resolve(name)]?.exports as unknown;

describe("deferred dependencies of @pulumi/pulumi", () => {
  it("are stand-ins after @pulumi/pulumi is loaded, and real once used", async () => {
    expect(require.cache[require.resolve("@pulumi/pulumi")], "loaded before the test").toBeUndefined();
    await pulumiAutomation();
    fromPulumi("./index.js");
    for (const name of ["typescript", "@npmcli/arborist", "normalize-package-data"])
      expect(types.isProxy(cached(name)), name).toBe(true);

    // TypeScript through Pulumi's own shim (what function serialization uses).
    const ts = fromPulumi("./typescript-shim.js") as typeof import("typescript");
    expect(ts.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(ts.createSourceFile("x.ts", "const a = 1;", ts.ScriptTarget.ES2022).statements).toHaveLength(1);
    expect(types.isProxy(cached("typescript"))).toBe(false);

    // Arborist and normalize-package-data through computeCodePaths (what lambda assets use): imported with
    // __importStar and __importDefault, called and constructed through the stand-ins.
    const codePaths = fromPulumi("./runtime/closure/codePaths.js") as {
      computeCodePaths(options: object): Promise<Map<string, unknown>>;
    };
    const paths = await codePaths.computeCodePaths({});
    expect(paths.size).toBeGreaterThan(0);
  }, 60_000);
});
