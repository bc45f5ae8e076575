import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { lineProgress, liveProgress } from "../../../src/report/progress";

describe("progress as lines (CI, pipes)", () => {
  it("writes one timestamped line per event that matters", () => {
    let text = "";
    const progress = lineProgress(
      (chunk) => (text += chunk),
      () => new Date("2026-12-02T06:00:00Z"),
    );
    progress.started("acme", "up");
    progress.step("acme", "same", "postgresql:index/role:Role", "acme-role");
    progress.step("acme", "update", "postgresql:index/role:Role", "acme-role");
    progress.note("acme: locked by ci@runner (pid 1) since then; trying again in 1 s");
    progress.ended("acme", "changed");
    progress.close();
    expect(text).toBe(
      [
        "2026-12-02T06:00:00.000Z acme: up…",
        "2026-12-02T06:00:00.000Z acme: update postgresql:index/role:Role acme-role",
        "2026-12-02T06:00:00.000Z acme: locked by ci@runner (pid 1) since then; trying again in 1 s",
        "2026-12-02T06:00:00.000Z acme: changed",
        "",
      ].join("\n"),
    );
  });
});

describe("progress as a live view (a terminal)", () => {
  it("shows each running stack with its current resource and the totals, and clears itself at the end", () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    Object.assign(stream, { isTTY: true, columns: 120, rows: 40 });
    let written = "";
    stream.on("data", (chunk: Buffer) => (written += chunk.toString()));
    let clock = 0;
    const progress = liveProgress(stream, 3, () => clock);
    progress.started("acme", "up");
    clock = 2500;
    progress.step("acme", "create", "postgresql:index/role:Role", "acme-role");
    expect(written).toContain("acme    up        2.5 s  create Role acme-role");
    expect(written).toContain("0 of 3 done, 1 running, 2 waiting · 2.5 s");
    progress.note("acme: cleared a stale lock");
    expect(written).toContain("acme: cleared a stale lock\n");
    progress.ended("acme", "changed");
    expect(written).toContain("1 of 3 done, 0 running, 2 waiting");
    expect(screenOf(written)).toEqual(["acme: cleared a stale lock", "1 of 3 done, 0 running, 2 waiting · 2.5 s"]);
    progress.close();
    // What the terminal shows once the run ends: the notice stays, the live view is gone, and the cursor waits on
    // the line after the notice, where the report is printed.
    expect(screenOf(written)).toEqual(["acme: cleared a stale lock"]);
    expect(written.endsWith("\u001b[G")).toBe(true);
  });
});

/**
 * The lines a terminal shows after `written`, for the few control sequences log-update sends (erase line, cursor up,
 * cursor to column 1): a drawn frame that was not erased shows here. Trailing empty lines are dropped.
 */
function screenOf(written: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  let column = 0;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what this reads
  for (const [token] of written.matchAll(/\u001b\[(\d*)([A-Za-z])|\u001b\[\?25[hl]|\n|[^\u001b\n]+/g)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what this reads
    const control = /^\u001b\[(\d*)([A-Za-z])$/.exec(token);
    if (token === "\n") {
      row++;
      column = 0;
    } else if (token.startsWith("\u001b[?25")) {
      // cursor shown or hidden: nothing on screen
    } else if (control) {
      const [, count, command] = control;
      if (command === "K") lines[row] = "";
      else if (command === "A") row = Math.max(0, row - Number(count || 1));
      else if (command === "G") column = Number(count || 1) - 1;
      else throw new Error(`screenOf: unexpected control sequence ${JSON.stringify(token)}`);
    } else {
      const line = (lines[row] ?? "").padEnd(column);
      lines[row] = line.slice(0, column) + token + line.slice(column + token.length);
      column += token.length;
    }
    while (lines.length <= row) lines.push("");
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
