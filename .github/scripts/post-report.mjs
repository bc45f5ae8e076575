#!/usr/bin/env node
/**
 * Posts tenantctl's Markdown reports where a platform team reads them, through GitHub's REST API:
 *
 *   post-report.mjs comment --issue <number> --marker '<!-- tenantctl:plan -->' report.md [more.md ...]
 *       one comment per pull request: the comment holding the marker is updated in place (PATCH), else created (POST)
 *   post-report.mjs issue --label tenantctl-drift --title 'Drift found by the nightly check' report.md [...]
 *       one open issue with that label: updated in place, else opened with the title and the label
 *
 * The reports are joined in order; a report that would take the body past GitHub's 65,536 characters is replaced by
 * one line saying it is in the run's artifacts. Needs GITHUB_TOKEN and GITHUB_REPOSITORY (set in every workflow run);
 * GITHUB_API_URL (also set by GitHub, and by the tests for a local server) defaults to https://api.github.com.
 * Exit codes: 0 posted, 1 GitHub refused or could not be reached, 2 usage.
 */
import { readFileSync } from "node:fs";

const COMMENT_MAX_LENGTH = 65_536;
const PER_PAGE = 100;

class UsageError extends Error {}

function parseArguments(argv) {
  const [command, ...rest] = argv;
  if (command !== "comment" && command !== "issue") throw new UsageError("the first argument is `comment` or `issue`");
  const options = {};
  const files = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg.startsWith("--")) {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options[arg.slice(2)] = value;
    } else files.push(arg);
  }
  if (files.length === 0) throw new UsageError("name at least one report file");
  const need = command === "comment" ? ["issue", "marker"] : ["label", "title"];
  for (const name of need) if (!options[name]) throw new UsageError(`${command} needs --${name}`);
  for (const name of Object.keys(options)) if (!need.includes(name)) throw new UsageError(`unknown option --${name}`);
  return { command, options, files };
}

/** The reports joined in order, each kept whole or replaced by a line, so the body fits one comment. */
export function bodyOf(reports, marker) {
  const parts = [];
  let length = marker ? marker.length + 1 : 0;
  for (const { name, text } of reports) {
    const trimmed = text.trimEnd();
    const omitted = `_${name} is too long for this comment: it is in this run's artifacts._`;
    const piece = length + trimmed.length + 2 <= COMMENT_MAX_LENGTH ? trimmed : omitted;
    parts.push(piece);
    length += piece.length + 2;
  }
  const body = parts.join("\n\n");
  // The marker finds the comment again; a report that starts with it needs it only once.
  return marker && !body.includes(marker) ? `${marker}\n${body}` : body;
}

function github(env) {
  const api = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/$/, "");
  const repository = env.GITHUB_REPOSITORY;
  const token = env.GITHUB_TOKEN;
  if (!repository || !/^[^/]+\/[^/]+$/.test(repository)) throw new UsageError("GITHUB_REPOSITORY must be owner/name");
  if (!token) throw new UsageError("GITHUB_TOKEN is not set");
  return async function request(method, path, body) {
    const response = await fetch(`${api}/repos/${repository}${path}`, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${token}`,
        "x-github-api-version": "2022-11-28",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) {
      const message = (() => {
        try {
          return JSON.parse(text).message;
        } catch {
          return text.slice(0, 200);
        }
      })();
      throw new Error(`GitHub answered ${method} ${path} with ${response.status}: ${message}`);
    }
    return text ? JSON.parse(text) : undefined;
  };
}

/** Every page of a list, until `found` says stop or a page comes back short. */
async function findInPages(request, path, found) {
  for (let page = 1; ; page++) {
    const items = await request("GET", `${path}${path.includes("?") ? "&" : "?"}per_page=${PER_PAGE}&page=${page}`);
    const match = items.find(found);
    if (match || items.length < PER_PAGE) return match;
  }
}

export async function postReport(argv, env, log = (line) => process.stderr.write(`${line}\n`)) {
  const { command, options, files } = parseArguments(argv);
  const reports = files.map((name) => ({ name, text: readFileSync(name, "utf8") }));
  const request = github(env);
  if (command === "comment") {
    const issue = Number(options.issue);
    if (!Number.isInteger(issue) || issue < 1)
      throw new UsageError(`--issue ${options.issue}: expected a pull request number`);
    const body = bodyOf(reports, options.marker);
    const existing = await findInPages(
      request,
      `/issues/${issue}/comments`,
      (comment) => typeof comment.body === "string" && comment.body.includes(options.marker),
    );
    if (existing) {
      await request("PATCH", `/issues/comments/${existing.id}`, { body });
      log(`updated comment ${existing.id} on #${issue}`);
    } else {
      const created = await request("POST", `/issues/${issue}/comments`, { body });
      log(`added comment ${created?.id} to #${issue}`);
    }
    return;
  }
  const body = bodyOf(reports);
  const label = encodeURIComponent(options.label);
  // Pull requests are issues too in this list: only a real issue is updated.
  const existing = await findInPages(request, `/issues?state=open&labels=${label}`, (item) => !item.pull_request);
  if (existing) {
    await request("PATCH", `/issues/${existing.number}`, { body });
    log(`updated issue #${existing.number}`);
  } else {
    const created = await request("POST", "/issues", { title: options.title, body, labels: [options.label] });
    log(`opened issue #${created?.number}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  postReport(process.argv.slice(2), process.env).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`post-report: ${error.message}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
