#!/usr/bin/env bun
/**
 * post-comment — keeps ONE sticky pull-request comment with seam's reports (ls-gate, tier-c), upserted so
 * that a failed lookup never posts a duplicate, another user's comment is never edited, an oversized body
 * is cut instead of rejected, rate limits and 5xx are retried within bounds, and the token never leaks.
 * Called by: the CI step that posts seam's results (README, "Posting results on a PR"); people by hand
 * with --dry-run. Replaces meld's tools/post_verification_comment.py (compatible via --marker).
 * Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
 *          [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]
 * Exit: 0 posted / updated / unchanged / deleted / nothing to post, 1 GitHub API failure, 2 usage error
 */
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { enumValue, noDuplicates, parseCli, progress, runCli } from "./lib/cli.ts";
import { checkOutputs } from "./lib/fsx.ts";
import {
  composeBody,
  defaultMarker,
  firstLine,
  fitBody,
  GITHUB_BODY_LIMIT,
  MARKER_RE,
  normalizeMarker,
  parseReport,
  renderSections,
  SAFE_BODY_BYTES,
  SUMMARY_BYTES,
  utf8Bytes,
  type CutInfo,
  type LoadedReport,
} from "./lib/comment-body.ts";
import { EXIT, SeamError, usageError } from "./lib/errors.ts";
import { AmbiguousWrite, GitHubClient, type GitHubDeps } from "./lib/github.ts";
import {
  API_VERSION,
  explainFailure,
  jsonAt,
  jsonPosInt,
  jsonString,
  REQUEST_TIMEOUT_MS,
  RETRY,
  USER_AGENT,
  type ReadOnlyReason,
} from "./lib/github-rest.ts";
import { checkApiUrl, makeScrubber, scrubError } from "./lib/github-token.ts";
import { LS_GATE_SCHEMA } from "./lib/ls-report.ts";
import { TIERC_SCHEMA } from "./lib/tierc-report.ts";

/** The login an Actions GITHUB_TOKEN posts as; such a token cannot read GET /user (403). */
export const ACTIONS_BOT = "github-actions[bot]";

/** GitHub's `user.type` of a GitHub App's bot user (github-actions[bot], my-app[bot]); a person is "User". */
export const BOT_TYPE = "Bot";

// ---------------------------------------------------------------------------------------------------
// Types

export type Mode = "upsert" | "recreate" | "delete";

export interface Context {
  apiUrl: string;
  serverUrl: string;
  repo: string | null;
  pr: number | null;
  /** Where `pr` came from ("--pr", "event pull_request", "GITHUB_REF", …). */
  prSource: string;
  /** workflow_run of a fork PR: GitHub leaves pull_requests empty, so find the PR by head and SHA. */
  prLookup?: { head: string; sha: string };
  /** In Actions on an event without a PR: why there is nothing to post. */
  notPullRequest?: string;
  runUrl?: string;
  token: string | null;
  readOnly?: ReadOnlyReason;
  inActions: boolean;
}

export interface Identity {
  /**
   * The login whose marked comments are ours; null for an installation token whose login cannot be looked
   * up (ghs_, or GET /user answers 403): then a marked comment by any Bot account is ours (see isOurs).
   */
  login: string | null;
  source: "--author" | "GET /user" | "installation token";
}

export interface IssueComment {
  id: number;
  body: string;
  login: string | null;
  /** GitHub's `user.type`: "User" for a person, "Bot" for a GitHub App's bot user. */
  authorType: string | null;
  createdAt: string;
  url: string;
}

export interface PostOptions {
  apiUrl: string;
  repo: string;
  /** null: resolve from `prLookup` (one extra request). */
  pr: number | null;
  prLookup?: { head: string; sha: string };
  token: string;
  marker: string;
  /** The whole body, marker line first; cut here when too big. Ignored by mode delete. */
  body: string;
  mode: Mode;
  author?: string;
  runUrl?: string;
  readOnly?: ReadOnlyReason;
  limitBytes?: number;
  /** The body was appended to the job's step summary: only then may an error's hint say it is there. */
  inStepSummary?: boolean;
}

export type Action =
  "created" | "updated" | "unchanged" | "recreated" | "deleted" | "nothing-to-delete" | "nothing-to-post";

export interface PostResult {
  action: Action;
  repo: string;
  pr: number | null;
  marker: string;
  identity: Identity | null;
  comment: { id: number; url: string } | null;
  deleted: number[];
  /** Further own comments with the marker (upsert updates the newest and leaves these). */
  otherMatches: { id: number; url: string }[];
  /** Comments with the marker by someone else: never touched. */
  foreignMatches: { id: number; author: string | null }[];
  pages: number;
  commentsSeen: number;
  requests: { total: number; byMethod: Record<string, number> };
  waitsMs: number[];
  cut: CutInfo | null;
  bodyBytes: number;
  notes: string[];
  reason?: string;
}

// ---------------------------------------------------------------------------------------------------
// Context: flags + the environment GitHub Actions sets

export type Env = Record<string, string | undefined>;

const PR_EVENTS = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"];

/** The PR an Actions event is about, from its payload (or `refs/pull/N/…`), and whether the token can write. */
export function prFromEvent(
  eventName: string | undefined,
  payload: unknown,
  ref: string | undefined,
  repo: string | null,
  actor?: string,
): {
  pr?: number;
  source: string;
  lookup?: { head: string; sha: string };
  notPullRequest?: string;
  readOnly?: ReadOnlyReason;
  runUrl?: string;
} {
  const name = eventName ?? "";
  if (PR_EVENTS.includes(name) && jsonPosInt(jsonAt(payload, "pull_request", "number"))) {
    const pr = jsonPosInt(jsonAt(payload, "pull_request", "number"))!;
    const head = jsonString(jsonAt(payload, "pull_request", "head", "repo", "full_name"));
    const base = jsonString(jsonAt(payload, "pull_request", "base", "repo", "full_name"));
    const writable = name === "pull_request_target";
    const readOnly: ReadOnlyReason | undefined = writable
      ? undefined
      : head !== base
        ? "fork"
        : actor === "dependabot[bot]"
          ? "dependabot"
          : undefined;
    return { pr, source: `event ${name}`, readOnly };
  }
  if (name === "issue_comment") {
    const n = jsonPosInt(jsonAt(payload, "issue", "number"));
    if (n && jsonAt(payload, "issue", "pull_request")) return { pr: n, source: "event issue_comment" };
    return { source: "", notPullRequest: "the issue_comment event is on an issue, not a pull request" };
  }
  if (name === "workflow_run") {
    const wr = jsonAt(payload, "workflow_run");
    const runUrl = jsonString(jsonAt(wr, "html_url"));
    const trigger = jsonString(jsonAt(wr, "event")) ?? "?";
    if (!trigger.startsWith("pull_request"))
      return { source: "", notPullRequest: `the workflow_run was triggered by ${trigger}, not a pull request`, runUrl };
    const prs = Array.isArray(jsonAt(wr, "pull_requests")) ? (jsonAt(wr, "pull_requests") as unknown[]) : [];
    const ours = prs.filter((p) => !repo || (jsonString(jsonAt(p, "url")) ?? "").includes(`/repos/${repo}/pulls/`));
    const n = jsonPosInt(jsonAt(ours[0], "number"));
    if (n) return { pr: n, source: "event workflow_run", runUrl };
    const owner = jsonString(jsonAt(wr, "head_repository", "owner", "login"));
    const branch = jsonString(jsonAt(wr, "head_branch"));
    const sha = jsonString(jsonAt(wr, "head_sha"));
    if (owner && branch && sha)
      return { source: "workflow_run head (fork PR)", lookup: { head: `${owner}:${branch}`, sha }, runUrl };
    return { source: "", notPullRequest: "the workflow_run payload names no pull request", runUrl };
  }
  const m = /^refs\/pull\/(\d+)\/(?:merge|head)$/.exec(ref ?? "");
  if (m) return { pr: Number(m[1]), source: "GITHUB_REF" };
  return {
    source: "",
    notPullRequest: name ? `the ${name} event is not about a pull request` : "no pull request event",
  };
}

/** Everything post-comment needs to know from flags and environment (pure: the event payload is passed in). */
export function resolveContext(flags: { pr?: string; repo?: string }, env: Env, event: unknown): Context {
  const token = (env.GH_TOKEN || env.GITHUB_TOKEN || "").trim() || null;
  // An HTTP header cannot carry it; fetch would fail with a message that is no help (never print the token).
  if (token !== null && !/^[\x21-\x7e]+$/.test(token)) {
    throw usageError(
      `${env.GH_TOKEN?.trim() ? "GH_TOKEN" : "GITHUB_TOKEN"} contains a space or a character no token has`,
      "set it to the token alone (a paste may have brought a line break or a non-ASCII character)",
    );
  }
  const apiUrl = checkApiUrl(env.GITHUB_API_URL || "https://api.github.com");
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const repoRaw = flags.repo ?? (env.GH_REPO || env.GITHUB_REPOSITORY || null);
  if (repoRaw !== null && !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repoRaw)) {
    throw usageError(
      `repository ${JSON.stringify(repoRaw)} is not OWNER/NAME`,
      "pass --repo OWNER/NAME (or set GH_REPO / GITHUB_REPOSITORY)",
    );
  }
  const repo = repoRaw;
  const inActions = env.GITHUB_ACTIONS === "true";
  const ev = prFromEvent(env.GITHUB_EVENT_NAME, event, env.GITHUB_REF, repo, env.GITHUB_ACTOR);
  const runRepo = env.GITHUB_REPOSITORY || repo;
  const runUrl =
    ev.runUrl ??
    (env.GITHUB_RUN_ID && runRepo ? `${serverUrl}/${runRepo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined);
  const base = { apiUrl, serverUrl, repo, token, inActions, runUrl, readOnly: ev.readOnly };
  if (flags.pr !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(flags.pr))
      throw usageError(`--pr ${JSON.stringify(flags.pr)} is not a pull-request number`, "e.g. --pr 42");
    return { ...base, pr: Number(flags.pr), prSource: "--pr" };
  }
  return {
    ...base,
    pr: ev.pr ?? null,
    prSource: ev.source,
    prLookup: ev.lookup,
    notPullRequest: ev.pr || ev.lookup ? undefined : ev.notPullRequest,
  };
}

// ---------------------------------------------------------------------------------------------------
// The upsert

function toComment(x: unknown): IssueComment | null {
  const id = jsonAt(x, "id");
  if (typeof id !== "number" || !Number.isSafeInteger(id)) return null;
  return {
    id,
    body: jsonString(jsonAt(x, "body")) ?? "",
    login: jsonString(jsonAt(x, "user", "login")) ?? null,
    authorType: jsonString(jsonAt(x, "user", "type")) ?? null,
    createdAt: jsonString(jsonAt(x, "created_at")) ?? "",
    url: jsonString(jsonAt(x, "html_url")) ?? "",
  };
}

const sameLogin = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/**
 * Whether a comment carrying the marker is ours to edit or delete. With a known login (--author, GET /user)
 * it must be that login's. With `null` (an installation token: ghs_, or GET /user answers 403, so the
 * token cannot say who it is; a GitHub App's token looks exactly like an Actions token) it must be written
 * by a Bot account.
 *
 * Why that is safe: `user.type` "Bot" is GitHub's type for the bot users of GitHub Apps
 * (github-actions[bot], my-app[bot], dependabot[bot]). A person's account is "User" and cannot be made a
 * Bot, and only an App's token can post as one, so a person's comment (one quoting the report, marker
 * line and all) is never edited or deleted: that was the point of the author check. The marker itself is
 * seam's, and it must be the comment's first line.
 * Its limit: two different Apps (say github-actions[bot] and my-app[bot]) posting with the same marker on
 * one PR take each other's comment for their own; they then share one comment, never a person's, and the
 * other matches are reported. Give each its own --marker, or name the login with --author.
 */
export function isOurs(c: IssueComment, login: string | null): boolean {
  return login === null ? c.authorType === BOT_TYPE : sameLogin(c.login, login);
}

/** Comments whose first line is the marker: ours (newest first) and everybody else's (never touched). */
export function findOwn(
  comments: IssueComment[],
  marker: string,
  login: string | null,
): { mine: IssueComment[]; foreign: IssueComment[] } {
  const marked = comments.filter((c) => firstLine(c.body) === marker);
  const newestFirst = (a: IssueComment, b: IssueComment) =>
    (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0) || b.id - a.id;
  return {
    mine: marked.filter((c) => isOurs(c, login)).sort(newestFirst),
    foreign: marked.filter((c) => !isOurs(c, login)),
  };
}

/** Who `identity` stands for, in a sentence: `my-app[bot] (--author)`, `any Bot account (installation token)`. */
export function describeIdentity(identity: Identity): string {
  return `${identity.login ?? "any Bot account"} (${identity.source})`;
}

/** Same text for the purpose of skipping a PATCH (line endings and trailing space do not count). */
export function sameBody(a: string, b: string): boolean {
  const n = (s: string) => s.replace(/\r\n/g, "\n").trimEnd();
  return n(a) === n(b);
}

/**
 * The login whose comments are ours: --author, else GET /user. An installation token (an Actions
 * GITHUB_TOKEN, or a GitHub App's) cannot call it and nothing else names its login, so its identity stays
 * unresolved (null) and isOurs takes a Bot account's marked comment as ours.
 */
async function resolveIdentity(client: GitHubClient, token: string, author?: string): Promise<Identity> {
  if (author) return { login: author, source: "--author" };
  // ghs_ is an installation token: GET /user would answer 403.
  if (token.startsWith("ghs_")) return { login: null, source: "installation token" };
  const r = await client.request("GET", client.url("/user"), undefined, [403]);
  if (r.status === 403) {
    if (/not accessible by integration/i.test(r.message)) return { login: null, source: "installation token" };
    throw new SeamError(`403 on GET /user: ${r.message} (a lookup failed, so nothing was posted)`, {
      exitCode: EXIT.fail,
      hint: "pass --author LOGIN, the login this token posts as",
    });
  }
  const login = jsonString(jsonAt(r.json, "login"));
  if (!login)
    throw new SeamError("GitHub's answer to GET /user has no login", {
      exitCode: EXIT.fail,
      hint: "pass --author LOGIN",
    });
  return { login, source: "GET /user" };
}

/** Posts, upserts, recreates or deletes the one comment. Never prints, never exits; throws SeamError. */
export async function postComment(opts: PostOptions, deps: GitHubDeps): Promise<PostResult> {
  const scrub = makeScrubber([opts.token]);
  const explainCtx = { repo: opts.repo, pr: opts.pr, readOnly: opts.readOnly, inStepSummary: opts.inStepSummary };
  const client = new GitHubClient({
    apiUrl: checkApiUrl(opts.apiUrl),
    token: opts.token,
    scrub,
    deps,
    explain: (f, phase) => explainFailure(f, { ...explainCtx, phase }),
    inStepSummary: opts.inStepSummary,
  });
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(scrub(line));
    deps.onProgress?.(scrub(line));
  };
  const result = (action: Action, extra: Partial<PostResult> = {}): PostResult => ({
    action,
    repo: opts.repo,
    pr: explainCtx.pr,
    marker: opts.marker,
    identity: null,
    comment: null,
    deleted: [],
    otherMatches: [],
    foreignMatches: [],
    pages: 0,
    commentsSeen: 0,
    requests: client.stats,
    waitsMs: client.waitsMs,
    cut: null,
    bodyBytes: 0,
    notes,
    ...extra,
  });

  if (!MARKER_RE.test(opts.marker))
    throw usageError(`marker ${JSON.stringify(opts.marker)} is not one HTML comment on one line`);
  let body = "";
  let cut: CutInfo | null = null;
  if (opts.mode !== "delete") {
    // The marker must stay the first line, or the next run would not find this comment and post again.
    if (firstLine(opts.body) !== opts.marker)
      throw usageError("the comment body must start with the marker line", "use composeBody(marker, sections)");
    ({ body, cut } = fitBody(scrub(opts.body), { limitBytes: opts.limitBytes, runUrl: opts.runUrl }));
    if (cut)
      note(
        `body cut from ${cut.originalBytes} to ${cut.postedBytes} bytes at a section boundary (${[cut.partial, ...cut.dropped].filter(Boolean).length} section(s) shortened or left out)`,
      );
  }

  const repoPath = `/repos/${opts.repo}`;
  if (explainCtx.pr === null) {
    if (!opts.prLookup) throw usageError("no pull-request number", "pass --pr N");
    const { head, sha } = opts.prLookup;
    const r = await client.request(
      "GET",
      client.url(`${repoPath}/pulls?state=open&head=${encodeURIComponent(head)}&per_page=100`),
    );
    const hits = (Array.isArray(r.json) ? r.json : []).filter((p) => jsonAt(p, "head", "sha") === sha);
    if (hits.length === 0)
      return result("nothing-to-post", {
        reason: `no open pull request has head ${head} at ${sha.slice(0, 12)} (closed, or pushed to since)`,
        cut,
        bodyBytes: utf8Bytes(body),
      });
    if (hits.length > 1)
      throw new SeamError(`${hits.length} open pull requests have head ${head} at ${sha.slice(0, 12)}`, {
        exitCode: EXIT.fail,
        hint: "pass --pr N",
      });
    explainCtx.pr = jsonPosInt(jsonAt(hits[0], "number")) ?? null;
    if (explainCtx.pr === null)
      throw new SeamError("GitHub's pull-request answer has no number", { exitCode: EXIT.fail });
  }
  const pr = explainCtx.pr;
  const listUrl = client.url(`${repoPath}/issues/${pr}/comments?per_page=100`);

  // Lookup: who we are, then every page. Any failure here throws before anything is written.
  client.phase = "lookup";
  const identity = await resolveIdentity(client, opts.token, opts.author);
  const lookup = async () => {
    const { items, pages } = await client.listAll(listUrl);
    const comments = items.map(toComment).filter((c): c is IssueComment => c !== null);
    return { comments, pages, ...findOwn(comments, opts.marker, identity.login) };
  };
  const found = await lookup();
  const base: Partial<PostResult> = {
    identity,
    pages: found.pages,
    commentsSeen: found.comments.length,
    foreignMatches: found.foreign.map((c) => ({ id: c.id, author: c.login })),
    cut,
    bodyBytes: utf8Bytes(body),
  };
  for (const c of found.foreign)
    note(
      `comment ${c.id} by ${c.login ?? "a deleted user"} carries the marker but is not ${identity.login === null ? "a Bot account's" : `${identity.login}'s`}: left alone`,
    );
  // Under an installation token, the Apps whose marked comments count as ours (more than one: ambiguous).
  const botLogins = identity.login === null ? [...new Set(found.mine.map((c) => c.login ?? "?"))] : [];
  if (botLogins.length > 1) {
    note(
      `comments by ${botLogins.join(" and ")} carry the marker; this installation token cannot say which is its own (pass --author to choose)`,
    );
  }

  client.phase = "write";
  const commentUrl = (id: number) => client.url(`${repoPath}/issues/comments/${id}`);
  const asComment = (json: unknown): IssueComment => {
    const c = toComment(json);
    if (!c)
      throw new SeamError("GitHub's answer to a write has no comment id", {
        exitCode: EXIT.fail,
        hint: "check GITHUB_API_URL",
      });
    return c;
  };
  const checkAuthor = (c: IssueComment) => {
    // The lookup matched by `identity`; a comment the next lookup would not take as ours means a new one every run.
    if (c.login && !isOurs(c, identity.login)) {
      throw new SeamError(
        `comment ${c.id} was written as ${c.login}${c.authorType ? ` (a ${c.authorType})` : ""}, but post-comment looked for comments by ${describeIdentity(identity)}: the next run would post another comment (${c.url})`,
        { exitCode: EXIT.fail, hint: `pass --author '${c.login}'` },
      );
    }
  };
  const patch = async (id: number) => asComment((await client.request("PATCH", commentUrl(id), { body })).json);
  const remove = async (ids: number[]) => {
    const done: number[] = [];
    for (const id of ids) {
      try {
        await client.request("DELETE", commentUrl(id));
      } catch (err) {
        if (!(err instanceof SeamError) || !done.length) throw err;
        throw new SeamError(`deleted ${done.join(", ")}, then deleting comment ${id} failed: ${err.message}`, {
          exitCode: EXIT.fail,
          hint: err.hint,
        });
      }
      done.push(id);
    }
    return done;
  };

  /** POST, and when its outcome is unknown (5xx, dropped connection), look before posting again. */
  const create = async (): Promise<IssueComment> => {
    const known = new Set(found.comments.map((c) => c.id));
    for (let attempt = 1; ; attempt++) {
      try {
        return asComment(
          (await client.request("POST", client.url(`${repoPath}/issues/${pr}/comments`), { body })).json,
        );
      } catch (err) {
        if (!(err instanceof AmbiguousWrite)) throw err;
        note(`POST outcome unknown (${err.message}); checking whether the comment exists before trying again`);
        let again: Awaited<ReturnType<typeof lookup>>;
        try {
          client.phase = "lookup";
          again = await lookup();
        } catch (inner) {
          const m = inner instanceof SeamError ? inner.message : String(inner);
          throw new SeamError(
            scrub(
              `the POST's outcome is unknown (${err.message}) and re-checking failed (${m}); not posting again, to avoid a duplicate`,
            ),
            {
              exitCode: EXIT.fail,
              hint: `look at the PR${client.summaryNote ? "; the report is in the job's step summary" : ""}`,
            },
          );
        } finally {
          client.phase = "write";
        }
        const fresh = again.mine.filter((c) => !known.has(c.id));
        if (fresh[0]) {
          note(`comment ${fresh[0].id} exists: the POST went through`);
          return sameBody(fresh[0].body, body) ? fresh[0] : await patch(fresh[0].id);
        }
        if (attempt >= RETRY.attempts)
          throw new SeamError(`could not create the comment: ${err.message} ${attempt} times`, {
            exitCode: EXIT.fail,
            hint: `${client.summaryNote}re-run the job`,
          });
        await client.wait(client.backoffMs(attempt), err.message);
      }
    }
  };

  const [newest, ...older] = found.mine;
  const link = (c: IssueComment) => ({ id: c.id, url: c.url });
  if (opts.mode === "delete") {
    if (!found.mine.length) return result("nothing-to-delete", base);
    if (botLogins.length > 1) {
      // Deleting cannot be undone: with two Apps' comments and no way to tell which is ours, delete neither.
      throw new SeamError(
        `comments by ${botLogins.join(" and ")} carry the marker and this installation token cannot say which login it posts as: nothing was deleted`,
        {
          exitCode: EXIT.usage,
          hint: `pass --author LOGIN (one of ${botLogins.join(", ")})`,
        },
      );
    }
    const deleted = await remove(found.mine.map((c) => c.id));
    return result("deleted", { ...base, deleted });
  }
  if (opts.mode === "recreate") {
    // Post first, then delete: a failure in between leaves a stale copy, never a PR without the report.
    const created = await create();
    checkAuthor(created);
    // The new comment names the login this token posts as: only that login's older comments go.
    const login = identity.login ?? created.login;
    const stale = found.mine.filter((c) => login === null || sameLogin(c.login, login));
    for (const c of found.mine.filter((c) => !stale.includes(c)))
      note(`comment ${c.id} by ${c.login} carries the marker but this token posts as ${login}: left alone`);
    const deleted = await remove(stale.map((c) => c.id));
    return result("recreated", { ...base, comment: link(created), deleted });
  }
  if (older.length)
    note(
      `${older.length} more comment(s) by ${identity.login ?? "Bot accounts"} carry the marker: ${older.map((c) => c.id).join(", ")} (left as they are; --mode recreate removes them)`,
    );
  const otherMatches = older.map(link);
  if (newest) {
    if (sameBody(newest.body, body)) return result("unchanged", { ...base, comment: link(newest), otherMatches });
    const updated = await patch(newest.id);
    return result("updated", { ...base, comment: link(updated), otherMatches });
  }
  const created = await create();
  checkAuthor(created);
  return result("created", { ...base, comment: link(created), otherMatches });
}

/** What --dry-run prints: the requests a real run would make, token masked. */
export function describePlan(o: {
  apiUrl: string;
  repo: string | null;
  pr: number | null;
  prLookup?: { head: string; sha: string };
  mode: Mode;
  author?: string;
  marker: string;
}): string[] {
  const repo = o.repo ?? "OWNER/NAME";
  const pr = o.pr ?? "{pr}";
  const api = o.apiUrl;
  const who = o.author
    ? `${o.author} (--author)`
    : "the token's login (GET /user); for an installation token (ghs_, or GET /user answering 403): any Bot account";
  const lines = [
    `headers: Accept: application/vnd.github+json · X-GitHub-Api-Version: ${API_VERSION} · Authorization: Bearer *** · User-Agent: ${USER_AGENT}`,
  ];
  if (o.pr === null && o.prLookup)
    lines.push(
      `GET    ${api}/repos/${repo}/pulls?state=open&head=${encodeURIComponent(o.prLookup.head)}&per_page=100   find the PR whose head is at ${o.prLookup.sha.slice(0, 12)}`,
    );
  if (!o.author) lines.push(`GET    ${api}/user   who am I (skipped for a ghs_ installation token)`);
  lines.push(
    `GET    ${api}/repos/${repo}/issues/${pr}/comments?per_page=100   then every Link rel="next" page; any failure stops here, nothing is written`,
  );
  lines.push(`       own comments = first line ${o.marker} AND author ${who}`);
  const patch = `${api}/repos/${repo}/issues/comments/{id}`;
  if (o.mode === "upsert") {
    lines.push(`PATCH  ${patch}   the newest own comment, skipped when its body is unchanged`);
    lines.push(`POST   ${api}/repos/${repo}/issues/${pr}/comments   when there is no own comment`);
  } else if (o.mode === "recreate") {
    lines.push(`POST   ${api}/repos/${repo}/issues/${pr}/comments   a fresh comment`);
    lines.push(`DELETE ${patch}   each older own comment, after the POST`);
  } else {
    lines.push(`DELETE ${patch}   each own comment`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// CLI

const HELP = `post-comment — one sticky pull-request comment with seam's reports, upserted safely.

Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
         [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]

Body
  --report FILE      a results file, kind detected by its "schema" field: ${LS_GATE_SCHEMA} (ls-gate.ts) or
                     ${TIERC_SCHEMA} (tier-c.ts). Repeat it: each report is one "## " section of ONE comment.
                     A MISSING file is skipped with a note (all missing: "nothing to post", exit 0, as
                     upstream); an unreadable, non-JSON or unknown-schema file is an error (exit 2).
  --body-file FILE   post this markdown verbatim instead (a file that is not there is an error, exit 2).
  A tier-c report that carries a diff (tier-c --baseline) starts its section with it: "2 fixed, 1
  regressed since base", the base's tools, the changed rows; its unchanged rows fold into <details>.
  --no-diff-note TEXT  said at the top of a tier-c section whose report carries no diff (the example
                     workflow: "no base results to compare with …"); empty: nothing is said.
  --marker KEY       the hidden first line that identifies the comment: KEY becomes <!-- KEY -->, a whole
                     <!-- ... --> is kept (upstream's: --marker '<!-- meld-ls-verification-gate -->').
                     Default: from the kinds of report found — <!-- seam:ls-gate -->, <!-- seam:tier-c -->,
                     <!-- seam:ls-gate+tier-c --> — or <!-- seam:comment --> with --body-file. If a step
                     may find only some of its reports, pass --marker so it keeps updating one comment.

Where (flags win over the environment GitHub Actions sets)
  --pr N             default: the event in GITHUB_EVENT_PATH (pull_request[_target], issue_comment on a
                     PR, workflow_run — for a fork PR, whose payload lists no PR, the open PR whose head
                     branch is at the run's head SHA, one extra request), else GITHUB_REF refs/pull/N/….
                     In Actions on an event without a PR: nothing to post (exit 0); elsewhere: exit 2.
  --repo OWNER/NAME  default GH_REPO, then GITHUB_REPOSITORY.
  Token: GH_TOKEN, else GITHUB_TOKEN (never printed; every output is scrubbed of it, even what a server
  echoes back). API: GITHUB_API_URL (GitHub Enterprise Server; https, http only on loopback).
  Links to the run: GITHUB_SERVER_URL + GITHUB_REPOSITORY + GITHUB_RUN_ID (workflow_run: the triggering run).

Whose comment
  Only a comment whose FIRST LINE is the marker AND that is the token's own is ever edited or deleted;
  anyone else's is reported and left alone. Own means: written by the token's login, from GET /user. An
  installation token (ghs_...: an Actions GITHUB_TOKEN or a GitHub App's) cannot call GET /user (403) and
  nothing else names its login, so for it own means: written by a Bot account (GitHub's user type "Bot",
  which only Apps' bot users such as ${ACTIONS_BOT} have; no person's account is one), so a person's
  comment is never taken. Limit: two Apps posting with the same marker on one PR share one comment; give
  each its own --marker, or pass --author. Several Apps' comments and --mode delete: nothing is deleted
  until --author names one. If a new comment comes back written by someone the next lookup would not take
  as own, the run fails (exit 1) naming the --author to pass — otherwise every later run would post one
  more comment.
  --author LOGIN     the login whose comments are ours (no GET /user; e.g. 'my-app[bot]').

Write
  --mode upsert      (default) PATCH the newest own comment — skipped when the body is unchanged — else
                     POST; further own matches are reported, not touched.
  --mode recreate    POST a fresh comment, then DELETE the older own ones.
  --mode delete      DELETE every own comment with the marker.
  If any lookup request fails, nothing is written (no duplicate, ever). A POST whose outcome is unknown
  (5xx, dropped connection) is checked against a fresh lookup before it is tried again.
  Requests for an upsert: ceil(comments / 100) pages + GET /user (not for a ghs_ token) + 1 write.

Limits
  Size: bodies over ${SAFE_BODY_BYTES.toLocaleString("en-US")} UTF-8 bytes (GitHub: ${GITHUB_BODY_LIMIT.toLocaleString("en-US")} characters) are cut. A tier-c diff section is
  shrunk first: its unchanged rows, then its changed rows, least severe first. Then at "## " section
  boundaries — whole sections first, then the lines of the next that fit — open <details> and code
  fences closed, and a closing line names what was cut and links the run.
  Retries: 429 and secondary rate limits (403 with retry-after, x-ratelimit-remaining: 0 or a rate-limit
  message) wait as GitHub asks (retry-after, x-ratelimit-reset, else ${RETRY.defaultRateLimitMs / 1000} s); 5xx and network errors
  wait ${RETRY.backoffMs.map((m) => m / 1000).join(", ")} s. At most ${RETRY.attempts} tries per request (${RETRY.networkAttempts} after a network error),
  never more than ${RETRY.maxWaitMs / 1000} s for one wait (a longer ask fails at once) and ${RETRY.totalWaitMs / 1000} s of waiting in all;
  then one clear error. Each request times out after ${REQUEST_TIMEOUT_MS / 1000} s. Only a network error that can pass is
  retried (a dropped connection, a timeout); a connection that cannot be made (refused, unknown host,
  TLS certificate) fails at once, naming the URL.
  Redirects are followed only on the API's own host; so are Link pages.

Output
  --dry-run          no token and no network: print the requests it would make, then the body.
  --json             one JSON record on stdout (also for failures: {"action":"failed",...}).
  The body is also appended to $GITHUB_STEP_SUMMARY when that is set (not with --dry-run), before any
  request — a failed post still leaves the report in the job summary. Messages say the report is there
  only when it was written.

Errors no retry fixes, one line each with the fix: 401 (token), 403 (permissions; on a fork or Dependabot
PR: "the token is read-only on pull requests from forks: post from a \`workflow_run\` job"), 404 (repo/PR
or a token that cannot see it), 422 (body rejected).

Exit: 0 created, updated, unchanged, recreated, deleted, nothing to delete or nothing to post;
      1 GitHub API failure; 2 usage error or bad report file.
`;

/** A file's text, or null when there is none; a folder or an unreadable file is one usage line naming `what`. */
function readIfPresent(path: string, what: string): string | null {
  if (!existsSync(path)) return null;
  try {
    if (!statSync(path).isFile()) throw usageError(`${what} ${path} is not a regular file`, "pass a file");
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof SeamError) throw err;
    throw usageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      "check the file's permissions",
    );
  }
}

/** The Actions event payload; with --pr it only refines messages, so a bad or missing file is then ignored. */
function readEvent(env: Env, needed: boolean): unknown {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return null;
  try {
    const text = readIfPresent(path, "GITHUB_EVENT_PATH");
    if (text === null)
      throw usageError(
        `GITHUB_EVENT_PATH ${path} does not exist`,
        "point it at the event payload, unset it, or pass --pr N",
      );
    return JSON.parse(text);
  } catch (err) {
    if (!needed) return null;
    throw err instanceof SeamError ? err : usageError(`GITHUB_EVENT_PATH ${path} is not JSON`, "pass --pr N");
  }
}

/** Why a pipeline's comment step cannot post here (no token, no PR context), or undefined when it can. */
export function commentSkipReason(env: Env): string | undefined {
  if (!env.GH_TOKEN && !env.GITHUB_TOKEN) return "no token (set GH_TOKEN or GITHUB_TOKEN)";
  try {
    const ctx = resolveContext({}, env, readEvent(env, true));
    if (!ctx.repo) return "no repository (set GITHUB_REPOSITORY or GH_REPO)";
    if (ctx.pr === null && !ctx.prLookup)
      return `no pull request (${ctx.notPullRequest ?? "not a pull_request event"})`;
  } catch (err) {
    return makeScrubber([env.GH_TOKEN, env.GITHUB_TOKEN])((err as Error).message);
  }
  return undefined;
}

/** Upserts one comment rendered from the report files that exist (scripts/all.ts's comment step).
 * Returns a one-line, scrubbed account of what happened; throws a scrubbed SeamError on failure. */
export async function commentFromReports(paths: string[], env: Env, log: (line: string) => void): Promise<string> {
  const scrub = makeScrubber([env.GH_TOKEN, env.GITHUB_TOKEN]);
  try {
    const ctx = resolveContext({}, env, readEvent(env, true));
    const loaded = paths.flatMap((p) => {
      const text = readIfPresent(p, "report");
      return text === null ? [] : [parseReport(p, text)];
    });
    if (!loaded.length) return "nothing to post: no report files";
    if (!ctx.token || !ctx.repo) return "nothing to post: no token or repository";
    const marker = defaultMarker(loaded.map((r) => r.kind));
    const body = scrub(composeBody(marker, renderSections(loaded, { runUrl: ctx.runUrl })));
    const result = await postComment(
      {
        apiUrl: ctx.apiUrl,
        repo: ctx.repo,
        pr: ctx.pr,
        prLookup: ctx.prLookup,
        token: ctx.token,
        marker,
        body,
        mode: "upsert",
        runUrl: ctx.runUrl,
        readOnly: ctx.readOnly,
      },
      { sleep: (ms) => Bun.sleep(ms), onProgress: (l) => log(scrub(l)) },
    );
    return scrub(
      `${result.action}${result.comment ? ` ${result.comment.url}` : ""} (${result.requests.total} requests)`,
    );
  } catch (err) {
    throw scrubError(err, scrub);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseCli(
    argv,
    {
      pr: { type: "string" },
      repo: { type: "string" },
      marker: { type: "string" },
      report: { type: "string", multiple: true },
      "body-file": { type: "string" },
      "no-diff-note": { type: "string" },
      mode: { type: "string", default: "upsert" },
      author: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    false,
  );
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const env: Env = process.env;
  const scrub = makeScrubber([env.GH_TOKEN, env.GITHUB_TOKEN]);
  const say = (s: string) => process.stdout.write(scrub(s));
  const mode = v.mode as Mode;
  try {
    enumValue("--mode", v.mode as string, ["upsert", "recreate", "delete"] as const);
    const reports = noDuplicates("--report", v.report ?? [], (p) => resolve(p));
    if (reports.length && v["body-file"])
      throw usageError("--report and --body-file exclude each other", "render reports, or post a file verbatim");
    if (!reports.length && !v["body-file"] && mode !== "delete")
      throw usageError("nothing to render: pass --report FILE or --body-file FILE");
    if (v.author !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$/.test(v.author))
      throw usageError(`--author ${JSON.stringify(v.author)} is not a GitHub login`, "e.g. --author 'my-app[bot]'");

    const ctx = resolveContext({ pr: v.pr, repo: v.repo }, env, readEvent(env, v.pr === undefined));

    // Body: reports (a missing one is a note) or a file verbatim.
    const loaded: LoadedReport[] = [];
    const missing: string[] = [];
    let verbatim: string | null = null;
    for (const path of reports) {
      const text = readIfPresent(path, "--report");
      if (text === null) missing.push(path);
      else loaded.push(parseReport(path, text));
    }
    if (v["body-file"]) {
      // Unlike a report, which an earlier step may not have got to write, a body file is the caller's own.
      verbatim = readIfPresent(v["body-file"], "--body-file");
      if (verbatim === null) throw usageError(`--body-file ${v["body-file"]} does not exist`, "check the path");
      if (!verbatim.trim()) throw usageError(`${v["body-file"]} is empty`, "an empty comment would be rejected");
    }
    // The step summary is appended to: it must not be one of the files read, and its folder must exist.
    if (env.GITHUB_STEP_SUMMARY && !v["dry-run"] && mode !== "delete") {
      checkOutputs(
        [
          ...reports.map((p): [string, string] => [`the --report ${p}`, p]),
          ...(v["body-file"] ? [["the --body-file", v["body-file"]] as [string, string]] : []),
          ...(env.GITHUB_EVENT_PATH ? [["GITHUB_EVENT_PATH", env.GITHUB_EVENT_PATH] as [string, string]] : []),
        ],
        [["GITHUB_STEP_SUMMARY", env.GITHUB_STEP_SUMMARY, "append"]],
      );
    }
    const marker = v.marker !== undefined ? normalizeMarker(v.marker) : defaultMarker(loaded.map((r) => r.kind));
    const nothing = (reason: string) => {
      if (v.json) say(JSON.stringify({ action: "nothing-to-post", reason, marker }) + "\n");
      else say(`nothing to post: ${reason}\n`);
      return EXIT.ok;
    };
    if (mode === "delete" && v.marker === undefined && !loaded.length)
      throw usageError("--mode delete needs --marker (or a --report to derive it from)");
    if (mode !== "delete" && !loaded.length && verbatim === null) return nothing(`no such file: ${missing.join(", ")}`);
    if (missing.length) progress(scrub(`post-comment: not shown (no such file): ${missing.join(", ")}`));
    if (missing.length && loaded.length && v.marker === undefined)
      progress(
        `post-comment: note: the default marker ${marker} names only the reports found; pass --marker to keep one comment`,
      );

    let body = "";
    let inStepSummary = false;
    if (mode !== "delete") {
      const sections =
        verbatim !== null
          ? [verbatim]
          : renderSections(loaded, {
              runUrl: ctx.runUrl,
              ...(v["no-diff-note"] ? { noDiffNote: v["no-diff-note"] } : {}),
            });
      body = scrub(
        composeBody(
          marker,
          sections,
          missing.map((p) => `not shown: \`${p.replace(/`/g, "'")}\` (no such file)`),
        ),
      );
      if (env.GITHUB_STEP_SUMMARY && !v["dry-run"]) {
        try {
          appendFileSync(
            env.GITHUB_STEP_SUMMARY,
            fitBody(body, { limitBytes: SUMMARY_BYTES, runUrl: ctx.runUrl }).body + "\n",
          );
          inStepSummary = true;
        } catch (err) {
          progress(
            `post-comment: warning: cannot write GITHUB_STEP_SUMMARY: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
        }
      }
    }

    if (ctx.pr === null && !ctx.prLookup && !v["dry-run"]) {
      if (ctx.inActions)
        return nothing(
          `${ctx.notPullRequest ?? "no pull request"}${inStepSummary ? " (the body is in the step summary)" : ""}`,
        );
      throw usageError(`no pull request: ${ctx.notPullRequest ?? "not in GitHub Actions"}`, "pass --pr N");
    }

    if (v["dry-run"]) {
      const fitted = mode === "delete" ? { body: "", cut: null } : fitBody(body, { runUrl: ctx.runUrl });
      const plan = describePlan({
        apiUrl: ctx.apiUrl,
        repo: ctx.repo,
        pr: ctx.pr,
        prLookup: ctx.prLookup,
        mode,
        author: v.author,
        marker,
      });
      if (v.json) {
        say(
          JSON.stringify(
            {
              action: "dry-run",
              mode,
              repo: ctx.repo,
              pr: ctx.pr,
              prSource: ctx.prSource,
              marker,
              requests: plan,
              cut: fitted.cut,
              body: fitted.body,
            },
            null,
            2,
          ) + "\n",
        );
      } else {
        say(
          `dry run (no request is made) — ${mode} on ${ctx.repo ?? "OWNER/NAME"}#${ctx.pr ?? "?"} (${ctx.prSource || "no PR yet"}):\n`,
        );
        say(plan.map((l) => `  ${l}`).join("\n") + "\n");
        if (fitted.cut) say(`  body cut from ${fitted.cut.originalBytes} to ${fitted.cut.postedBytes} bytes\n`);
        if (mode !== "delete")
          say(`\n----- body (${fitted.body.length} characters, ${utf8Bytes(fitted.body)} bytes) -----\n${fitted.body}`);
      }
      return EXIT.ok;
    }

    if (!ctx.token)
      throw usageError(
        "no token: set GH_TOKEN or GITHUB_TOKEN",
        "in Actions: `env: GH_TOKEN: ${{ github.token }}`; --dry-run needs none",
      );
    if (!ctx.repo) throw usageError("no repository: pass --repo OWNER/NAME", "or set GH_REPO / GITHUB_REPOSITORY");
    const result = await postComment(
      {
        apiUrl: ctx.apiUrl,
        repo: ctx.repo,
        pr: ctx.pr,
        prLookup: ctx.prLookup,
        token: ctx.token,
        marker,
        body,
        mode,
        author: v.author,
        runUrl: ctx.runUrl,
        readOnly: ctx.readOnly,
        inStepSummary,
      },
      { sleep: (ms) => Bun.sleep(ms), onProgress: (l) => progress(`post-comment: ${l}`) },
    );
    if (v.json) say(JSON.stringify(result, null, 2) + "\n");
    else {
      const where = result.comment
        ? ` ${result.comment.id}: ${result.comment.url}`
        : result.deleted.length
          ? ` ${result.deleted.join(", ")}`
          : "";
      const what =
        result.action === "nothing-to-post"
          ? `nothing to post: ${result.reason}`
          : `${result.action.replace(/-/g, " ")}${where}`;
      say(`${what} (${result.requests.total} requests)\n`);
    }
    return EXIT.ok;
  } catch (err) {
    const clean = scrubError(err, scrub);
    if (v.json && clean instanceof SeamError)
      say(
        JSON.stringify({ action: "failed", error: clean.message, hint: clean.hint ?? null, exitCode: clean.exitCode }) +
          "\n",
      );
    throw clean;
  }
}

if (import.meta.main) process.exitCode = await runCli("post-comment", main);
