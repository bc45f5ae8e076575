/**
 * A stand-in for GitHub's REST API, for the workflows run under act (test/e2e/workflows.test.ts): one repository's
 * issues, pull requests and comments, kept in memory, and only the endpoints the workflows call
 * (.github/scripts/post-report.mjs): list, create and update an issue's comments; list, create and update issues. It
 * answers as GitHub does where the script depends on it (pagination by `per_page`/`page`, pull requests listed among
 * the issues with a `pull_request` key, 401 without the token, 404 for an unknown number) and records every request,
 * so a test reads back what a run posted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHubComment {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface GitHubIssue {
  readonly number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  /** A pull request: listed among the issues, as GitHub does, with a `pull_request` key. */
  readonly isPullRequest: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
}

export class GitHubApiStandIn {
  readonly issues = new Map<number, GitHubIssue>();
  readonly comments: GitHubComment[] = [];
  readonly requests: RecordedRequest[] = [];
  private nextNumber = 1;
  private nextCommentId = 1001;
  private server: Server | undefined;

  constructor(
    /** `owner/name`: the only repository it serves. */
    readonly repository: string,
    /** The token every request must bear (the workflows' `secrets.GITHUB_TOKEN`). */
    readonly token: string,
  ) {}

  /** Starts listening on a free loopback port; the API's base URL (what GITHUB_API_URL holds). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.answer(req, res).catch((error: Error) => send(res, 500, { message: error.message }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A pull request, as the repository would have it before a workflow runs for it. */
  openPullRequest(title: string): GitHubIssue {
    return this.add({ title, body: "", labels: [], isPullRequest: true });
  }

  commentsOn(issueNumber: number): GitHubComment[] {
    return this.comments.filter((comment) => comment.issueNumber === issueNumber);
  }

  /** The issues proper (not pull requests). */
  realIssues(): GitHubIssue[] {
    return [...this.issues.values()].filter((issue) => !issue.isPullRequest);
  }

  private add(fields: Omit<GitHubIssue, "number" | "state">): GitHubIssue {
    const issue: GitHubIssue = { number: this.nextNumber++, state: "open", ...fields };
    this.issues.set(issue.number, issue);
    return issue;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    this.requests.push({ method, url: req.url ?? "/" });
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(res, 401, { message: "Bad credentials" });
    const prefix = `/repos/${this.repository}`;
    if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, { message: "Not Found" });
    const path = url.pathname.slice(prefix.length);
    const input = method === "GET" ? {} : ((await readJson(req)) as Record<string, unknown>);

    let match: RegExpExecArray | null;
    if ((match = /^\/issues\/(\d+)\/comments$/.exec(path))) {
      const issue = this.issues.get(Number(match[1]));
      if (!issue) return send(res, 404, { message: "Not Found" });
      if (method === "GET") return send(res, 200, page(this.commentsOn(issue.number).map(commentJson), url));
      if (method === "POST") {
        if (typeof input["body"] !== "string") return send(res, 422, { message: "body is required" });
        const now = new Date().toISOString();
        const comment = {
          id: this.nextCommentId++,
          issueNumber: issue.number,
          body: input["body"],
          createdAt: now,
          updatedAt: now,
        };
        this.comments.push(comment);
        return send(res, 201, commentJson(comment));
      }
    }
    if ((match = /^\/issues\/comments\/(\d+)$/.exec(path)) && method === "PATCH") {
      const comment = this.comments.find((candidate) => candidate.id === Number(match![1]));
      if (!comment) return send(res, 404, { message: "Not Found" });
      if (typeof input["body"] !== "string") return send(res, 422, { message: "body is required" });
      comment.body = input["body"];
      comment.updatedAt = new Date().toISOString();
      return send(res, 200, commentJson(comment));
    }
    if (path === "/issues" && method === "GET") {
      const state = url.searchParams.get("state") ?? "open";
      const labels = (url.searchParams.get("labels") ?? "").split(",").filter((label) => label !== "");
      const listed = [...this.issues.values()]
        .filter((issue) => state === "all" || issue.state === state)
        .filter((issue) => labels.every((label) => issue.labels.includes(label)))
        .sort((a, b) => b.number - a.number);
      return send(res, 200, page(listed.map(issueJson), url));
    }
    if (path === "/issues" && method === "POST") {
      if (typeof input["title"] !== "string") return send(res, 422, { message: "title is required" });
      const labels = Array.isArray(input["labels"]) ? input["labels"].map(String) : [];
      const body = typeof input["body"] === "string" ? input["body"] : "";
      return send(res, 201, issueJson(this.add({ title: input["title"], body, labels, isPullRequest: false })));
    }
    if ((match = /^\/issues\/(\d+)$/.exec(path)) && method === "PATCH") {
      const issue = this.issues.get(Number(match[1]));
      if (!issue) return send(res, 404, { message: "Not Found" });
      if (typeof input["body"] === "string") issue.body = input["body"];
      if (typeof input["title"] === "string") issue.title = input["title"];
      if (input["state"] === "open" || input["state"] === "closed") issue.state = input["state"];
      return send(res, 200, issueJson(issue));
    }
    return send(res, 404, { message: `Not Found (the stand-in does not serve ${method} ${path})` });
  }
}

function commentJson(comment: GitHubComment) {
  return {
    id: comment.id,
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

function issueJson(issue: GitHubIssue) {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name) => ({ name })),
    ...(issue.isPullRequest ? { pull_request: { url: `pulls/${issue.number}` } } : {}),
  };
}

/** GitHub's pagination: `per_page` (default 30, at most 100) items of page `page` (from 1). */
function page<T>(items: readonly T[], url: URL): T[] {
  const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
  const number = Number(url.searchParams.get("page") ?? 1);
  return items.slice((number - 1) * perPage, number * perPage);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
  });
}
