/**
 * github — the GitHub REST client seam's PR comment goes through: requests with bounded retries, backoff
 * and rate-limit waits (sleep, fetch and clock injectable), same-origin redirects and `Link` paging, one
 * line with the fix for each answer no retry changes (401, 403 fork, 404, 422), API URL checks and token
 * scrubbing. Knows nothing of comment bodies or seam's reports; its hints speak of posting because
 * scripts/post-comment.ts, its one caller, posts.
 */
import { EXIT, SeamError, usageError } from "./errors.ts";

// ---------------------------------------------------------------------------------------------------
// Limits (all in post-comment --help)

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

// ---------------------------------------------------------------------------------------------------
// Types

/** Why the token cannot write to this PR (decides the 403 message). */
export type ReadOnlyReason = "fork" | "dependabot";

/** What the client does I/O with; tests pass a recording `sleep`, a fixed `now`, or their own `fetch`. */
export interface GitHubDeps {
  sleep: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  now?: () => number;
  onProgress?: (line: string) => void;
}

/** Reads a path of keys out of untyped JSON (a GitHub answer, an event payload); undefined when absent. */
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
// Secrets

/** Replaces the token (and the forms it travels in) and anything shaped like a GitHub token with ***. */
export function makeScrubber(secrets: (string | null | undefined)[]): (s: string) => string {
  const forms = new Set<string>();
  for (const t of secrets) {
    if (!t) continue;
    forms.add(t);
    forms.add(encodeURIComponent(t));
    forms.add(Buffer.from(t).toString("base64"));
    forms.add(Buffer.from(`x-access-token:${t}`).toString("base64"));
  }
  const list = [...forms].sort((a, b) => b.length - a.length);
  return (s: string) => {
    let out = s;
    for (const f of list) out = out.split(f).join("***");
    return out.replace(/\b(?:gh[pousr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, "***");
  };
}

/** The same error with every string scrubbed (an internal error keeps its stack, scrubbed too). */
export function scrubError(err: unknown, scrub: (s: string) => string): Error {
  if (err instanceof SeamError) {
    return new SeamError(scrub(err.message), {
      hint: err.hint === undefined ? undefined : scrub(err.hint),
      exitCode: err.exitCode,
    });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const clean = new Error(scrub(e.message));
  clean.stack = scrub(e.stack ?? e.message);
  return clean;
}

// ---------------------------------------------------------------------------------------------------
// Where the token may go

/** An API base URL the token may be sent to: https, or http on loopback only (tests, local proxies). */
export function checkApiUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(
      `GITHUB_API_URL ${JSON.stringify(raw)} is not a URL`,
      "e.g. https://api.github.com or https://ghe.example.com/api/v3",
    );
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw usageError(
      `GITHUB_API_URL ${raw} is not https: the token would travel in clear text`,
      "use the https:// address of the API",
    );
  }
  if (u.search || u.hash || u.username || u.password)
    throw usageError(`GITHUB_API_URL ${u.origin}${u.pathname} must not carry a query, fragment or credentials`);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

// ---------------------------------------------------------------------------------------------------
// HTTP: one client with retries, bounded waits, same-origin redirects and Link paging

export interface ApiResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

export interface HttpFailure {
  status: number;
  method: string;
  path: string;
  message: string;
}

/** A write that may or may not have happened (5xx or a dropped connection): never retried blindly. */
export class AmbiguousWrite extends Error {}

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
function describeNetworkError(code: string, message: string): string {
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

function messageOf(json: unknown, text: string): string {
  const msg = jsonString(jsonAt(json, "message")) ?? text.slice(0, 200);
  const errs = jsonAt(json, "errors");
  const details = Array.isArray(errs)
    ? errs.map((e) => jsonString(jsonAt(e, "message")) ?? jsonString(jsonAt(e, "code")) ?? "").filter(Boolean)
    : [];
  const all = [msg, ...details].join(": ").replace(/\s+/g, " ").trim();
  return all.length > 300 ? all.slice(0, 299) + "…" : all;
}

/** One token, one API base; counts its requests and waits for the caller's record. */
export class GitHubClient {
  readonly stats = { total: 0, byMethod: {} as Record<string, number> };
  readonly waitsMs: number[] = [];
  private waited = 0;
  /** Lookup failures must say "nothing was posted"; write failures where the report can be found. */
  phase: "lookup" | "write" = "lookup";
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly origin: string;
  /** "the report is in the job's step summary; " when it is, else nothing (a hint must not claim it). */
  readonly summaryNote: string;

  constructor(
    private readonly o: {
      apiUrl: string;
      token: string;
      scrub: (s: string) => string;
      deps: GitHubDeps;
      explain: (f: HttpFailure, phase: "lookup" | "write") => SeamError;
      /** The report was written to the job's step summary: only then may a hint say it is there. */
      inStepSummary?: boolean;
    },
  ) {
    this.summaryNote = o.inStepSummary ? "the report is in the job's step summary; " : "";
    this.fetch = o.deps.fetch ?? fetch;
    this.now = o.deps.now ?? Date.now;
    this.origin = new URL(o.apiUrl).origin;
  }

  url(path: string): string {
    return this.o.apiUrl + path;
  }

  private show(url: string): string {
    const u = new URL(url);
    return this.o.scrub(u.pathname + u.search);
  }

  private note(line: string): void {
    this.o.deps.onProgress?.(this.o.scrub(line));
  }

  /** Waits as told, within RETRY's bounds; past them, fails with the reason. */
  async wait(ms: number, why: string): Promise<void> {
    const w = Math.ceil(ms);
    const hint =
      this.phase === "lookup" ? "nothing was posted; re-run the job later" : `${this.summaryNote}re-run the job later`;
    if (w > RETRY.maxWaitMs) {
      throw new SeamError(
        this.o.scrub(
          `${why}: GitHub asks to wait ${Math.ceil(w / 1000)} s, more than the ${RETRY.maxWaitMs / 1000} s post-comment waits for one retry`,
        ),
        { exitCode: EXIT.fail, hint },
      );
    }
    if (this.waited + w > RETRY.totalWaitMs) {
      throw new SeamError(this.o.scrub(`${why}: retrying would wait more than ${RETRY.totalWaitMs / 1000} s in all`), {
        exitCode: EXIT.fail,
        hint,
      });
    }
    this.waited += w;
    this.waitsMs.push(w);
    this.note(`${why}; retrying in ${(w / 1000).toFixed(w % 1000 ? 1 : 0)} s`);
    await this.o.deps.sleep(w);
  }

  backoffMs(attempt: number): number {
    return RETRY.backoffMs[Math.min(attempt - 1, RETRY.backoffMs.length - 1)]!;
  }

  /** One request, following same-origin redirects; a dropped connection or unreadable 2xx is `network`. */
  private async send(
    method: string,
    url: string,
    payload?: unknown,
  ): Promise<
    ({ kind: "response"; text: string } & ApiResponse) | { kind: "network"; error: string; transient: boolean }
  > {
    let target = url;
    let m = method;
    for (let hop = 0; hop <= 3; hop++) {
      this.stats.total++;
      this.stats.byMethod[m] = (this.stats.byMethod[m] ?? 0) + 1;
      let res: Response;
      let text: string;
      try {
        res = await this.fetch(target, {
          method: m,
          redirect: "manual",
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          headers: {
            Accept: "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            Authorization: `Bearer ${this.o.token}`,
            "User-Agent": USER_AGENT,
            ...(payload !== undefined && m !== "GET" ? { "Content-Type": "application/json" } : {}),
          },
          body: payload !== undefined && m !== "GET" ? JSON.stringify(payload) : undefined,
        });
        text = await res.text();
      } catch (err) {
        const e = err as Error & { code?: string };
        const code = e.name === "TimeoutError" ? "TimeoutError" : (e.code ?? e.name ?? "error");
        const error =
          code === "TimeoutError"
            ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
            : describeNetworkError(code, e.message ?? "");
        return { kind: "network", error: this.o.scrub(error), transient: isTransientNetworkError(code) };
      }
      const location = res.headers.get("location");
      if ([301, 302, 303, 307, 308].includes(res.status) && location) {
        const next = URL.parse(location, target);
        if (!next)
          throw new SeamError(
            this.o.scrub(`GitHub redirected ${m} ${this.show(target)} to something that is not a URL`),
            { exitCode: EXIT.fail, hint: "check GITHUB_API_URL" },
          );
        if (next.origin !== this.origin) {
          throw new SeamError(
            this.o.scrub(
              `GitHub redirected ${m} ${this.show(target)} to another host (${next.origin}); not sending the token there`,
            ),
            { exitCode: EXIT.fail, hint: "check GITHUB_API_URL and the repository name" },
          );
        }
        if (res.status === 303) m = "GET";
        target = next.href;
        continue;
      }
      let json: unknown = null;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          if (res.status < 300) return { kind: "network", error: `unreadable ${res.status} answer`, transient: true };
        }
      }
      return { kind: "response", status: res.status, headers: res.headers, json, text };
    }
    throw new SeamError(`GitHub redirected ${method} ${this.show(url)} more than 3 times`, { exitCode: EXIT.fail });
  }

  /**
   * A 2xx answer (or one of `passThrough`), else a thrown SeamError that says what to fix. A POST is not
   * retried after a 5xx or a dropped connection (AmbiguousWrite): the caller looks first.
   */
  async request(
    method: string,
    url: string,
    payload?: unknown,
    passThrough: number[] = [],
  ): Promise<ApiResponse & { message: string }> {
    const idempotent = method !== "POST";
    let triedBefore = false;
    const desc = `${method} ${this.show(url)}`;
    const hint =
      this.phase === "lookup"
        ? "a lookup failed, so nothing was posted (no duplicate); re-run the job"
        : `${this.summaryNote}re-run the job`;
    for (let attempt = 1; ; attempt++) {
      const r = await this.send(method, url, payload);
      const last = attempt >= RETRY.attempts;
      if (r.kind === "network") {
        if (!r.transient) {
          // No connection was made, so nothing was sent: not even a POST can have happened.
          const fix =
            this.o.apiUrl === "https://api.github.com"
              ? "check this machine's network connection to GitHub"
              : `check GITHUB_API_URL (${this.o.apiUrl}): https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server`;
          throw new SeamError(this.o.scrub(`cannot connect to ${this.o.apiUrl}: ${r.error}, on ${desc}`), {
            exitCode: EXIT.fail,
            hint: this.phase === "lookup" ? `${fix}; nothing was posted` : fix,
          });
        }
        triedBefore = true;
        if (!idempotent) throw new AmbiguousWrite(`${r.error} on ${desc}`);
        if (attempt >= RETRY.networkAttempts)
          throw new SeamError(
            this.o.scrub(`could not reach ${this.o.apiUrl} for ${desc} (${r.error}) after ${attempt} attempts`),
            { exitCode: EXIT.fail, hint },
          );
        await this.wait(this.backoffMs(attempt), `${r.error} on ${desc}`);
        continue;
      }
      const message = this.o.scrub(messageOf(r.json, r.text));
      if (r.status >= 200 && r.status < 300) return { ...r, message };
      // A DELETE retried after an unclear answer finds the comment gone: the first try did it.
      if (method === "DELETE" && r.status === 404 && triedBefore) return { ...r, message };
      const limited = rateLimitWaitMs(r.status, r.headers, message, this.now());
      if (limited !== null) {
        if (last)
          throw new SeamError(`GitHub kept rate-limiting ${desc} (${r.status} ${message}) after ${attempt} attempts`, {
            exitCode: EXIT.fail,
            hint,
          });
        await this.wait(limited, `rate limited (${r.status}) on ${desc}`);
        continue;
      }
      if (passThrough.includes(r.status)) return { ...r, message };
      if (r.status >= 500) {
        triedBefore = true;
        if (!idempotent) throw new AmbiguousWrite(`${r.status} on ${desc}`);
        if (last)
          throw new SeamError(`GitHub answered ${r.status} to ${desc} ${attempt} times: ${message}`, {
            exitCode: EXIT.fail,
            hint,
          });
        const ra = Number(r.headers.get("retry-after"));
        await this.wait(Number.isFinite(ra) && ra > 0 ? ra * 1000 : this.backoffMs(attempt), `${r.status} on ${desc}`);
        continue;
      }
      throw this.o.explain({ status: r.status, method, path: this.show(url), message }, this.phase);
    }
  }

  /** Every page of a list endpoint, following `Link: rel="next"` (same origin only). */
  async listAll(firstUrl: string): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let url: string | null = firstUrl;
    let pages = 0;
    while (url) {
      if (seen.has(url) || ++pages > MAX_PAGES) {
        throw new SeamError(`paging ${this.show(firstUrl)} did not end after ${pages - 1} pages`, {
          exitCode: EXIT.fail,
          hint: "nothing was posted",
        });
      }
      seen.add(url);
      const r = await this.request("GET", url);
      if (!Array.isArray(r.json))
        throw new SeamError(`GitHub's answer to GET ${this.show(url)} is not a list`, {
          exitCode: EXIT.fail,
          hint: "nothing was posted; check GITHUB_API_URL",
        });
      items.push(...r.json);
      url = nextLink(r.headers.get("link"), this.o.apiUrl);
    }
    return { items, pages };
  }
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
