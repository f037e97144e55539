/**
 * rest — what seam knows of GitHub's REST API, apart from sending requests (lib/github/client.ts): the API
 * version and user agent it speaks with, the bounds it keeps (retries, waits, pages), and how to read an
 * answer: its message, its `Link` next page, a rate limit's wait, whether a network failure may pass, and
 * the one line with the fix for each answer no retry changes (401, 403 fork, 404, 422). Pure.
 */
import { EXIT, SeamError } from "../core/errors.ts";

// ---------------------------------------------------------------------------------------------------
// Bounds (all in docs/scripts.md's post-comment section)

export const RETRY = {
  /** Tries per request, the first included (5xx, rate limits). */
  attempts: 5,
  /** Tries after a network failure that can pass (a dropped connection, a timeout); one that cannot is not retried. */
  networkAttempts: 3,
  /** Waits between tries after a 5xx or a network error. */
  backoffMs: [1_000, 2_000, 4_000, 8_000],
  /** A rate limit asking for longer than this fails at once instead of waiting. */
  maxWaitMs: 60_000,
  /** All waits of one run together. */
  totalWaitMs: 180_000,
  /** GitHub's advice for a secondary rate limit that names no time. */
  defaultRateLimitMs: 60_000,
} as const;
export const REQUEST_TIMEOUT_MS = 30_000;
/** 300 pages of 100 items: beyond that something is wrong (a loop), so stop without writing. */
export const MAX_PAGES = 300;
export const API_VERSION = "2022-11-28";
export const USER_AGENT = "seam-post-comment";

/** Why the token cannot write to this PR (decides the 403 message). */
export type ReadOnlyReason = "fork" | "dependabot";

/** An answer no retry changes, as explainFailure reads it. */
export interface HttpFailure {
  status: number;
  method: string;
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------
// Untyped JSON (a GitHub answer, an event payload)

/** Reads a path of keys out of untyped JSON; undefined when absent. */
export const jsonAt = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined),
    o,
  );
/** A non-empty string, else undefined. */
export const jsonString = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
/** A positive integer, else undefined. */
export const jsonPosInt = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;

// ---------------------------------------------------------------------------------------------------
// Reading an answer

/**
 * Network failures that can pass: the connection was made and then dropped or stalled, or DNS said "try
 * again". Anything else (connection refused, no such host, no route, a TLS certificate refused) happens
 * before a request is sent and fails the same way on every try, so it is not retried: a wrong
 * GITHUB_API_URL fails in milliseconds, not after seconds of backoff.
 */
const TRANSIENT_NETWORK = new Set([
  "ECONNRESET",
  "ConnectionClosed",
  "ConnectionReset",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "TimeoutError",
  "unreadable",
]);

const WHY_UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ConnectionRefused: "connection refused",
  ENOTFOUND: "no such host",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
};

/** Whether a network failure (its code, as fetch reports it) may pass on a retry. */
export function isTransientNetworkError(code: string): boolean {
  return TRANSIENT_NETWORK.has(code);
}

/** `ECONNREFUSED (connection refused)`, `DEPTH_ZERO_SELF_SIGNED_CERT (TLS: …)`: the code and what it means. */
export function describeNetworkError(code: string, message: string): string {
  const why =
    WHY_UNREACHABLE[code] ??
    (/cert|tls|ssl/i.test(code + " " + message) ? `TLS: ${message.split("\n")[0]}` : undefined);
  return why ? `${code} (${why})` : code;
}

/** Next page from a `Link` header; a next page on another origin is refused (the token would go there). */
export function nextLink(link: string | null, apiUrl: string): string | null {
  if (!link) return null;
  for (const m of link.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]*)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(m[2] ?? "");
    if (!rel || !rel[1]!.split(/\s+/).includes("next")) continue;
    const next = URL.parse(m[1]!, apiUrl);
    if (!next)
      throw new SeamError(`GitHub's Link header names a next page that is not a URL`, {
        exitCode: EXIT.fail,
        hint: "check GITHUB_API_URL; nothing was posted",
      });
    if (next.origin !== new URL(apiUrl).origin) {
      throw new SeamError(
        `GitHub's Link header points the next page at another host (${next.origin}); not sending the token there`,
        { exitCode: EXIT.fail, hint: "check GITHUB_API_URL; nothing was posted" },
      );
    }
    return next.href;
  }
  return null;
}

/** How long a 429/403 asks us to wait, or null when the answer is not a rate limit. */
export function rateLimitWaitMs(status: number, headers: Headers, message: string, nowMs: number): number | null {
  if (status !== 429 && status !== 403) return null;
  const ra = headers.get("retry-after");
  if (ra !== null) {
    const s = Number(ra);
    if (Number.isFinite(s) && s >= 0) return Math.max(1_000, Math.ceil(s * 1000));
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(1_000, at - nowMs);
  }
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (headers.get("x-ratelimit-remaining") === "0")
    return Number.isFinite(reset) && reset > 0
      ? Math.max(1_000, reset * 1000 - nowMs + 1_000)
      : RETRY.defaultRateLimitMs;
  if (status === 429 || /rate limit/i.test(message)) return RETRY.defaultRateLimitMs;
  return null;
}

/** An answer's `message` and its `errors`, on one line of at most 300 characters. */
export function messageOf(json: unknown, text: string): string {
  const msg = jsonString(jsonAt(json, "message")) ?? text.slice(0, 200);
  const errs = jsonAt(json, "errors");
  const details = Array.isArray(errs)
    ? errs.map((e) => jsonString(jsonAt(e, "message")) ?? jsonString(jsonAt(e, "code")) ?? "").filter(Boolean)
    : [];
  const all = [msg, ...details].join(": ").replace(/\s+/g, " ").trim();
  return all.length > 300 ? all.slice(0, 299) + "…" : all;
}

/** The one line (and its fix) for an answer no retry can change. */
export function explainFailure(
  f: HttpFailure,
  ctx: {
    repo: string;
    pr: number | null;
    readOnly?: ReadOnlyReason;
    phase?: "lookup" | "write";
    inStepSummary?: boolean;
  },
): SeamError {
  const at = `${f.method} ${f.path}`;
  const after = ctx.phase === "lookup" ? " (a lookup failed, so nothing was posted)" : "";
  const fail = (message: string, hint: string) => new SeamError(message + after, { exitCode: EXIT.fail, hint });
  switch (f.status) {
    case 401:
      return fail(
        `GitHub rejected the token: 401 ${f.message} on ${at}`,
        "set GH_TOKEN or GITHUB_TOKEN to a valid token; in Actions: `env: GH_TOKEN: ${{ github.token }}`",
      );
    case 403:
      if (ctx.readOnly === "fork")
        return fail(
          `403 on ${at}: the token is read-only on pull requests from forks: post from a \`workflow_run\` job`,
          `see the workflow_run example in the README${ctx.inStepSummary ? "; the report is in this job's step summary" : ""}`,
        );
      if (ctx.readOnly === "dependabot")
        return fail(
          `403 on ${at}: the token is read-only on Dependabot pull requests: post from a \`workflow_run\` job`,
          "see the workflow_run example in the README",
        );
      return fail(
        `403 on ${at}: ${f.message}`,
        "the token may not write PR comments: give the job `permissions: pull-requests: write` (a fine-grained token: Pull requests or Issues: write); on a fork PR, post from a `workflow_run` job",
      );
    case 404:
      return fail(
        `404 on ${at}: repository ${ctx.repo} or PR #${ctx.pr ?? "?"} not found, or the token cannot see it`,
        "check --repo / --pr (or GITHUB_REPOSITORY and the event); a token without access to a private repository gets 404",
      );
    case 410:
      return fail(`410 on ${at}: ${f.message}`, "issues (and their comments) may be disabled for this repository");
    case 422:
      return fail(
        `GitHub rejected the comment body: 422 ${f.message} on ${at}`,
        "the body is cut to stay under GitHub's size limit; run with --dry-run to see what was sent",
      );
    default:
      return fail(`GitHub answered ${f.status} to ${at}: ${f.message}`, "check the token, --repo and --pr");
  }
}
