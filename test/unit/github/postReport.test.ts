/**
 * The workflows' one fake: GitHub's REST API, as a local HTTP server that records every request. The script under test
 * is the one the workflows run (.github/scripts/post-report.mjs), run as they run it: a separate Node process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const SCRIPT = join(__dirname, "..", "..", "..", ".github", "scripts", "post-report.mjs");

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** Answers from `routes` (method and path without the query → status and JSON) and records every request. */
class FakeGitHub {
  readonly requests: Recorded[] = [];
  routes = new Map<string, (url: URL) => [number, unknown]>();
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://localhost");
      this.requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: body ? JSON.parse(body) : undefined,
      });
      const route = this.routes.get(`${req.method} ${url.pathname}`);
      const [status, answer] = route ? route(url) : [404, { message: "Not Found" }];
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => resolve(text));
  });
}

const github = new FakeGitHub();
let api = "";
const dir = mkdtempSync(join(tmpdir(), "tenantctl-post-report-"));
beforeAll(async () => {
  api = await github.start();
});
afterAll(async () => {
  await github.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  github.requests.length = 0;
  github.routes.clear();
});

function report(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      {
        env: {
          PATH: process.env.PATH,
          GITHUB_API_URL: api,
          GITHUB_REPOSITORY: "acme/platform",
          GITHUB_TOKEN: "ghs_test",
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

const PLAN = "<!-- tenantctl:plan -->\n### tenantctl plan\n\nPlan: 4 stacks\n";

describe("post-report comment", () => {
  it("updates the comment that holds the marker in place, looking through every page", async () => {
    const page = (n: number) =>
      Array.from({ length: 100 }, (_, i) => ({ id: n * 1000 + i, body: "a reviewer's words" }));
    github.routes.set("GET /repos/acme/platform/issues/7/comments", (url) =>
      url.searchParams.get("page") === "1"
        ? [200, page(1)]
        : [200, [{ id: 4242, body: "<!-- tenantctl:plan -->\nold plan" }]],
    );
    github.routes.set("PATCH /repos/acme/platform/issues/comments/4242", () => [200, { id: 4242 }]);
    const result = await run([
      "comment",
      "--issue",
      "7",
      "--marker",
      "<!-- tenantctl:plan -->",
      report("plan.md", PLAN),
    ]);
    expect(result).toEqual({ code: 0, stderr: "updated comment 4242 on #7\n" });
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/acme/platform/issues/7/comments?per_page=100&page=1",
      "GET /repos/acme/platform/issues/7/comments?per_page=100&page=2",
      "PATCH /repos/acme/platform/issues/comments/4242",
    ]);
    expect(github.requests.every((r) => r.authorization === "Bearer ghs_test")).toBe(true);
    expect(github.requests[2]!.body).toEqual({ body: PLAN.trimEnd() });
  });

  it("adds the comment when the pull request has none yet, and puts the marker first", async () => {
    github.routes.set("GET /repos/acme/platform/issues/7/comments", () => [200, [{ id: 1, body: "looks good" }]]);
    github.routes.set("POST /repos/acme/platform/issues/7/comments", () => [201, { id: 99 }]);
    const preview = report("preview.md", "<!-- tenantctl:preview -->\n### tenantctl preview\n");
    const result = await run([
      "comment",
      "--issue",
      "7",
      "--marker",
      "<!-- tenantctl:pull-request -->",
      report("plan.md", PLAN),
      preview,
    ]);
    expect(result.code).toBe(0);
    const posted = github.requests.at(-1)!;
    expect(`${posted.method} ${posted.url}`).toBe("POST /repos/acme/platform/issues/7/comments");
    expect((posted.body as { body: string }).body).toBe(
      `<!-- tenantctl:pull-request -->\n${PLAN.trimEnd()}\n\n<!-- tenantctl:preview -->\n### tenantctl preview`,
    );
  });

  it("keeps the body within one comment: a report that does not fit is replaced by a line", async () => {
    github.routes.set("GET /repos/acme/platform/issues/7/comments", () => [200, []]);
    github.routes.set("POST /repos/acme/platform/issues/7/comments", () => [201, { id: 100 }]);
    const big = report("preview.md", `<!-- tenantctl:preview -->\n${"x".repeat(65_000)}\n`);
    const result = await run([
      "comment",
      "--issue",
      "7",
      "--marker",
      "<!-- tenantctl:plan -->",
      report("plan.md", `${PLAN}${"y".repeat(2_000)}\n`),
      big,
    ]);
    expect(result.code).toBe(0);
    const body = (github.requests.at(-1)!.body as { body: string }).body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("y".repeat(2_000));
    expect(body).toMatch(/_.*preview\.md is too long for this comment: it is in this run's artifacts\._$/);
  });

  it("says what GitHub answered when it refuses, and exits 1", async () => {
    github.routes.set("GET /repos/acme/platform/issues/7/comments", () => [200, []]);
    github.routes.set("POST /repos/acme/platform/issues/7/comments", () => [
      403,
      { message: "Resource not accessible by integration" },
    ]);
    const result = await run([
      "comment",
      "--issue",
      "7",
      "--marker",
      "<!-- tenantctl:plan -->",
      report("plan.md", PLAN),
    ]);
    expect(result).toEqual({
      code: 1,
      stderr: "post-report: GitHub answered POST /issues/7/comments with 403: Resource not accessible by integration\n",
    });
  });

  it("refuses a call it cannot make sense of, before any request (exit 2)", async () => {
    expect((await run(["comment", "--issue", "7", report("plan.md", PLAN)])).code).toBe(2);
    expect((await run(["comment", "--issue", "seven", "--marker", "m", report("plan.md", PLAN)])).code).toBe(2);
    expect((await run(["publish", report("plan.md", PLAN)])).code).toBe(2);
    expect(github.requests).toEqual([]);
  });
});

describe("post-report issue", () => {
  const DRIFT = "<!-- tenantctl:drift -->\n### tenantctl drift\n";

  it("updates the one open issue with the label, skipping pull requests", async () => {
    github.routes.set("GET /repos/acme/platform/issues", () => [
      200,
      [{ number: 5, pull_request: {} }, { number: 12 }],
    ]);
    github.routes.set("PATCH /repos/acme/platform/issues/12", () => [200, { number: 12 }]);
    const result = await run([
      "issue",
      "--label",
      "tenantctl-drift",
      "--title",
      "Drift found by the nightly check",
      report("drift-1.md", DRIFT),
      report("drift-2.md", DRIFT),
    ]);
    expect(result).toEqual({ code: 0, stderr: "updated issue #12\n" });
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/acme/platform/issues?state=open&labels=tenantctl-drift&per_page=100&page=1",
      "PATCH /repos/acme/platform/issues/12",
    ]);
    expect(github.requests[1]!.body).toEqual({ body: `${DRIFT.trimEnd()}\n\n${DRIFT.trimEnd()}` });
  });

  it("opens it, with the title and the label, when there is none", async () => {
    github.routes.set("GET /repos/acme/platform/issues", () => [200, []]);
    github.routes.set("POST /repos/acme/platform/issues", () => [201, { number: 13 }]);
    const result = await run([
      "issue",
      "--label",
      "tenantctl-drift",
      "--title",
      "Drift found by the nightly check",
      report("drift-1.md", DRIFT),
    ]);
    expect(result).toEqual({ code: 0, stderr: "opened issue #13\n" });
    expect(github.requests.at(-1)!.body).toEqual({
      title: "Drift found by the nightly check",
      body: DRIFT.trimEnd(),
      labels: ["tenantctl-drift"],
    });
  });
});
