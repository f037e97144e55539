#!/usr/bin/env bun
/**
 * post-comment — keeps ONE sticky pull-request comment with seam's reports (ls-gate, tier-c), upserted so
 * that a failed lookup never posts a duplicate, another user's comment is never edited, an oversized body
 * is cut instead of rejected, rate limits and 5xx are retried within bounds, and the token never leaks.
 * Called by: the CI step that posts seam's results (README, "GitHub Actions"); scripts/all.ts's
 * comment step (commentFromReports); people by hand with --dry-run. Replaces meld's
 * tools/post_verification_comment.py (compatible via --marker).
 * Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
 *          [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]
 * Exit: 0 posted / updated / unchanged / deleted / nothing to post, 1 GitHub API failure, 2 usage error
 */
import { resolve } from "node:path";
import { enumValue, noDuplicates, parseCli, progress, runCli } from "./lib/core/cli.ts";
import {
  composeBody,
  defaultMarker,
  firstLine,
  fitBody,
  MARKER_RE,
  normalizeMarker,
  parseReport,
  renderSections,
  SAFE_BODY_BYTES,
  SUMMARY_BYTES,
  utf8Bytes,
  type CutInfo,
  type LoadedReport,
} from "./lib/comment/body.ts";
import { ownershipNotes, resolvePoster } from "./lib/comment/owner.ts";
import { describePlan, dryRunText, nothingText, resultText } from "./lib/comment/text.ts";
import {
  COMMENT_MODES,
  findPullRequest,
  listComments,
  postResult,
  writeByMode,
  type Action,
  type CommentMode,
  type PostOptions,
  type PostResult,
  type Upsert,
} from "./lib/comment/upsert.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { checkOutputs } from "./lib/core/fsx.ts";
import {
  actionsContext,
  appendStepSummary,
  pullRequestContext,
  readEvent,
  type Env,
  type PullRequestContext,
} from "./lib/github/actions.ts";
import { GitHubClient, type GitHubDeps } from "./lib/github/client.ts";
import { explainFailure, RETRY } from "./lib/github/rest.ts";
import { apiAccess, checkApiUrl, envScrubber, makeScrubber, scrubError, type ApiAccess } from "./lib/github/token.ts";
import { LS_GATE_SCHEMA } from "./lib/lsgate/report.ts";
import { readIfPresent } from "./lib/core/fsx.ts";
import { TIERC_SCHEMA } from "./lib/tierc/report.ts";

/** The token and API (lib/github/token.ts) and the repository and PR (lib/github/actions.ts) a run posts with. */
export type Context = ApiAccess & PullRequestContext;

/** Everything post-comment needs to know from flags and environment (pure: the event payload is passed in). */
export function resolveContext(flags: { pr?: string; repo?: string }, env: Env, event: unknown): Context {
  const access = apiAccess(env);
  return { ...access, ...pullRequestContext(flags, env, event) };
}

// ---------------------------------------------------------------------------------------------------
// Plan: what to post, decided without I/O

/** What the comment is made of: reports (those not found become a note) or a body file's text. */
export type CommentInput = { reports: LoadedReport[]; missing: string[] } | { body: string };

/** What a plan depends on besides its input: the mode, where it would post, and the token to scrub. */
export type PlanContext = Pick<Context, "apiUrl" | "repo" | "pr" | "prLookup" | "runUrl"> & {
  mode: CommentMode;
  author?: string;
  noDiffNote?: string;
  scrub: (s: string) => string;
};

export interface CommentPlan {
  mode: CommentMode;
  marker: string;
  /** Marker line first, token scrubbed (empty for mode delete): what postComment gets. */
  body: string;
  /** The body cut to the comment's size, as --dry-run shows it. */
  fitted: { body: string; cut: CutInfo | null };
  /** What the job's step summary gets (cut to its size); null for mode delete. */
  summary: string | null;
  /** Lines for the log: reports not found, a default marker that names only some reports. */
  notes: string[];
  /** Set when there is nothing to post (every report missing): why. */
  nothing?: string;
  /** The requests a real run makes, in words (what --dry-run prints). */
  requests: string[];
}

/** The one way a comment is planned, for the CLI and scripts/all.ts alike. `marker` is --marker as given. */
export function planComment(input: CommentInput, marker: string | undefined, ctx: PlanContext): CommentPlan {
  const reports = "reports" in input ? input.reports : [];
  const missing = "reports" in input ? input.missing : [];
  const key = marker !== undefined ? normalizeMarker(marker) : defaultMarker(reports.map((r) => r.kind));
  if (ctx.mode === "delete" && marker === undefined && !reports.length)
    throw usageError("--mode delete needs --marker (or a --report to derive it from)");
  const requests = describePlan({ ...ctx, marker: key });
  const plan = { mode: ctx.mode, marker: key, body: "", fitted: { body: "", cut: null }, summary: null, requests };
  if (ctx.mode !== "delete" && !reports.length && !("body" in input))
    return { ...plan, notes: [], nothing: `no such file: ${missing.join(", ")}` };
  const notes = missing.length ? [`not shown (no such file): ${missing.join(", ")}`] : [];
  if (missing.length && reports.length && marker === undefined)
    notes.push(`note: the default marker ${key} names only the reports found; pass --marker to keep one comment`);
  if (ctx.mode === "delete") return { ...plan, notes };
  const sections =
    "body" in input
      ? [input.body]
      : renderSections(reports, { runUrl: ctx.runUrl, ...(ctx.noDiffNote ? { noDiffNote: ctx.noDiffNote } : {}) });
  const notShown = missing.map((p) => `not shown: \`${p.replace(/`/g, "'")}\` (no such file)`);
  const body = ctx.scrub(composeBody(key, sections, notShown));
  const summary = fitBody(body, { limitBytes: SUMMARY_BYTES, runUrl: ctx.runUrl }).body + "\n";
  return { ...plan, notes, body, fitted: fitBody(body, { runUrl: ctx.runUrl }), summary };
}

/** The reports that exist, parsed, and the paths that do not (an earlier step may not have got to write one). */
export function loadReports(paths: string[], what: string): { reports: LoadedReport[]; missing: string[] } {
  const reports: LoadedReport[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const text = readIfPresent(path, what);
    if (text === null) missing.push(path);
    else reports.push(parseReport(path, text));
  }
  return { reports, missing };
}

/** Unlike a report, a body file is the caller's own: it must be there, and not empty. */
function readBodyFile(path: string): string {
  const text = readIfPresent(path, "--body-file");
  if (text === null) throw usageError(`--body-file ${path} does not exist`, "check the path");
  if (!text.trim()) throw usageError(`${path} is empty`, "an empty comment would be rejected");
  return text;
}

// ---------------------------------------------------------------------------------------------------
// Post

/** The body as posted: marker first, token scrubbed, cut to size (nothing for mode delete). */
function fitForPost(opts: PostOptions, scrub: (s: string) => string, note: (line: string) => void) {
  if (!MARKER_RE.test(opts.marker))
    throw usageError(`marker ${JSON.stringify(opts.marker)} is not one HTML comment on one line`);
  if (opts.mode === "delete") return { body: "", cut: null };
  // The marker must stay the first line, or the next run would not find this comment and post again.
  if (firstLine(opts.body) !== opts.marker)
    throw usageError("the comment body must start with the marker line", "use composeBody(marker, sections)");
  const fitted = fitBody(scrub(opts.body), { limitBytes: opts.limitBytes, runUrl: opts.runUrl });
  const cut = fitted.cut;
  if (cut)
    note(
      `body cut from ${cut.originalBytes} to ${cut.postedBytes} bytes at a section boundary (${[cut.partial, ...cut.dropped].filter(Boolean).length} section(s) shortened or left out)`,
    );
  return fitted;
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
  const { body, cut } = fitForPost(opts, scrub, note);
  const result = (action: Action, extra: Partial<PostResult>) =>
    postResult(action, { ...opts, pr: explainCtx.pr, client, notes }, { cut, bodyBytes: utf8Bytes(body), ...extra });
  const repoPath = `/repos/${opts.repo}`;
  if (explainCtx.pr === null) {
    if (!opts.prLookup) throw usageError("no pull-request number", "pass --pr N");
    const pr = await findPullRequest(client, repoPath, opts.prLookup);
    if (typeof pr !== "number") return result("nothing-to-post", pr);
    explainCtx.pr = pr;
  }
  // Lookup: who we are, then every page. Any failure here throws before anything is written.
  client.phase = "lookup";
  const poster = await resolvePoster(client, opts.token, opts.author);
  const u: Upsert = { client, repoPath, pr: explainCtx.pr, marker: opts.marker, body, poster, note, scrub };
  const found = await listComments(u);
  const { notes: left, botLogins } = ownershipNotes(poster, found);
  left.forEach(note);
  client.phase = "write";
  const [action, done] = await writeByMode(u, opts.mode, found, botLogins);
  return result(action, {
    identity: poster,
    pages: found.pages,
    commentsSeen: found.comments.length,
    foreignMatches: found.foreign.map((c) => ({ id: c.id, author: c.login })),
    ...done,
  });
}

/** postComment's options from the context and the plan; posting needs a token and a repository. */
function postOptions(ctx: Context, plan: CommentPlan, more: Pick<PostOptions, "author" | "inStepSummary"> = {}) {
  if (!ctx.token)
    throw usageError(
      "no token: set GH_TOKEN or GITHUB_TOKEN",
      "in Actions: `env: GH_TOKEN: ${{ github.token }}`; --dry-run needs none",
    );
  if (!ctx.repo) throw usageError("no repository: pass --repo OWNER/NAME", "or set GH_REPO / GITHUB_REPOSITORY");
  const { marker, body, mode } = plan;
  const { apiUrl, pr, prLookup, runUrl, readOnly } = ctx;
  return { apiUrl, repo: ctx.repo, pr, prLookup, token: ctx.token, marker, body, mode, runUrl, readOnly, ...more };
}

// ---------------------------------------------------------------------------------------------------
// scripts/all.ts's comment step

/** Why a pipeline's comment step cannot post here (no token, no PR context), or undefined when it can. */
export function commentSkipReason(env: Env): string | undefined {
  if (!env.GH_TOKEN && !env.GITHUB_TOKEN) return "no token (set GH_TOKEN or GITHUB_TOKEN)";
  try {
    const ctx = resolveContext({}, env, readEvent(env, true));
    if (!ctx.repo) return "no repository (set GITHUB_REPOSITORY or GH_REPO)";
    if (ctx.pr === null && !ctx.prLookup)
      return `no pull request (${ctx.notPullRequest ?? "not a pull_request event"})`;
  } catch (err) {
    return envScrubber(env)((err as Error).message);
  }
  return undefined;
}

/** Upserts one comment rendered from the report files that exist, planned as the CLI plans it.
 * Returns a one-line, scrubbed account of what happened; throws a scrubbed SeamError on failure. */
export async function commentFromReports(paths: string[], env: Env, log: (line: string) => void): Promise<string> {
  const scrub = envScrubber(env);
  try {
    const ctx = resolveContext({}, env, readEvent(env, true));
    const plan = planComment(loadReports(paths, "report"), undefined, { ...ctx, mode: "upsert", scrub });
    for (const line of plan.notes) log(scrub(line));
    if (plan.nothing !== undefined) return scrub(`nothing to post: ${plan.nothing}`);
    if (!ctx.token || !ctx.repo) return "nothing to post: no token or repository";
    const deps = { sleep: (ms: number) => Bun.sleep(ms), onProgress: (l: string) => log(scrub(l)) };
    const result = await postComment(postOptions(ctx, plan), deps);
    return scrub(
      `${result.action}${result.comment ? ` ${result.comment.url}` : ""} (${result.requests.total} requests)`,
    );
  } catch (err) {
    throw scrubError(err, scrub);
  }
}

// ---------------------------------------------------------------------------------------------------
// CLI

const HELP = `post-comment — one sticky pull-request comment with seam's reports, upserted safely.
How it finds the PR, whose comment it edits, its retries and size limits: README, scripts/post-comment.ts.

Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
         [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]

  --report FILE        a results file: ${LS_GATE_SCHEMA} (ls-gate.ts) or ${TIERC_SCHEMA} (tier-c.ts). Repeat it: each
                       is one "## " section of ONE comment. A MISSING file is skipped with a note (all missing:
                       nothing to post, exit 0); an unreadable, non-JSON or unknown-schema file is exit 2.
  --body-file FILE     post this markdown verbatim instead (it must exist)
  --no-diff-note TEXT  said at the top of a tier-c section whose report carries no diff
  --marker KEY         the hidden first line that identifies the comment: <!-- KEY --> (a whole <!-- ... --> is
                       kept); default from the reports' kinds, e.g. <!-- seam:ls-gate+tier-c -->
  --pr N               default: the Actions event (GITHUB_EVENT_PATH, GITHUB_REF)
  --repo OWNER/NAME    default: GH_REPO, then GITHUB_REPOSITORY
  --mode MODE          upsert (default: update the newest own comment, else create one), recreate (post
                       a fresh one, then delete the older own ones) or delete (every own comment)
  --author LOGIN       the login whose comments are own (default: GET /user; installation token: a Bot's)
  --dry-run            no token and no network: print the requests it would make, then the body
  --json               one JSON record on stdout (also for failures: {"action":"failed",...})
Token: GH_TOKEN, else GITHUB_TOKEN (never printed). API: GITHUB_API_URL. The body also goes to
$GITHUB_STEP_SUMMARY. Bounds: ${RETRY.attempts} tries per request, never more than ${RETRY.maxWaitMs / 1000} s for one wait and
${RETRY.totalWaitMs / 1000} s in all; bodies over ${SAFE_BODY_BYTES.toLocaleString("en-US")} UTF-8 bytes are cut at a section boundary.

Exit: 0 created, updated, unchanged, recreated, deleted, nothing to delete or nothing to post;
      1 GitHub API failure; 2 usage error or bad report file.
`;

const FLAGS = {
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
} as const;

type Flags = ReturnType<typeof parseCli<typeof FLAGS>>["values"];

/** The checks of the flags among themselves; returns the mode. */
function checkFlags(v: Flags): CommentMode {
  const mode = enumValue("--mode", v.mode, COMMENT_MODES);
  const reports = noDuplicates("--report", v.report ?? [], (p) => resolve(p));
  if (reports.length && v["body-file"])
    throw usageError("--report and --body-file exclude each other", "render reports, or post a file verbatim");
  if (!reports.length && !v["body-file"] && mode !== "delete")
    throw usageError("nothing to render: pass --report FILE or --body-file FILE");
  if (v.author !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$/.test(v.author))
    throw usageError(`--author ${JSON.stringify(v.author)} is not a GitHub login`, "e.g. --author 'my-app[bot]'");
  return mode;
}

/** The comment's input: the reports (a missing one is a note) or the body file. Checks first that the step
 * summary, appended to later, is none of the files read and lies in a folder that exists. */
function readInput(v: Flags, mode: CommentMode, env: Env): CommentInput {
  const reports = v.report ?? [];
  const bodyFile = v["body-file"];
  const input = bodyFile ? { body: readBodyFile(bodyFile) } : loadReports(reports, "--report");
  const run = actionsContext(env);
  if (run.stepSummary && !v["dry-run"] && mode !== "delete") {
    const read: [string, string][] = reports.map((p) => [`the --report ${p}`, p]);
    if (bodyFile) read.push(["the --body-file", bodyFile]);
    if (run.eventPath) read.push(["GITHUB_EVENT_PATH", run.eventPath]);
    checkOutputs(read, [["GITHUB_STEP_SUMMARY", run.stepSummary, "append"]]);
  }
  return input;
}

/** Appends the body to the step summary; a failure there is a warning, never the end of the run. */
function writeSummary(plan: CommentPlan, env: Env): boolean {
  if (plan.summary === null) return false;
  try {
    return appendStepSummary(plan.summary, env);
  } catch (err) {
    progress(`post-comment: warning: ${(err as Error).message}`);
    return false;
  }
}

/** With no PR to post on: in Actions, why there is nothing to post; elsewhere a usage error. */
function noPullRequest(ctx: Context, inStepSummary: boolean): string | undefined {
  if (ctx.pr !== null || ctx.prLookup) return undefined;
  if (!ctx.inActions)
    throw usageError(`no pull request: ${ctx.notPullRequest ?? "not in GitHub Actions"}`, "pass --pr N");
  return `${ctx.notPullRequest ?? "no pull request"}${inStepSummary ? " (the body is in the step summary)" : ""}`;
}

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseCli(argv, FLAGS, false);
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const env: Env = process.env;
  const scrub = envScrubber(env);
  const say = (s: string) => {
    process.stdout.write(scrub(s));
    return EXIT.ok;
  };
  try {
    const mode = checkFlags(v);
    const ctx = resolveContext({ pr: v.pr, repo: v.repo }, env, readEvent(env, v.pr === undefined));
    const input = readInput(v, mode, env);
    const plan = planComment(input, v.marker, { ...ctx, mode, author: v.author, noDiffNote: v["no-diff-note"], scrub });
    for (const line of plan.notes) progress(scrub(`post-comment: ${line}`));
    if (plan.nothing !== undefined) return say(nothingText(plan.nothing, plan.marker, v.json));
    if (v["dry-run"]) return say(dryRunText(plan, ctx, v.json));
    const inStepSummary = writeSummary(plan, env);
    const nothing = noPullRequest(ctx, inStepSummary);
    if (nothing !== undefined) return say(nothingText(nothing, plan.marker, v.json));
    const deps = { sleep: (ms: number) => Bun.sleep(ms), onProgress: (l: string) => progress(`post-comment: ${l}`) };
    const result = await postComment(postOptions(ctx, plan, { author: v.author, inStepSummary }), deps);
    return say(resultText(result, v.json));
  } catch (err) {
    const clean = scrubError(err, scrub);
    if (v.json && clean instanceof SeamError) {
      const { message: error, hint, exitCode } = clean;
      say(JSON.stringify({ action: "failed", error, hint: hint ?? null, exitCode }) + "\n");
    }
    throw clean;
  }
}

if (import.meta.main) process.exitCode = await runCli("post-comment", main);
