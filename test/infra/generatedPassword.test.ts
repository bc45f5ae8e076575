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

describe("generatedPasswordProvider: rotation requests", () => {
  it("stages a next password beside the current one, then commits it; each token is carried out once", async () => {
    const created = await generatedPasswordProvider.create({});
    const current = created.outs!.value;
    expect(await generatedPasswordProvider.diff!("id", created.outs!, { stage: "t1" })).toEqual({ changes: true });
    const staged = (await generatedPasswordProvider.update!("id", created.outs!, { stage: "t1" })).outs!;
    expect(staged).toMatchObject({ value: current, stagedBy: "t1" });
    expect(staged.next).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(staged.next).not.toBe(current);
    // The same stage again (a retried stack) changes nothing.
    expect(await generatedPasswordProvider.diff!("id", staged, { stage: "t1" })).toEqual({ changes: false });
    const committed = (await generatedPasswordProvider.update!("id", staged, { commit: "t1" })).outs!;
    expect(committed).toMatchObject({ value: staged.next, committedBy: "t1" });
    expect(committed.next).toBeUndefined();
    expect(await generatedPasswordProvider.diff!("id", committed, { commit: "t1" })).toEqual({ changes: false });
    // Without a request (every ordinary up), nothing changes.
    expect(await generatedPasswordProvider.diff!("id", committed, {})).toEqual({ changes: false });
  });

  it("commits a new password at once when nothing was staged", async () => {
    const created = (await generatedPasswordProvider.create({})).outs!;
    const committed = (await generatedPasswordProvider.update!("id", created, { commit: "t2" })).outs!;
    expect(committed.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(committed.value).not.toBe(created.value);
  });
});
