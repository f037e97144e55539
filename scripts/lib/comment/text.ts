/**
 * text — what post-comment prints: the requests a run makes, in words (describePlan, for
 * --dry-run), the dry run itself, "nothing to post", and the line (or JSON record) saying what a post did.
 */
import { utf8Bytes, type CutInfo } from "./body.ts";
import type { CommentMode, PostResult } from "./upsert.ts";
import { API_VERSION, USER_AGENT } from "../github/rest.ts";
import { jsonText } from "../core/render.ts";

/** The parts of a plan a dry run shows. */
export interface DryRunPlan {
  mode: CommentMode;
  marker: string;
  requests: string[];
  fitted: { body: string; cut: CutInfo | null };
}

/** Where a dry run would post. */
export interface DryRunWhere {
  repo: string | null;
  pr: number | null;
  prSource: string;
}

/** What --dry-run prints: the requests a real run would make, token masked. */
export function describePlan(o: {
  apiUrl: string;
  repo: string | null;
  pr: number | null;
  prLookup?: { head: string; sha: string };
  mode: CommentMode;
  author?: string;
  marker: string;
}): string[] {
  const repo = `${o.apiUrl}/repos/${o.repo ?? "OWNER/NAME"}`;
  const comments = `${repo}/issues/${o.pr ?? "{pr}"}/comments`;
  const who = o.author
    ? `${o.author} (--author)`
    : "the token's login (GET /user); for an installation token (ghs_, or GET /user answering 403): any Bot account";
  const lines = [
    `headers: Accept: application/vnd.github+json · X-GitHub-Api-Version: ${API_VERSION} · Authorization: Bearer *** · User-Agent: ${USER_AGENT}`,
  ];
  if (o.pr === null && o.prLookup)
    lines.push(
      `GET    ${repo}/pulls?state=open&head=${encodeURIComponent(o.prLookup.head)}&per_page=100   find the PR whose head is at ${o.prLookup.sha.slice(0, 12)}`,
    );
  if (!o.author) lines.push(`GET    ${o.apiUrl}/user   who am I (skipped for a ghs_ installation token)`);
  lines.push(
    `GET    ${comments}?per_page=100   then every Link rel="next" page; any failure stops here, nothing is written`,
  );
  lines.push(`       own comments = first line ${o.marker} AND author ${who}`);
  const one = `${repo}/issues/comments/{id}`;
  if (o.mode === "upsert") {
    lines.push(`PATCH  ${one}   the newest own comment, skipped when its body is unchanged`);
    lines.push(`POST   ${comments}   when there is no own comment`);
  } else if (o.mode === "recreate") {
    lines.push(`POST   ${comments}   a fresh comment`);
    lines.push(`DELETE ${one}   each older own comment, after the POST`);
  } else {
    lines.push(`DELETE ${one}   each own comment`);
  }
  return lines;
}

/** "nothing to post", as a line or a JSON record. */
export const nothingText = (reason: string, marker: string, json: boolean) =>
  json ? JSON.stringify({ action: "nothing-to-post", reason, marker }) + "\n" : `nothing to post: ${reason}\n`;

/** What --dry-run prints: where, the requests, what was cut, then the body. */
export function dryRunText(plan: DryRunPlan, ctx: DryRunWhere, json: boolean): string {
  const { mode, marker, requests, fitted } = plan;
  if (json) {
    const { repo, pr, prSource } = ctx;
    const record = {
      action: "dry-run",
      mode,
      repo,
      pr,
      prSource,
      marker,
      requests,
      cut: fitted.cut,
      body: fitted.body,
    };
    return jsonText(record);
  }
  const where = `${ctx.repo ?? "OWNER/NAME"}#${ctx.pr ?? "?"} (${ctx.prSource || "no PR yet"})`;
  const cut = fitted.cut ? `  body cut from ${fitted.cut.originalBytes} to ${fitted.cut.postedBytes} bytes\n` : "";
  const size = `${fitted.body.length} characters, ${utf8Bytes(fitted.body)} bytes`;
  const body = mode === "delete" ? "" : `\n----- body (${size}) -----\n${fitted.body}`;
  return `dry run (no request is made) — ${mode} on ${where}:\n${requests.map((l) => `  ${l}\n`).join("")}${cut}${body}`;
}

/** What a post did, in one line or as its JSON record. */
export function resultText(result: PostResult, json: boolean): string {
  if (json) return jsonText(result);
  const where = result.comment
    ? ` ${result.comment.id}: ${result.comment.url}`
    : result.deleted.length
      ? ` ${result.deleted.join(", ")}`
      : "";
  const what =
    result.action === "nothing-to-post"
      ? `nothing to post: ${result.reason}`
      : `${result.action.replace(/-/g, " ")}${where}`;
  return `${what} (${result.requests.total} requests)\n`;
}
