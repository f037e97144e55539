import { describe, expect, test } from "bun:test";
import { explainFailure, makeScrubber, nextLink, rateLimitWaitMs, RETRY } from "./github.ts";

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
    expect(rateLimitWaitMs(403, h({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 20) }), "", now)).toBe(21_000);
    expect(rateLimitWaitMs(403, h({}), "You have exceeded a secondary rate limit", now)).toBe(RETRY.defaultRateLimitMs);
    expect(rateLimitWaitMs(429, h({}), "", now)).toBe(RETRY.defaultRateLimitMs);
    expect(rateLimitWaitMs(403, h({ "x-ratelimit-remaining": "12" }), "Resource not accessible by integration", now)).toBeNull();
    expect(rateLimitWaitMs(500, h({ "retry-after": "1" }), "", now)).toBeNull();
  });

  test("errors no retry fixes say what to do: 401 token, 403 fork, 404 repo/PR, 422 body", () => {
    const f = (status: number) => ({ status, method: "POST", path: "/repos/acme/widgets/issues/7/comments", message: "m" });
    expect(explainFailure(f(401), { repo: REPO, pr: 7 }).hint).toContain("GH_TOKEN");
    expect(explainFailure(f(403), { repo: REPO, pr: 7, readOnly: "fork" }).message).toContain("the token is read-only on pull requests from forks: post from a `workflow_run` job");
    expect(explainFailure(f(403), { repo: REPO, pr: 7 }).hint).toContain("pull-requests: write");
    expect(explainFailure(f(404), { repo: REPO, pr: 7 }).message).toContain("repository acme/widgets or PR #7 not found");
    expect(explainFailure(f(422), { repo: REPO, pr: 7 }).message).toContain("GitHub rejected the comment body");
    expect(explainFailure(f(401), { repo: REPO, pr: 7 }).exitCode).toBe(1);
  });
});
