/**
 * owner — whose PR comment is seam's to edit or delete: the comment as GitHub lists it, the
 * poster the token posts as (--author, GET /user, or an installation token that cannot say), and the
 * rule that only a comment whose first line is the marker and that is our own is ever touched. Used by
 * lib/comment/upsert.ts.
 */
import { firstLine } from "./body.ts";
import { EXIT, SeamError } from "../core/errors.ts";
import type { GitHubClient } from "../github/client.ts";
import { jsonAt, jsonString } from "../github/rest.ts";

/** The login an Actions GITHUB_TOKEN posts as; such a token cannot read GET /user (403). */
export const ACTIONS_BOT = "github-actions[bot]";

/** GitHub's `user.type` of a GitHub App's bot user (github-actions[bot], my-app[bot]); a person is "User". */
export const BOT_TYPE = "Bot";

export interface Poster {
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

/** A comment out of GitHub's answer, or null when it has no id. */
export function toComment(x: unknown): IssueComment | null {
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

export const sameLogin = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

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

/** Who `poster` stands for, in a sentence: `my-app[bot] (--author)`, `any Bot account (installation token)`. */
export function describePoster(poster: Poster): string {
  return `${poster.login ?? "any Bot account"} (${poster.source})`;
}

/** Same text for the purpose of skipping a PATCH (line endings and trailing space do not count). */
export function sameBody(a: string, b: string): boolean {
  const n = (s: string) => s.replace(/\r\n/g, "\n").trimEnd();
  return n(a) === n(b);
}

/**
 * The login whose comments are ours: --author, else GET /user. An installation token (an Actions
 * GITHUB_TOKEN, or a GitHub App's) cannot call it and nothing else names its login, so its poster stays
 * unresolved (null) and isOurs takes a Bot account's marked comment as ours.
 */
export async function resolvePoster(client: GitHubClient, token: string, author?: string): Promise<Poster> {
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

/** A new comment the next lookup would not take as ours means a new one every run: fail, naming --author. */
export function checkAuthor(c: IssueComment, poster: Poster): void {
  if (c.login && !isOurs(c, poster.login)) {
    throw new SeamError(
      `comment ${c.id} was written as ${c.login}${c.authorType ? ` (a ${c.authorType})` : ""}, but post-comment looked for comments by ${describePoster(poster)}: the next run would post another comment (${c.url})`,
      { exitCode: EXIT.fail, hint: `pass --author '${c.login}'` },
    );
  }
}

/** Notes on the marked comments left alone, and the Apps whose comments count as ours under an installation
 * token (more than one: it cannot say which is its own, see isOurs). */
export function ownershipNotes(
  poster: Poster,
  own: { mine: IssueComment[]; foreign: IssueComment[] },
): { notes: string[]; botLogins: string[] } {
  const login = poster.login;
  const notes = own.foreign.map(
    (c) =>
      `comment ${c.id} by ${c.login ?? "a deleted user"} carries the marker but is not ${login === null ? "a Bot account's" : `${login}'s`}: left alone`,
  );
  const botLogins = login === null ? [...new Set(own.mine.map((c) => c.login ?? "?"))] : [];
  if (botLogins.length > 1)
    notes.push(
      `comments by ${botLogins.join(" and ")} carry the marker; this installation token cannot say which is its own (pass --author to choose)`,
    );
  return { notes, botLogins };
}
