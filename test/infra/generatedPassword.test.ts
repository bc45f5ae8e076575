import { describe, expect, it } from "vitest";
import { generatedPasswordProvider } from "../../infra/dynamic/generatedPassword";

describe("generatedPasswordProvider", () => {
  it("creates a 32-character URL-safe password, different every time", async () => {
    const values = await Promise.all(Array.from({ length: 20 }, () => generatedPasswordProvider.create({})));
    for (const { outs } of values) expect(outs?.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(values.map(({ outs }) => outs?.value)).size).toBe(20);
  });

  it("never changes the password on update", async () => {
    expect(await generatedPasswordProvider.diff!("id", { value: "old" }, {})).toEqual({ changes: false });
  });
});
