/**
 * client — the GitHub REST client seam's PR comment goes through: requests with bounded retries, backoff
 * and rate-limit waits (sleep, fetch and clock injectable), same-origin redirects and `Link` paging.
 * What an answer means lives in lib/github/rest.ts, the token's rules in lib/github/token.ts. Knows
 * nothing of comment bodies or seam's reports; its hints speak of posting because
 * scripts/post-comment.ts, its one caller, posts.
 */
import { EXIT, SeamError } from "../core/errors.ts";
import {
  API_VERSION,
  describeNetworkError,
  isTransientNetworkError,
  MAX_PAGES,
  messageOf,
  nextLink,
  rateLimitWaitMs,
  REQUEST_TIMEOUT_MS,
  RETRY,
  USER_AGENT,
  type HttpFailure,
} from "./rest.ts";

/** What the client does I/O with; tests pass a recording `sleep`, a fixed `now`, or their own `fetch`. */
export interface GitHubDeps {
  sleep: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  now?: () => number;
  onProgress?: (line: string) => void;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

/** A write that may or may not have happened (5xx or a dropped connection): never retried blindly. */
export class AmbiguousWrite extends Error {}

type Fetched = { kind: "fetched"; res: Response; text: string } | NetworkFailure;
type NetworkFailure = { kind: "network"; error: string; transient: boolean };
type Sent = ({ kind: "response"; text: string } & ApiResponse) | NetworkFailure;

/** One fetch with GitHub's headers, no redirect followed: the answer and its text, or how the network failed. */
async function fetchOnce(
  doFetch: typeof fetch,
  method: string,
  url: string,
  token: string,
  payload: unknown,
): Promise<Fetched> {
  const withBody = payload !== undefined && method !== "GET";
  try {
    const res = await doFetch(url, {
      method,
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        Accept: "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        Authorization: `Bearer ${token}`,
        "User-Agent": USER_AGENT,
        ...(withBody ? { "Content-Type": "application/json" } : {}),
      },
      body: withBody ? JSON.stringify(payload) : undefined,
    });
    return { kind: "fetched", res, text: await res.text() };
  } catch (err) {
    const e = err as Error & { code?: string };
    const code = e.name === "TimeoutError" ? "TimeoutError" : (e.code ?? e.name ?? "error");
    const error =
      code === "TimeoutError"
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : describeNetworkError(code, e.message ?? "");
    return { kind: "network", error, transient: isTransientNetworkError(code) };
  }
}

/** The answer as JSON; an unreadable 2xx counts as a network failure that may pass. */
function readAnswer(res: Response, text: string): Sent {
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

  /** A failed request's hint: a lookup posted nothing; a write says where the report is. */
  private retryHint(): string {
    return this.phase === "lookup"
      ? "a lookup failed, so nothing was posted (no duplicate); re-run the job"
      : `${this.summaryNote}re-run the job`;
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
  private async send(method: string, url: string, payload?: unknown): Promise<Sent> {
    let target = url;
    let m = method;
    for (let hop = 0; hop <= 3; hop++) {
      this.stats.total++;
      this.stats.byMethod[m] = (this.stats.byMethod[m] ?? 0) + 1;
      const f = await fetchOnce(this.fetch, m, target, this.o.token, payload);
      if (f.kind === "network") return { ...f, error: this.o.scrub(f.error) };
      const location = f.res.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(f.res.status) || !location) return readAnswer(f.res, f.text);
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
      if (f.res.status === 303) m = "GET";
      target = next.href;
    }
    throw new SeamError(`GitHub redirected ${method} ${this.show(url)} more than 3 times`, { exitCode: EXIT.fail });
  }

  /** After a network failure: fail at once when no connection was made, else wait for the next try. */
  private async afterNetworkFailure(r: NetworkFailure, desc: string, idempotent: boolean, attempt: number) {
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
    if (!idempotent) throw new AmbiguousWrite(`${r.error} on ${desc}`);
    if (attempt >= RETRY.networkAttempts)
      throw new SeamError(
        this.o.scrub(`could not reach ${this.o.apiUrl} for ${desc} (${r.error}) after ${attempt} attempts`),
        { exitCode: EXIT.fail, hint: this.retryHint() },
      );
    await this.wait(this.backoffMs(attempt), `${r.error} on ${desc}`);
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
    const fail = (message: string) => new SeamError(message, { exitCode: EXIT.fail, hint: this.retryHint() });
    for (let attempt = 1; ; attempt++) {
      const r = await this.send(method, url, payload);
      const last = attempt >= RETRY.attempts;
      if (r.kind === "network") {
        triedBefore ||= r.transient;
        await this.afterNetworkFailure(r, desc, idempotent, attempt);
        continue;
      }
      const message = this.o.scrub(messageOf(r.json, r.text));
      if (r.status >= 200 && r.status < 300) return { ...r, message };
      // A DELETE retried after an unclear answer finds the comment gone: the first try did it.
      if (method === "DELETE" && r.status === 404 && triedBefore) return { ...r, message };
      const limited = rateLimitWaitMs(r.status, r.headers, message, this.now());
      if (limited !== null) {
        if (last) throw fail(`GitHub kept rate-limiting ${desc} (${r.status} ${message}) after ${attempt} attempts`);
        await this.wait(limited, `rate limited (${r.status}) on ${desc}`);
        continue;
      }
      if (passThrough.includes(r.status)) return { ...r, message };
      if (r.status >= 500) {
        triedBefore = true;
        if (!idempotent) throw new AmbiguousWrite(`${r.status} on ${desc}`);
        if (last) throw fail(`GitHub answered ${r.status} to ${desc} ${attempt} times: ${message}`);
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
