import { describe, expect, it } from "vitest";
import type { DataLocation } from "../../src/core/location";
import { moveRefusal, pendingMove } from "../../infra/moves/moveGuard";
import { JOURNAL_PREFIX, journalComment, type MoveJournal, parseJournal } from "../../infra/moves/moveJournal";
import type { TenantDataPlaces } from "../../infra/moves/tenantDataPlaces";

const schema: DataLocation = { server: "primary", database: "tenants", schema: "tenant_initech" };
const database: DataLocation = { server: "primary", database: "tenant_initech", schema: "public" };
const journal: MoveJournal = {
  phase: "copying",
  from: schema,
  to: database,
  login: true,
  comment: "the team's note",
  movedName: "tenant_initech_moved_20261205093000",
  startedAt: "2026-12-05T09:30:00.000Z",
};

const places = (marked: DataLocation[], withJournal?: MoveJournal): TenantDataPlaces => ({
  role: { login: true, comment: null, ...(withJournal ? { journal: withJournal } : {}) },
  marked,
});

describe("move journal", () => {
  it("round-trips through the role's comment", () => {
    const comment = journalComment(journal);
    expect(comment.startsWith(JOURNAL_PREFIX)).toBe(true);
    expect(parseJournal(comment)).toEqual(journal);
    expect(
      parseJournal(journalComment({ ...journal, phase: "switched", staging: "tenant_initech_staging_20261205093000" })),
    ).toMatchObject({ phase: "switched", staging: "tenant_initech_staging_20261205093000" });
  });

  it("a comment of the user's, or a journal it cannot trust, is no journal", () => {
    expect(parseJournal(null)).toBeUndefined();
    expect(parseJournal("owned by the billing team")).toBeUndefined();
    expect(parseJournal(`${JOURNAL_PREFIX}{not json`)).toBeUndefined();
    expect(parseJournal(`${JOURNAL_PREFIX}${JSON.stringify({ ...journal, phase: "done" })}`)).toBeUndefined();
    expect(
      parseJournal(`${JOURNAL_PREFIX}${JSON.stringify({ ...journal, from: { server: "primary" } })}`),
    ).toBeUndefined();
  });
});

describe("pendingMove", () => {
  it("is a move when the data is marked elsewhere and not where the files put it", () => {
    expect(pendingMove("initech", database, places([schema]))).toEqual({ slug: "initech", from: schema, to: database });
  });

  it("is none when the data is already there, when there is none yet, or while a journal says a move is under way", () => {
    expect(pendingMove("initech", database, places([database]))).toBeUndefined();
    expect(pendingMove("initech", database, places([schema, database]))).toBeUndefined();
    expect(pendingMove("initech", database, places([]))).toBeUndefined();
    expect(pendingMove("initech", database, { marked: [] })).toBeUndefined();
    expect(pendingMove("initech", database, places([schema], journal))).toBeUndefined();
  });
});

describe("moveRefusal (pulumi up by hand)", () => {
  it("names the move and tenantctl up when the data is elsewhere", () => {
    expect(moveRefusal("initech", database, places([schema]))).toBe(
      "tenant initech's data is in schema tenant_initech in tenants@primary and its file puts it in database tenant_initech@primary: run `tenantctl up initech`, which copies and verifies it before the stack switches; nothing was deployed",
    );
  });

  it("names the interrupted move while a journal is on the role", () => {
    expect(moveRefusal("initech", database, places([schema, database], journal))).toContain(
      "a move of tenant initech's data (schema tenant_initech in tenants@primary → database tenant_initech@primary) was interrupted: run `tenantctl up initech`",
    );
  });

  it("lets the stack deploy when the data is where the files put it, or there is none yet", () => {
    expect(moveRefusal("initech", database, places([database]))).toBeUndefined();
    expect(moveRefusal("initech", database, places([]))).toBeUndefined();
  });
});
