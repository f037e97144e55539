/**
 * plan — what one sticky comment will say and where, decided without I/O beyond reading the reports: the
 * context (token, API, repository, pull request: lib/github/), the marker, the body cut to size, the step
 * summary, and the requests a real run makes (what --dry-run prints).
 * Used by: scripts/post-comment.ts, lib/comment/post.ts (all.ts's comment step), tests.
 */
import { refuseInterrupted } from "../tierc/report.ts";
import { usageError } from "../core/errors.ts";
import { readIfPresent } from "../core/fsx.ts";
import {
  composeBody,
  defaultMarker,
  fitBody,
  normalizeMarker,
  parseReport,
  renderSections,
  SUMMARY_BYTES,
  type CutInfo,
  type LoadedReport,
} from "./body.ts";
import { describePlan } from "./text.ts";
import type { CommentMode } from "./upsert.ts";
import { pullRequestContext, type PullRequestContext } from "../github/actions.ts";
import type { Env } from "../core/proc.ts";
import { apiAccess, type ApiAccess } from "../github/token.ts";

/** The token and API (lib/github/token.ts) and the repository and PR (lib/github/actions.ts) a run posts with. */
export type Context = ApiAccess & PullRequestContext;

/** Everything post-comment needs to know from flags and environment (pure: the event payload is passed in). */
export function resolveContext(flags: { pr?: string; repo?: string }, env: Env, event: unknown): Context {
  const access = apiAccess(env);
  return { ...access, ...pullRequestContext(flags, env, event) };
}

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
export function loadReports(
  paths: string[],
  what: string,
  acceptInterrupted = false,
): { reports: LoadedReport[]; missing: string[] } {
  const reports: LoadedReport[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const text = readIfPresent(path, what);
    if (text === null) missing.push(path);
    else reports.push(parseReport(path, text));
  }
  // An interrupted tier-c run's results are not a verdict to show on a pull request.
  for (const r of reports) if (r.kind === "tier-c") refuseInterrupted(r.path, r.report, acceptInterrupted);
  return { reports, missing };
}
