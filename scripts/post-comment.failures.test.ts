/**
 * post-comment against the loopback GitHub (scripts/testing/fake-github.ts), part 2: what goes wrong —
 * lookups that fail (nothing is posted), POSTs of unknown outcome (looked up before a second try), rate
 * limits and 5xx within bounds, errors no retry fixes, oversized bodies, and the token never leaking.
 * Part 1, whose comment and which write: post-comment.upsert.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { composeBody, GITHUB_BODY_LIMIT, renderReport } from "./lib/comment/body.ts";
import { ACTIONS_BOT } from "./lib/comment/owner.ts";
import { RETRY } from "./lib/github/rest.ts";
import { bigLsGate } from "./testing/sample-reports.ts";
import { postComment } from "./lib/comment/post.ts";
import { ACTIONS_TOKEN, body, failure, M, ME, REPO, run, TOKEN, withFake, writes } from "./testing/post-comment-kit.ts";

// ---------------------------------------------------------------------------------------------------
describe("against the loopback GitHub", () => {
  test("ls_c_2_ a lookup failing on page 2 posts nothing, even after its retries run out", async () => {
    await withFake({}, async (fake) => {
      for (let i = 0; i < 150; i++) fake.addComment(7, "alice", `c${i}`);
      fake.faults.push({ method: "GET", path: /\/comments$/, page: 2, status: 502, times: 99 });
      const { promise, waits } = run(fake);
      const err = await failure(promise);
      expect(err.exitCode).toBe(1);
      expect(err.message).toContain("GitHub answered 502");
      expect(err.hint).toContain("nothing was posted");
      expect(waits).toEqual([...RETRY.backoffMs]);
      expect(writes(fake)).toBe(0);
    });
  });

  test("ls_c_2_ a lookup refused on page 2 (403) posts nothing and says so", async () => {
    await withFake({}, async (fake) => {
      for (let i = 0; i < 150; i++) fake.addComment(7, "alice", `c${i}`);
      fake.faults.push({ method: "GET", path: /\/comments$/, page: 2, status: 403, json: { message: "Forbidden" } });
      const err = await failure(run(fake).promise);
      expect(err.message).toContain("nothing was posted");
      expect(writes(fake)).toBe(0);
    });
  });

  test("ls_c_2_ a POST answered 502 after it was stored is found by a fresh lookup, not posted twice", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({ method: "POST", status: 502, afterEffect: true });
      const { promise, waits } = run(fake);
      const r = await promise;
      expect(r.action).toBe("created");
      expect(fake.count("POST")).toBe(1);
      expect(fake.comments.get(7)!.length).toBe(1);
      expect(r.comment?.id).toBe(fake.comments.get(7)![0]!.id);
      expect(waits).toEqual([]);
    });
  });

  test("ls_c_2_ a POST whose connection drops before it was stored is posted again once, after looking", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({ method: "POST", network: true });
      const { promise, waits } = run(fake);
      const r = await promise;
      expect(r.action).toBe("created");
      expect(fake.count("POST")).toBe(2);
      expect(fake.count("GET", "/comments")).toBe(2);
      expect(fake.comments.get(7)!.length).toBe(1);
      expect(waits).toEqual([RETRY.backoffMs[0]]);
    });
  });

  test("ls_c_5_ a 429 with retry-after is waited out as told and the report still lands", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({
        method: "GET",
        path: /\/comments$/,
        status: 429,
        headers: { "retry-after": "7" },
        json: { message: "Too Many Requests" },
      });
      const { promise, waits } = run(fake);
      expect((await promise).action).toBe("created");
      expect(waits).toEqual([7_000]);
      expect(fake.comments.get(7)!.length).toBe(1);
    });
  });

  test("ls_c_5_ a secondary rate limit (403, x-ratelimit-remaining 0) waits until x-ratelimit-reset", async () => {
    await withFake({}, async (fake) => {
      const now = Date.parse("2026-01-01T00:00:00Z");
      fake.faults.push({
        method: "POST",
        status: 403,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 12) },
        json: { message: "API rate limit exceeded" },
      });
      const { promise, waits } = run(fake, {}, () => now);
      expect((await promise).action).toBe("created");
      expect(waits).toEqual([13_000]);
      expect(fake.count("POST")).toBe(2);
    });
  });

  test("ls_c_5_ a PATCH answered 502 twice then OK is retried with backoff and updates", async () => {
    await withFake({}, async (fake) => {
      const ours = fake.addComment(7, ME, `${M}\nold`);
      fake.faults.push({ method: "PATCH", status: 502, times: 2, json: { message: "Bad Gateway" } });
      const { promise, waits } = run(fake);
      expect((await promise).action).toBe("updated");
      expect(waits).toEqual([1_000, 2_000]);
      expect(ours.body).toBe(body());
    });
  });

  test("ls_c_5_ a rate limit asking for an hour fails at once with the reason instead of waiting", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({
        method: "GET",
        path: "/user",
        status: 429,
        headers: { "retry-after": "3600" },
        json: { message: "slow down" },
      });
      const { promise, waits } = run(fake);
      const err = await failure(promise);
      expect(err.message).toContain("GitHub asks to wait 3600 s, more than the 60 s");
      expect(waits).toEqual([]);
      expect(writes(fake)).toBe(0);
    });
  });

  test("ls_c_5_ waits are capped in total: three 59 s waits, then a clear error rather than a fourth", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({
        method: "GET",
        path: /\/comments$/,
        status: 429,
        headers: { "retry-after": "59" },
        times: 99,
      });
      const { promise, waits } = run(fake);
      const err = await failure(promise);
      expect(waits).toEqual([59_000, 59_000, 59_000]);
      expect(err.message).toContain(`more than ${RETRY.totalWaitMs / 1000} s in all`);
      expect(writes(fake)).toBe(0);
    });
  });

  test("a 401 is one line that names the token variables", async () => {
    await withFake({}, async (fake) => {
      const err = await failure(run(fake, { token: "wrong-token-000000" }).promise);
      expect(err.exitCode).toBe(1);
      expect(err.message).toMatch(/^GitHub rejected the token: 401 Bad credentials on GET \/user/);
      expect(err.hint).toContain("GH_TOKEN or GITHUB_TOKEN");
      expect(writes(fake)).toBe(0);
    });
  });

  test("a fork PR's read-only token gets the workflow_run advice, not a bare 403", async () => {
    await withFake(
      { readOnly: true, tokens: { [ACTIONS_TOKEN]: { login: ACTIONS_BOT, installation: true } } },
      async (fake) => {
        const err = await failure(run(fake, { token: ACTIONS_TOKEN, readOnly: "fork" }).promise);
        expect(err.message).toContain(
          "the token is read-only on pull requests from forks: post from a `workflow_run` job",
        );
        expect(fake.comments.get(7)!.length).toBe(0);
      },
    );
  });

  test("ls_c_4_ a 300 KB report is cut to fit: the server (which answers 422 over 65,536 characters) accepts it", async () => {
    await withFake({}, async (fake) => {
      const rendered = renderReport({ path: "big.json", kind: "ls-gate", report: bigLsGate(300) }, {});
      const huge = composeBody(M, [rendered]);
      expect(huge.length).toBeGreaterThan(GITHUB_BODY_LIMIT);
      const { promise } = run(fake, { body: huge, runUrl: "https://github.com/acme/widgets/actions/runs/1" });
      const r = await promise;
      expect(r.action).toBe("created");
      expect(r.cut?.partial).toBe("LS verification gate");
      const posted = fake.comments.get(7)![0]!.body;
      expect([...posted].length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(posted).toContain("## LS verification gate");
      expect(posted).toContain("actions/runs/1");
      expect((posted.match(/<details>/g) ?? []).length).toBe((posted.match(/<\/details>/g) ?? []).length);
    });
  });

  test("ls_c_4_ a body the server still rejects (422) is reported as such, not retried", async () => {
    await withFake({}, async (fake) => {
      const huge = `${M}\n` + "x".repeat(GITHUB_BODY_LIMIT + 10);
      const { promise, waits } = run(fake, { body: huge, limitBytes: 1_000_000 });
      const err = await failure(promise);
      expect(err.message).toContain(
        "GitHub rejected the comment body: 422 Validation Failed: body is too long (maximum is 65536 characters)",
      );
      expect(fake.count("POST")).toBe(1);
      expect(waits).toEqual([]);
    });
  });

  test("ls_c_1_ token never appears in errors even when the server echoes the Authorization header", async () => {
    await withFake({ echoAuth: true }, async (fake) => {
      for (const tok of [TOKEN, "ghp_" + "E".repeat(36)]) {
        // Unknown token (401 echo) and a known one hitting a 422 echo.
        const err = await failure(run(fake, { token: tok === TOKEN ? tok + "-revoked" : tok }).promise);
        expect(JSON.stringify({ m: err.message, h: err.hint })).not.toContain(tok);
        expect(err.message).toContain("***");
      }
      fake.faults.push({ method: "POST", status: 422, json: { message: "Validation Failed" } });
      const { promise, progress } = run(fake);
      const err = await failure(promise);
      expect(err.message + err.hint + progress.join("")).not.toContain(TOKEN);
      expect(err.message).toContain("Authorization: Bearer ***");
    });
  });

  test("ls_c_1_ a token inside a report never reaches the PR", async () => {
    await withFake({}, async (fake) => {
      const { promise } = run(fake, { body: body(`env dump: GH_TOKEN=${TOKEN}`) });
      await promise;
      expect(fake.comments.get(7)![0]!.body).toContain("GH_TOKEN=***");
      expect(fake.requests.map((q) => q.body ?? "").join("")).not.toContain(TOKEN);
    });
  });

  test("a redirect to another host is refused and the token is not sent there", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({
        method: "GET",
        path: /\/comments$/,
        status: 301,
        headers: { location: "http://127.0.0.2:9/steal" },
      });
      const err = await failure(run(fake).promise);
      expect(err.message).toContain("to another host (http://127.0.0.2:9); not sending the token there");
      expect(writes(fake)).toBe(0);
    });
  });

  test("an unreachable API (connection refused) fails at once, naming the URL: no retry, no wait, nothing posted", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const apiUrl = closed.url.origin;
    closed.stop(true);
    const waits: number[] = [];
    const err = await failure(
      postComment(
        { apiUrl, repo: REPO, pr: 7, token: TOKEN, marker: M, body: body(), mode: "upsert" },
        { sleep: async (ms) => void waits.push(ms) },
      ),
    );
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(`cannot connect to ${apiUrl}: ECONNREFUSED (connection refused), on GET /user`);
    expect(err.hint).toContain(`check GITHUB_API_URL (${apiUrl})`);
    expect(err.hint).toContain("nothing was posted");
    expect(waits).toEqual([]);
  });

  test("ls_c_5_ a dropped connection is retried, but only RETRY.networkAttempts times, and the error names the URL", async () => {
    await withFake({}, async (fake) => {
      fake.faults.push({ method: "GET", path: /\/comments$/, network: true, times: 99 });
      const { promise, waits } = run(fake);
      const err = await failure(promise);
      expect(err.message).toBe(
        `could not reach ${fake.apiUrl} for GET /repos/${REPO}/issues/7/comments?per_page=100 (ECONNRESET) after ${RETRY.networkAttempts} attempts`,
      );
      // One wait between tries (the server may count one more request: fetch itself retries a reused socket once).
      expect(waits).toEqual(RETRY.backoffMs.slice(0, RETRY.networkAttempts - 1));
      expect(writes(fake)).toBe(0);
    });
  });

  test("a failed write says the report is in the step summary only when it was written there", async () => {
    await withFake({ readOnly: true }, async (fake) => {
      const without = await failure(run(fake, { readOnly: "fork" }).promise);
      expect(without.hint).not.toContain("step summary");
      const withSummary = await failure(run(fake, { readOnly: "fork", inStepSummary: true }).promise);
      expect(withSummary.hint).toContain("the report is in this job's step summary");
    });
    await withFake({}, async (fake) => {
      fake.faults.push({ method: "PATCH", status: 502, times: 99 });
      fake.addComment(7, ME, `${M}\nold`);
      const err = await failure(run(fake).promise);
      expect(err.hint).toBe("re-run the job");
    });
  });

  test("a DELETE answered 502 after it happened counts as done when the retry finds the comment gone", async () => {
    await withFake({}, async (fake) => {
      fake.addComment(7, ME, `${M}\nold`);
      fake.faults.push({ method: "DELETE", status: 502, afterEffect: true });
      const r = await run(fake, { mode: "delete", body: "" }).promise;
      expect(r.action).toBe("deleted");
      expect(fake.count("DELETE")).toBe(2);
    });
  });
});
