import { describe, expect, test } from "bun:test";
import { SeamError } from "../core/errors.ts";
import { GitHubClient } from "./client.ts";
import { explainFailure, isTransientNetworkError, nextLink, rateLimitWaitMs, RETRY } from "./rest.ts";
import { makeScrubber } from "./token.ts";

/** Not shaped like a GitHub token on purpose: scrubbing must find it by value, not by pattern. */
const TOKEN = "seam-test-token-7Qx9vL2mN4pR8sT1";
const REPO = "acme/widgets";

describe("pure helpers", () => {
  test("ls_c_1_ the scrubber masks the token, its base64 forms and anything shaped like a GitHub token", () => {
    const scrub = makeScrubber([TOKEN]);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
    const dirty = `Bearer ${TOKEN} / Basic ${basic} / ${encodeURIComponent(TOKEN)} / ghp_${"a1".repeat(18)} / github_pat_${"B2".repeat(20)}`;
    const clean = scrub(dirty);
    expect(clean).toBe("Bearer *** / Basic *** / *** / *** / ***");
  });

  test("only the Link header's rel=next is followed, and never onto another host", () => {
    const api = "https://api.github.com";
    const link = `<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=3>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=9>; rel="last"`;
    expect(nextLink(link, api)).toBe("https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=3");
    expect(nextLink(`<https://api.github.com/x?page=1>; rel="prev"`, api)).toBeNull();
    expect(nextLink(null, api)).toBeNull();
    expect(() => nextLink(`<https://evil.example/x?page=2>; rel="next"`, api)).toThrow(/another host/);
  });

  test("rate-limit waits follow retry-after, then x-ratelimit-reset, then GitHub's one minute; a plain 403 is not a rate limit", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const h = (o: Record<string, string>) => new Headers(o);
    expect(rateLimitWaitMs(429, h({ "retry-after": "7" }), "", now)).toBe(7_000);
    expect(rateLimitWaitMs(403, h({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }), "", now)).toBe(30_000);
    expect(
      rateLimitWaitMs(403, h({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 20) }), "", now),
    ).toBe(21_000);
    expect(rateLimitWaitMs(403, h({}), "You have exceeded a secondary rate limit", now)).toBe(RETRY.defaultRateLimitMs);
    expect(rateLimitWaitMs(429, h({}), "", now)).toBe(RETRY.defaultRateLimitMs);
    expect(
      rateLimitWaitMs(403, h({ "x-ratelimit-remaining": "12" }), "Resource not accessible by integration", now),
    ).toBeNull();
    expect(rateLimitWaitMs(500, h({ "retry-after": "1" }), "", now)).toBeNull();
  });

  test("errors no retry fixes say what to do: 401 token, 403 fork, 404 repo/PR, 422 body", () => {
    const f = (status: number) => ({
      status,
      method: "POST",
      path: "/repos/acme/widgets/issues/7/comments",
      message: "m",
    });
    expect(explainFailure(f(401), { repo: REPO, pr: 7 }).hint).toContain("GH_TOKEN");
    expect(explainFailure(f(403), { repo: REPO, pr: 7, readOnly: "fork" }).message).toContain(
      "the token is read-only on pull requests from forks: post from a `workflow_run` job",
    );
    expect(explainFailure(f(403), { repo: REPO, pr: 7 }).hint).toContain("pull-requests: write");
    expect(explainFailure(f(404), { repo: REPO, pr: 7 }).message).toContain(
      "repository acme/widgets or PR #7 not found",
    );
    expect(explainFailure(f(422), { repo: REPO, pr: 7 }).message).toContain("GitHub rejected the comment body");
    expect(explainFailure(f(401), { repo: REPO, pr: 7 }).exitCode).toBe(1);
  });

  test("the 403 advice for a fork PR mentions the step summary only when the report was written there", () => {
    const f = {
      status: 403,
      method: "POST",
      path: "/repos/acme/widgets/issues/7/comments",
      message: "Resource not accessible by integration",
    };
    expect(explainFailure(f, { repo: REPO, pr: 7, readOnly: "fork" }).hint).toBe(
      "see the workflow_run example in the README",
    );
    expect(explainFailure(f, { repo: REPO, pr: 7, readOnly: "fork", inStepSummary: true }).hint).toBe(
      "see the workflow_run example in the README; the report is in this job's step summary",
    );
  });

  test("only network failures that can pass are retried: a dropped connection or a timeout, not a refused connection, an unknown host or a bad certificate", () => {
    for (const code of ["ECONNRESET", "ConnectionClosed", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError"])
      expect([code, isTransientNetworkError(code)]).toEqual([code, true]);
    for (const code of [
      "ECONNREFUSED",
      "ConnectionRefused",
      "ENOTFOUND",
      "EHOSTUNREACH",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "CERT_HAS_EXPIRED",
      "TypeError",
    ]) {
      expect([code, isTransientNetworkError(code)]).toEqual([code, false]);
    }
  });
});

describe("client", () => {
  /** A test double for fetch that fails the way Bun's fetch does for a host DNS does not know. */
  function unknownHost(calls: string[]): typeof fetch {
    return (async (input: string | URL | Request) => {
      calls.push(String(input));
      throw Object.assign(new TypeError("getaddrinfo ENOTFOUND ghe.invalid"), { code: "ENOTFOUND" });
    }) as unknown as typeof fetch;
  }

  test("an API host DNS does not know fails on the first try, naming the URL and GITHUB_API_URL", async () => {
    const calls: string[] = [];
    const waits: number[] = [];
    const apiUrl = "https://ghe.invalid/api/v3";
    const client = new GitHubClient({
      apiUrl,
      token: TOKEN,
      scrub: makeScrubber([TOKEN]),
      deps: { sleep: async (ms) => void waits.push(ms), fetch: unknownHost(calls) },
      explain: () => new SeamError("unreachable"),
    });
    let err: unknown;
    await client.request("GET", client.url("/user")).catch((e) => (err = e));
    expect(err).toBeInstanceOf(SeamError);
    expect((err as SeamError).message).toBe(
      `cannot connect to ${apiUrl}: ENOTFOUND (no such host), on GET /api/v3/user`,
    );
    expect((err as SeamError).hint).toContain(`check GITHUB_API_URL (${apiUrl})`);
    expect(calls).toEqual([`${apiUrl}/user`]);
    expect(waits).toEqual([]);
  });

  test("a POST that cannot connect was never sent: it fails at once instead of being treated as a write of unknown outcome", async () => {
    const calls: string[] = [];
    const client = new GitHubClient({
      apiUrl: "https://ghe.invalid",
      token: TOKEN,
      scrub: makeScrubber([TOKEN]),
      deps: { sleep: async () => {}, fetch: unknownHost(calls) },
      explain: () => new SeamError("unreachable"),
    });
    client.phase = "write";
    const err = await client
      .request("POST", client.url("/repos/acme/widgets/issues/7/comments"), { body: "x" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(SeamError);
    expect(err.hint).not.toContain("step summary");
    expect(calls.length).toBe(1);
  });
});
