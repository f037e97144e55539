/**
 * upsert — the requests behind seam's one sticky PR comment, each step on its own: find a fork
 * PR by its head, list every comment and pick ours (lib/comment/owner.ts), then PATCH, POST (looking
 * before a second try when the first one's outcome is unknown), or DELETE. scripts/post-comment.ts's
 * postComment runs them in order; lib/comment/text.ts says them in words for --dry-run.
 */
import { checkAuthor, findOwn, sameBody, sameLogin, toComment, type Poster, type IssueComment } from "./owner.ts";
import type { CutInfo } from "./body.ts";
import { EXIT, SeamError } from "../core/errors.ts";
import { AmbiguousWrite, type GitHubClient } from "../github/client.ts";
import { jsonAt, jsonPosInt, RETRY, type ReadOnlyReason } from "../github/rest.ts";

export const COMMENT_MODES = ["upsert", "recreate", "delete"] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

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
  mode: CommentMode;
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
  /** The account the comment is posted as (named `identity` in --json output, kept for its readers). */
  identity: Poster | null;
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

/** A result with nothing done yet, counting the client's requests and waits so far; `extra` fills it in. */
export function postResult(
  action: Action,
  o: { repo: string; pr: number | null; marker: string; client: GitHubClient; notes: string[] },
  extra: Partial<PostResult> = {},
): PostResult {
  return {
    action,
    repo: o.repo,
    pr: o.pr,
    marker: o.marker,
    identity: null,
    comment: null,
    deleted: [],
    otherMatches: [],
    foreignMatches: [],
    pages: 0,
    commentsSeen: 0,
    requests: o.client.stats,
    waitsMs: o.client.waitsMs,
    cut: null,
    bodyBytes: 0,
    notes: o.notes,
    ...extra,
  };
}

/** Every comment on the PR, and those carrying the marker: ours (newest first) and others'. */
export interface CommentListing {
  comments: IssueComment[];
  pages: number;
  mine: IssueComment[];
  foreign: IssueComment[];
}

/** One upsert on one PR: the client, where to write, what, as whom, and where notes go. */
export interface Upsert {
  client: GitHubClient;
  /** `/repos/OWNER/NAME` */
  repoPath: string;
  pr: number;
  marker: string;
  body: string;
  poster: Poster;
  note: (line: string) => void;
  scrub: (s: string) => string;
}

/** A workflow_run's fork PR: the one open PR whose head is at the SHA, or why there is none to post on. */
export async function findPullRequest(
  client: GitHubClient,
  repoPath: string,
  lookup: { head: string; sha: string },
): Promise<number | { reason: string }> {
  const { head, sha } = lookup;
  const r = await client.request(
    "GET",
    client.url(`${repoPath}/pulls?state=open&head=${encodeURIComponent(head)}&per_page=100`),
  );
  const hits = (Array.isArray(r.json) ? r.json : []).filter((p) => jsonAt(p, "head", "sha") === sha);
  if (hits.length === 0)
    return { reason: `no open pull request has head ${head} at ${sha.slice(0, 12)} (closed, or pushed to since)` };
  if (hits.length > 1)
    throw new SeamError(`${hits.length} open pull requests have head ${head} at ${sha.slice(0, 12)}`, {
      exitCode: EXIT.fail,
      hint: "pass --pr N",
    });
  const pr = jsonPosInt(jsonAt(hits[0], "number"));
  if (pr === undefined) throw new SeamError("GitHub's pull-request answer has no number", { exitCode: EXIT.fail });
  return pr;
}

/** Every page of the PR's comments; any failure throws before anything is written. */
export async function listComments(u: Upsert): Promise<CommentListing> {
  const { items, pages } = await u.client.listAll(u.client.url(`${u.repoPath}/issues/${u.pr}/comments?per_page=100`));
  const comments = items.map(toComment).filter((c): c is IssueComment => c !== null);
  return { comments, pages, ...findOwn(comments, u.marker, u.poster.login) };
}

function asComment(json: unknown): IssueComment {
  const c = toComment(json);
  if (!c)
    throw new SeamError("GitHub's answer to a write has no comment id", {
      exitCode: EXIT.fail,
      hint: "check GITHUB_API_URL",
    });
  return c;
}

const commentUrl = (u: Upsert, id: number) => u.client.url(`${u.repoPath}/issues/comments/${id}`);

export async function patchComment(u: Upsert, id: number): Promise<IssueComment> {
  return asComment((await u.client.request("PATCH", commentUrl(u, id), { body: u.body })).json);
}

/** Deletes in order; a failure after some were deleted says which. */
export async function deleteComments(u: Upsert, ids: number[]): Promise<number[]> {
  const done: number[] = [];
  for (const id of ids) {
    try {
      await u.client.request("DELETE", commentUrl(u, id));
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
}

/** POST, and when its outcome is unknown (5xx, dropped connection), look before posting again. */
export async function createComment(u: Upsert, before: CommentListing): Promise<IssueComment> {
  const known = new Set(before.comments.map((c) => c.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return asComment(
        (await u.client.request("POST", u.client.url(`${u.repoPath}/issues/${u.pr}/comments`), { body: u.body })).json,
      );
    } catch (err) {
      if (!(err instanceof AmbiguousWrite)) throw err;
      u.note(`POST outcome unknown (${err.message}); checking whether the comment exists before trying again`);
      const fresh = (await listAgain(u, err)).mine.filter((c) => !known.has(c.id));
      if (fresh[0]) {
        u.note(`comment ${fresh[0].id} exists: the POST went through`);
        return sameBody(fresh[0].body, u.body) ? fresh[0] : await patchComment(u, fresh[0].id);
      }
      if (attempt >= RETRY.attempts)
        throw new SeamError(`could not create the comment: ${err.message} ${attempt} times`, {
          exitCode: EXIT.fail,
          hint: `${u.client.summaryNote}re-run the job`,
        });
      await u.client.wait(u.client.backoffMs(attempt), err.message);
    }
  }
}

/** The lookup after a POST of unknown outcome; if it fails too, stop rather than risk a duplicate. */
async function listAgain(u: Upsert, err: AmbiguousWrite): Promise<CommentListing> {
  try {
    u.client.phase = "lookup";
    return await listComments(u);
  } catch (inner) {
    const m = inner instanceof SeamError ? inner.message : String(inner);
    throw new SeamError(
      u.scrub(
        `the POST's outcome is unknown (${err.message}) and re-checking failed (${m}); not posting again, to avoid a duplicate`,
      ),
      {
        exitCode: EXIT.fail,
        hint: `look at the PR${u.client.summaryNote ? "; the report is in the job's step summary" : ""}`,
      },
    );
  } finally {
    u.client.phase = "write";
  }
}

/** The writes of one mode, after the lookup: what was done and to which comments. */
export async function writeByMode(
  u: Upsert,
  mode: CommentMode,
  found: CommentListing,
  botLogins: string[],
): Promise<[Action, Partial<PostResult>]> {
  const [newest, ...older] = found.mine;
  const link = (c: IssueComment) => ({ id: c.id, url: c.url });
  if (mode === "delete") {
    if (!found.mine.length) return ["nothing-to-delete", {}];
    if (botLogins.length > 1) {
      // Deleting cannot be undone: with two Apps' comments and no way to tell which is ours, delete neither.
      throw new SeamError(
        `comments by ${botLogins.join(" and ")} carry the marker and this installation token cannot say which login it posts as: nothing was deleted`,
        { exitCode: EXIT.usage, hint: `pass --author LOGIN (one of ${botLogins.join(", ")})` },
      );
    }
    return [
      "deleted",
      {
        deleted: await deleteComments(
          u,
          found.mine.map((c) => c.id),
        ),
      },
    ];
  }
  if (mode === "recreate") {
    // Post first, then delete: a failure in between leaves a stale copy, never a PR without the report.
    const created = await createComment(u, found);
    checkAuthor(created, u.poster);
    // The new comment names the login this token posts as: only that login's older comments go.
    const login = u.poster.login ?? created.login;
    const stale = found.mine.filter((c) => login === null || sameLogin(c.login, login));
    for (const c of found.mine.filter((c) => !stale.includes(c)))
      u.note(`comment ${c.id} by ${c.login} carries the marker but this token posts as ${login}: left alone`);
    return [
      "recreated",
      {
        comment: link(created),
        deleted: await deleteComments(
          u,
          stale.map((c) => c.id),
        ),
      },
    ];
  }
  if (older.length)
    u.note(
      `${older.length} more comment(s) by ${u.poster.login ?? "Bot accounts"} carry the marker: ${older.map((c) => c.id).join(", ")} (left as they are; --mode recreate removes them)`,
    );
  const otherMatches = older.map(link);
  if (newest && sameBody(newest.body, u.body)) return ["unchanged", { comment: link(newest), otherMatches }];
  if (newest) return ["updated", { comment: link(await patchComment(u, newest.id)), otherMatches }];
  const created = await createComment(u, found);
  checkAuthor(created, u.poster);
  return ["created", { comment: link(created), otherMatches }];
}
