#!/usr/bin/env bun
/**
 * post-comment — keeps ONE sticky pull-request comment with seam's reports (ls-gate, tier-c), upserted so
 * that a failed lookup never posts a duplicate, another user's comment is never edited, an oversized body
 * is cut instead of rejected, rate limits and 5xx are retried within bounds, and the token never leaks.
 * The work: lib/comment/plan.ts (what to post) and lib/comment/post.ts (posting it); this file is the CLI.
 * Called by: the CI step that posts seam's results (README, "GitHub Actions"); people by hand with
 * --dry-run (scripts/all.ts's comment step calls lib/comment/post.ts). Replaces meld's
 * tools/post_verification_comment.py (compatible via --marker).
 * Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
 *          [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]
 * Exit: 0 posted / updated / unchanged / deleted / nothing to post, 1 GitHub API failure, 2 usage error
 */
import { resolve } from "node:path";
import { enumValue, noDuplicates, parseCli, progress, runCli } from "./lib/core/cli.ts";
import { SAFE_BODY_BYTES } from "./lib/comment/body.ts";
import { dryRunText, nothingText, resultText } from "./lib/comment/text.ts";
import { COMMENT_MODES, type CommentMode } from "./lib/comment/upsert.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { checkOutputs, readIfPresent } from "./lib/core/fsx.ts";
import { actionsContext, appendStepSummary, readEvent } from "./lib/github/actions.ts";
import type { Env } from "./lib/core/proc.ts";
import { RETRY } from "./lib/github/rest.ts";
import { envScrubber, scrubError } from "./lib/github/token.ts";

import {
  loadReports,
  planComment,
  resolveContext,
  type CommentInput,
  type CommentPlan,
  type Context,
} from "./lib/comment/plan.ts";
import { postComment, postOptions } from "./lib/comment/post.ts";
import { SCHEMAS } from "./lib/engines/records.ts";

/** Unlike a report, a body file is the caller's own: it must be there, and not empty. */
function readBodyFile(path: string): string {
  const text = readIfPresent(path, "--body-file");
  if (text === null) throw usageError(`--body-file ${path} does not exist`, "check the path");
  if (!text.trim()) throw usageError(`${path} is empty`, "an empty comment would be rejected");
  return text;
}

const HELP = `post-comment — one sticky pull-request comment with seam's reports, upserted safely.
How it finds the PR, whose comment it edits, its retries and size limits: docs/scripts.md, scripts/post-comment.ts.

Usage: bun scripts/post-comment.ts [--pr N] [--repo OWNER/NAME] [--marker KEY] [--report FILE]...
         [--body-file FILE] [--no-diff-note TEXT] [--mode upsert|recreate|delete] [--author LOGIN] [--dry-run] [--json]

  --report FILE        a results file: ${SCHEMAS.lsGate} (ls-gate.ts) or ${SCHEMAS.tierC} (tier-c.ts). Repeat it: each
                       is one "## " section of ONE comment. A MISSING file is skipped with a note (all missing:
                       nothing to post, exit 0); an unreadable, non-JSON or unknown-schema file is exit 2.
  --body-file FILE     post this markdown verbatim instead (it must exist)
  --no-diff-note TEXT  said at the top of a tier-c section whose report carries no diff
  --accept-interrupted show tier-c results an interrupted run wrote (refused by default: exit 2)
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
      1 GitHub API failure; 2 usage error or bad report file (an interrupted run's results too).
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
  "accept-interrupted": { type: "boolean", default: false },
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
  const input = bodyFile ? { body: readBodyFile(bodyFile) } : loadReports(reports, "--report", v["accept-interrupted"]);
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
