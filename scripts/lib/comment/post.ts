/**
 * post — posts, upserts, recreates or deletes the one sticky comment (lib/comment/upsert.ts does the
 * finding and writing): the body fitted and scrubbed, the pull request found, whose comments are own
 * decided; and all.ts's comment step, which plans and posts as the CLI does. Never prints, never exits.
 * Used by: scripts/post-comment.ts, scripts/all.ts (commentSkipReason, commentFromReports), tests.
 */
import { usageError } from "../core/errors.ts";
import { firstLine, fitBody, MARKER_RE, utf8Bytes } from "./body.ts";
import { ownershipNotes, resolvePoster } from "./owner.ts";
import { findPullRequest, listComments, postResult, writeByMode } from "./upsert.ts";
import type { Action, PostOptions, PostResult, Upsert } from "./upsert.ts";
import { readEvent } from "../github/actions.ts";
import type { Env } from "../core/proc.ts";
import { GitHubClient, type GitHubDeps } from "../github/client.ts";
import { explainFailure } from "../github/rest.ts";
import { checkApiUrl, envScrubber, makeScrubber, scrubError } from "../github/token.ts";
import { loadReports, planComment, resolveContext, type CommentPlan, type Context } from "./plan.ts";

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
export function postOptions(ctx: Context, plan: CommentPlan, more: Pick<PostOptions, "author" | "inStepSummary"> = {}) {
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
