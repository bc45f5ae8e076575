/** The one mapping from outcomes and error kinds to exit codes and messages (src/cli/exitCodes.ts, docs/output.md). */
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { DEBUG_ENV, exitCodeOf, exitForError } from "../../../src/cli/exitCodes";
import { InternalError, InterruptedError, SetupError, UsageError } from "../../../src/core/errors";

describe("exitCodeOf", () => {
  it("gives each outcome its documented code", () => {
    expect([exitCodeOf("ok"), exitCodeOf("failed"), exitCodeOf("drift"), exitCodeOf("interrupted")]).toEqual([
      0, 1, 3, 130,
    ]);
  });
});

describe("exitForError", () => {
  it("maps each error kind to its code and one line", () => {
    expect(exitForError(new UsageError("--shard 3/2: expected i/n"), {})).toEqual({
      message: "tenantctl: --shard 3/2: expected i/n\n",
      code: 2,
    });
    expect(exitForError(new SetupError("PGPASSWORD is not set"), {})).toEqual({
      message: "tenantctl: PGPASSWORD is not set\n",
      code: 1,
    });
    expect(exitForError(new InterruptedError("sandbox: interrupted"), {})).toEqual({
      message: "tenantctl: sandbox: interrupted\n",
      code: 130,
    });
  });

  it("leaves commander's own errors to commander: --help is 0, a bad flag is usage", () => {
    expect(exitForError(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), {})).toEqual({ code: 0 });
    expect(exitForError(new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'"), {})).toEqual({
      code: 2,
    });
  });

  it("says an internal error in one line with a hint, and shows its stack only when asked", () => {
    for (const error of [
      new InternalError("the report lost a stack\nsecond line"),
      new TypeError("the report lost a stack\nsecond line"),
    ]) {
      const plain = exitForError(error, {});
      expect(plain.code).toBe(1);
      expect(plain.message).toBe(
        `tenantctl: internal error: the report lost a stack\n  (a bug or an unexpected environment: run again with ${DEBUG_ENV}=1 for the stack trace, and report it)\n`,
      );
      const debug = exitForError(error, { [DEBUG_ENV]: "1" });
      expect(debug.code).toBe(1);
      expect(debug.message).toContain(error.stack!);
    }
  });
});
