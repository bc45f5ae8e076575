import { describe, expect, it } from "vitest";
import { formatPath, parsePath, type PathSegment } from "../../../src/core/diagnostics";

describe("dotted paths", () => {
  it("quote a key that holds a dot or a bracket, so the path names one place", () => {
    expect(formatPath(["auth", "roles", 0, "name"])).toBe("auth.roles[0].name");
    expect(formatPath(["defaults", "settings", "ui.theme"])).toBe('defaults.settings["ui.theme"]');
  });

  it("parse back to the segments they were made of", () => {
    const paths: PathSegment[][] = [
      ["auth", "roles", 0, "name"],
      ["defaults", "settings", "ui.theme"],
      ["settings", ""],
      ["a", "b[1]"],
      ["x", 'q"uote'],
      ["plans", "enterprise", "limits", "users"],
    ];
    for (const path of paths) expect(parsePath(formatPath(path))).toEqual(path);
  });
});
