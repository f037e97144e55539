import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeBody, GITHUB_BODY_LIMIT, renderReport } from "./lib/comment-body.ts";
import { SeamError } from "./lib/errors.ts";
import { startFakeGitHub, type FakeGitHub, type FakeOptions } from "./testing/fake-github.ts";
import { RETRY } from "./lib/github-rest.ts";
import { tempDir } from "./testing/testkit.ts";
import { bigLsGate, lsGate, syntheticPair, tierC } from "./testing/sample-reports.ts";
import { compareReports } from "./lib/compare.ts";
import {
  ACTIONS_BOT,
  findOwn,
  isOurs,
  postComment,
  prFromEvent,
  resolveContext,
  sameBody,
  type IssueComment,
  type PostOptions,
} from "./post-comment.ts";

const SCRIPT = join(import.meta.dir, "post-comment.ts");
/** Not shaped like a GitHub token on purpose: scrubbing must find it by value, not by pattern. */
const TOKEN = "seam-test-token-7Qx9vL2mN4pR8sT1";
const ME = "seam-bot";
/** An Actions GITHUB_TOKEN is an installation token with this prefix. */
const ACTIONS_TOKEN = "ghs_" + "Actions0Token1For2Tests3Only4abcdef";
const M = "<!-- seam:test -->";
const REPO = "acme/widgets";

const body = (text = "hello") => `${M}\n## Report\n\n${text}\n`;

async function withFake<T>(opts: FakeOptions, fn: (fake: FakeGitHub) => Promise<T>): Promise<T> {
  const fake = startFakeGitHub({ repo: REPO, ...opts, tokens: { [TOKEN]: { login: ME }, ...opts.tokens } });
  try {
    return await fn(fake);
  } finally {
    fake.stop();
  }
}

/** Runs the core against the fake, recording the waits it asks for instead of sleeping. */
function run(fake: FakeGitHub, over: Partial<PostOptions> = {}, now = () => Date.parse("2026-01-01T00:00:00Z")) {
  const waits: number[] = [];
  const progress: string[] = [];
  const promise = postComment(
    { apiUrl: fake.apiUrl, repo: REPO, pr: 7, token: TOKEN, marker: M, body: body(), mode: "upsert", ...over },
    { sleep: async (ms) => void waits.push(ms), now, onProgress: (l) => progress.push(l) },
  );
  return { promise, waits, progress };
}

async function failure(p: Promise<unknown>): Promise<SeamError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SeamError) return err;
    throw err;
  }
  throw new Error("expected a SeamError, got success");
}

function writes(fake: FakeGitHub): number {
  return fake.count("POST") + fake.count("PATCH") + fake.count("DELETE");
}

// ---------------------------------------------------------------------------------------------------
describe("context", () => {
  const ev = (head: string, base = REPO) => ({
    pull_request: { number: 12, head: { repo: { full_name: head } }, base: { repo: { full_name: base } } },
  });

  test("the PR number and the token's write access come from the event payload", () => {
    expect(prFromEvent("pull_request", ev(REPO), undefined, REPO)).toMatchObject({ pr: 12, readOnly: undefined });
    expect(prFromEvent("pull_request", ev("fork/widgets"), undefined, REPO)).toMatchObject({
      pr: 12,
      readOnly: "fork",
    });
    expect(prFromEvent("pull_request_target", ev("fork/widgets"), undefined, REPO)).toMatchObject({
      pr: 12,
      readOnly: undefined,
    });
    expect(prFromEvent("pull_request", ev(REPO), undefined, REPO, "dependabot[bot]")).toMatchObject({
      readOnly: "dependabot",
    });
    expect(prFromEvent("issue_comment", { issue: { number: 5, pull_request: {} } }, undefined, REPO)).toMatchObject({
      pr: 5,
    });
    expect(prFromEvent("issue_comment", { issue: { number: 5 } }, undefined, REPO).notPullRequest).toContain("issue");
    expect(prFromEvent("push", {}, "refs/pull/31/merge", REPO)).toMatchObject({ pr: 31, source: "GITHUB_REF" });
    expect(prFromEvent("push", {}, "refs/heads/main", REPO).notPullRequest).toBe(
      "the push event is not about a pull request",
    );
  });

  test("a workflow_run names its PR, or for a fork PR (empty pull_requests) the head to look it up by", () => {
    const wr = (prs: unknown[], event = "pull_request") => ({
      workflow_run: {
        event,
        html_url: "https://github.com/acme/widgets/actions/runs/5",
        pull_requests: prs,
        head_branch: "feat",
        head_sha: "abc123",
        head_repository: { owner: { login: "forker" } },
      },
    });
    expect(
      prFromEvent(
        "workflow_run",
        wr([{ number: 9, url: `https://api.github.com/repos/${REPO}/pulls/9` }]),
        undefined,
        REPO,
      ),
    ).toMatchObject({ pr: 9, runUrl: "https://github.com/acme/widgets/actions/runs/5" });
    expect(
      prFromEvent(
        "workflow_run",
        wr([{ number: 9, url: "https://api.github.com/repos/other/repo/pulls/9" }]),
        undefined,
        REPO,
      ).lookup,
    ).toEqual({ head: "forker:feat", sha: "abc123" });
    expect(prFromEvent("workflow_run", wr([]), undefined, REPO).lookup).toEqual({ head: "forker:feat", sha: "abc123" });
    expect(prFromEvent("workflow_run", wr([], "push"), undefined, REPO).notPullRequest).toContain("push");
  });

  test("flags win over the environment; GH_TOKEN over GITHUB_TOKEN; GH_REPO over GITHUB_REPOSITORY; the run link is built", () => {
    const env = {
      GH_TOKEN: "a",
      GITHUB_TOKEN: "b",
      GH_REPO: "x/y",
      GITHUB_REPOSITORY: REPO,
      GITHUB_RUN_ID: "77",
      GITHUB_SERVER_URL: "https://ghe.example.com/",
    };
    const ctx = resolveContext({}, { ...env, GITHUB_EVENT_NAME: "pull_request" }, ev(REPO));
    expect(ctx).toMatchObject({
      token: "a",
      repo: "x/y",
      pr: 12,
      apiUrl: "https://api.github.com",
      runUrl: "https://ghe.example.com/acme/widgets/actions/runs/77",
    });
    expect(resolveContext({ pr: "3", repo: "o/n" }, env, null)).toMatchObject({ pr: 3, repo: "o/n", prSource: "--pr" });
    expect(resolveContext({}, { GITHUB_API_URL: "https://ghe.example.com/api/v3/" }, null).apiUrl).toBe(
      "https://ghe.example.com/api/v3",
    );
    expect(() => resolveContext({ pr: "3x" }, {}, null)).toThrow(/is not a pull-request number/);
    expect(() => resolveContext({ repo: "nope" }, {}, null)).toThrow(/is not OWNER\/NAME/);
  });

  test("the token is never sent in clear text: an http API URL is refused unless it is loopback", () => {
    expect(() => resolveContext({}, { GITHUB_API_URL: "http://ghe.example.com/api/v3" }, null)).toThrow(/not https/);
    expect(resolveContext({}, { GITHUB_API_URL: "http://127.0.0.1:9/api" }, null).apiUrl).toBe(
      "http://127.0.0.1:9/api",
    );
  });
});

describe("pure helpers", () => {
  test("ls_c_3_ only comments whose first line is the marker and whose author is us are ours, newest first", () => {
    const c = (id: number, login: string | null, text: string, at: string): IssueComment => ({
      id,
      login,
      authorType: "User",
      body: text,
      createdAt: at,
      url: `u${id}`,
    });
    const all = [
      c(1, ME, `${M}\nold`, "2026-01-01T00:00:01Z"),
      c(2, "alice", `${M}\ncopied`, "2026-01-01T00:00:02Z"),
      c(3, ME, `quoting:\n${M}`, "2026-01-01T00:00:03Z"),
      c(4, "SEAM-BOT", `${M}\r\nnewer`, "2026-01-01T00:00:04Z"),
      c(5, null, `${M}\nghost`, "2026-01-01T00:00:05Z"),
    ];
    const { mine, foreign } = findOwn(all, M, ME);
    expect(mine.map((x) => x.id)).toEqual([4, 1]);
    expect(foreign.map((x) => x.id)).toEqual([2, 5]);
  });

  test("ls_c_3_ an installation token (login unknown) owns only marked comments written by a Bot account, never a person's", () => {
    const c = (id: number, login: string, authorType: string | null, text = `${M}\nreport`): IssueComment => ({
      id,
      login,
      authorType,
      body: text,
      createdAt: `2026-01-01T00:00:0${id}Z`,
      url: `u${id}`,
    });
    const all = [
      c(1, ACTIONS_BOT, "Bot"),
      c(2, "alice", "User"),
      c(3, "my-app[bot]", "Bot"),
      c(4, "my-app[bot]", "Bot", `quoting:\n${M}`),
      c(5, "mallory", "Organization"),
      c(6, "ghost", null),
    ];
    const { mine, foreign } = findOwn(all, M, null);
    expect(mine.map((x) => x.id)).toEqual([3, 1]);
    expect(foreign.map((x) => x.id)).toEqual([2, 5, 6]);
    // The type decides, not the login: a "User" whose login looks like a bot's is a person.
    expect(isOurs(c(7, "my-app[bot]", "User"), null)).toBe(false);
    // A known login (--author, GET /user) keeps matching by login alone.
    expect(findOwn(all, M, "my-app[bot]").mine.map((x) => x.id)).toEqual([3]);
  });

  test("an unchanged body ignores line endings and trailing blanks only", () => {
    expect(sameBody("a\r\nb\n\n", "a\nb")).toBe(true);
    expect(sameBody("a\nb", "a\nc")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
describe("against the loopback GitHub", () => {
  test("with no comment yet, one POST creates it with the exact body and GitHub's headers", async () => {
    await withFake({}, async (fake) => {
      const { promise } = run(fake);
      const r = await promise;
      expect(r.action).toBe("created");
      expect(fake.comments.get(7)!.map((c) => [c.user.login, c.body])).toEqual([[ME, body()]]);
      expect(r.comment?.url).toContain("#issuecomment-");
      expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
        "GET /user",
        `GET /repos/${REPO}/issues/7/comments`,
        `POST /repos/${REPO}/issues/7/comments`,
      ]);
      expect(fake.violations).toEqual([]);
    });
  });

  test("250 comments with ours on page 3: Link pages are followed and the upsert stays within ceil(n/100)+2 requests", async () => {
    await withFake({}, async (fake) => {
      for (let i = 0; i < 220; i++) fake.addComment(7, i % 2 ? "alice" : "bob", `comment ${i}`);
      const ours = fake.addComment(7, ME, `${M}\nold result`);
      for (let i = 0; i < 29; i++) fake.addComment(7, "carol", `later ${i}`);
      const { promise } = run(fake);
      const r = await promise;
      expect(r).toMatchObject({ action: "updated", comment: { id: ours.id }, pages: 3, commentsSeen: 250 });
      expect(ours.body).toBe(body());
      expect(fake.count("GET", "/comments")).toBe(3);
      expect(
        fake.requests.filter((q) => q.method === "GET" && q.path.endsWith("/comments")).map((q) => q.page),
      ).toEqual([1, 2, 3]);
      expect(fake.requests.filter((q) => q.page > 1).every((q) => q.path.startsWith("/repositories/"))).toBe(true);
      expect(fake.count("POST")).toBe(0);
      expect(fake.requests.length).toBe(5);
      expect(fake.requests.length).toBeLessThanOrEqual(Math.ceil(250 / 100) + 2);
      expect(r.requests.total).toBe(fake.requests.length);
      expect(fake.violations).toEqual([]);
    });
  });

  test("an unchanged body sends no PATCH", async () => {
    await withFake({}, async (fake) => {
      for (let i = 0; i < 150; i++) fake.addComment(7, "alice", `c${i}`);
      fake.addComment(7, ME, body());
      const { promise } = run(fake);
      expect((await promise).action).toBe("unchanged");
      expect(writes(fake)).toBe(0);
      expect(fake.requests.length).toBe(3);
    });
  });

  test("ls_c_3_ another user's comment carrying the marker is never edited; ours is posted beside it", async () => {
    await withFake({}, async (fake) => {
      const alice = fake.addComment(7, "alice", `${M}\nalice pasted our marker`);
      const { promise, progress } = run(fake);
      const r = await promise;
      expect(r.action).toBe("created");
      expect(alice.body).toBe(`${M}\nalice pasted our marker`);
      expect(fake.count("PATCH")).toBe(0);
      expect(r.foreignMatches).toEqual([{ id: alice.id, author: "alice" }]);
      expect(progress.join("\n")).toContain(
        `comment ${alice.id} by alice carries the marker but is not ${ME}'s: left alone`,
      );
    });
  });

  test("ls_c_3_ delete mode removes only our own marked comments", async () => {
    await withFake({}, async (fake) => {
      const alice = fake.addComment(7, "alice", `${M}\nnot yours`);
      fake.addComment(7, ME, `${M}\none`);
      fake.addComment(7, ME, `${M}\ntwo`);
      const { promise } = run(fake, { mode: "delete", body: "" });
      const r = await promise;
      expect(r.action).toBe("deleted");
      expect(r.deleted.length).toBe(2);
      expect(fake.comments.get(7)!.map((c) => c.id)).toEqual([alice.id]);
    });
  });

  test("several own matches: the newest is updated and the rest are reported, untouched", async () => {
    await withFake({}, async (fake) => {
      const older = fake.addComment(7, ME, `${M}\nfirst`);
      const newer = fake.addComment(7, ME, `${M}\nsecond`);
      const { promise } = run(fake);
      const r = await promise;
      expect(r).toMatchObject({ action: "updated", comment: { id: newer.id }, otherMatches: [{ id: older.id }] });
      expect(older.body).toBe(`${M}\nfirst`);
    });
  });

  test("recreate posts a fresh comment first, then deletes the old own ones", async () => {
    await withFake({}, async (fake) => {
      const old = fake.addComment(7, ME, `${M}\nold`);
      const { promise } = run(fake, { mode: "recreate" });
      const r = await promise;
      expect(r.action).toBe("recreated");
      expect(r.deleted).toEqual([old.id]);
      expect(fake.comments.get(7)!.map((c) => c.body)).toEqual([body()]);
      const order = fake.requests.filter((q) => q.method !== "GET").map((q) => q.method);
      expect(order).toEqual(["POST", "DELETE"]);
    });
  });

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

  test("an Actions token (ghs_) skips GET /user and updates github-actions[bot]'s comment, a Bot account's", async () => {
    await withFake({ tokens: { [ACTIONS_TOKEN]: { login: ACTIONS_BOT, installation: true } } }, async (fake) => {
      const ours = fake.addComment(7, ACTIONS_BOT, `${M}\nold`);
      const r = await run(fake, { token: ACTIONS_TOKEN }).promise;
      expect(r).toMatchObject({
        action: "updated",
        identity: { login: null, source: "installation token" },
        comment: { id: ours.id },
      });
      expect(fake.count("GET", "/user")).toBe(0);
      expect(fake.requests.length).toBe(2);
    });
  });

  test("an installation token without the ghs_ prefix is recognised by GET /user's 403", async () => {
    await withFake(
      { tokens: { "inst-token-1234567890": { login: ACTIONS_BOT, installation: true } } },
      async (fake) => {
        const r = await run(fake, { token: "inst-token-1234567890" }).promise;
        expect(r.identity).toEqual({ login: null, source: "installation token" });
        expect(r.action).toBe("created");
      },
    );
  });

  const APP_TOKEN = "ghs_" + "App0Token1".repeat(4);
  const APP_BOT = "my-app[bot]";

  test("ls_c_3_ a GitHub App token (ghs_, GET /user 403) edits its bot's own marker comment instead of posting a second one", async () => {
    await withFake({ tokens: { [APP_TOKEN]: { login: APP_BOT, installation: true } } }, async (fake) => {
      const ours = fake.addComment(7, APP_BOT, `${M}\nold`);
      expect(ours.user).toEqual({ login: APP_BOT, type: "Bot" });
      const r = await run(fake, { token: APP_TOKEN }).promise;
      expect(r).toMatchObject({ action: "updated", comment: { id: ours.id } });
      expect(fake.count("POST")).toBe(0);
      expect(fake.comments.get(7)!.map((c) => [c.id, c.body])).toEqual([[ours.id, body()]]);
      // Without a comment yet: the first run posts one, the second finds it.
      fake.comments.get(7)!.length = 0;
      expect((await run(fake, { token: APP_TOKEN }).promise).action).toBe("created");
      expect((await run(fake, { token: APP_TOKEN, body: body("v2") }).promise).action).toBe("updated");
      expect(fake.comments.get(7)!.length).toBe(1);
    });
  });

  test("ls_c_3_ under an App token a person's marker comment is never edited, whatever the login looks like; ours is posted beside it", async () => {
    await withFake({ tokens: { [APP_TOKEN]: { login: APP_BOT, installation: true } } }, async (fake) => {
      const alice = fake.addComment(7, "alice", `${M}\nalice quotes the report`);
      const lookalike = fake.addComment(7, "looks-like[bot]", `${M}\na person's account`, "User");
      const r = await run(fake, { token: APP_TOKEN }).promise;
      expect(r.action).toBe("created");
      expect(r.foreignMatches.map((f) => f.id)).toEqual([alice.id, lookalike.id]);
      expect(fake.count("PATCH") + fake.count("DELETE")).toBe(0);
      expect(fake.comments.get(7)!.map((c) => c.body)).toEqual([
        `${M}\nalice quotes the report`,
        `${M}\na person's account`,
        body(),
      ]);
      expect(r.notes.join("\n")).toContain(
        `comment ${alice.id} by alice carries the marker but is not a Bot account's: left alone`,
      );
    });
  });

  test("ls_c_3_ two Apps' marker comments under an installation token: the newest is updated and the other reported; delete mode deletes neither", async () => {
    await withFake({ tokens: { [APP_TOKEN]: { login: APP_BOT, installation: true } } }, async (fake) => {
      const actions = fake.addComment(7, ACTIONS_BOT, `${M}\nfrom the Actions token`);
      const app = fake.addComment(7, APP_BOT, `${M}\nfrom the App`);
      const r = await run(fake, { token: APP_TOKEN }).promise;
      expect(r).toMatchObject({ action: "updated", comment: { id: app.id }, otherMatches: [{ id: actions.id }] });
      expect(r.notes.join("\n")).toContain(`comments by ${APP_BOT} and ${ACTIONS_BOT} carry the marker`);
      expect(fake.comments.get(7)!.find((c) => c.id === actions.id)!.body).toBe(`${M}\nfrom the Actions token`);
      const err = await failure(run(fake, { token: APP_TOKEN, mode: "delete", body: "" }).promise);
      expect(err.message).toContain("nothing was deleted");
      expect(err.hint).toContain("--author");
      expect(fake.count("DELETE")).toBe(0);
      // --author still chooses explicitly.
      const del = await run(fake, { token: APP_TOKEN, mode: "delete", body: "", author: ACTIONS_BOT }).promise;
      expect(del).toMatchObject({ action: "deleted", deleted: [actions.id] });
      expect(fake.comments.get(7)!.map((c) => c.id)).toEqual([app.id]);
    });
  });

  test("ls_c_3_ recreate under an App token deletes only the older comments of the login the new comment shows", async () => {
    await withFake({ tokens: { [APP_TOKEN]: { login: APP_BOT, installation: true } } }, async (fake) => {
      const other = fake.addComment(7, "other-app[bot]", `${M}\nanother App`);
      const old = fake.addComment(7, APP_BOT, `${M}\nold`);
      const r = await run(fake, { token: APP_TOKEN, mode: "recreate" }).promise;
      expect(r.action).toBe("recreated");
      expect(r.deleted).toEqual([old.id]);
      expect(fake.comments.get(7)!.map((c) => c.id)).toEqual([other.id, r.comment!.id]);
    });
  });

  test("a wrong --author is caught by the first POST instead of duplicating on every run", async () => {
    await withFake({}, async (fake) => {
      const err = await failure(run(fake, { author: "someone-else" }).promise);
      expect(err.message).toContain(
        `was written as ${ME} (a User), but post-comment looked for comments by someone-else (--author)`,
      );
      expect(err.hint).toContain(`--author '${ME}'`);
    });
  });

  test("a workflow_run for a fork PR finds the PR by head branch and SHA, or has nothing to post", async () => {
    const pulls = [{ number: 7, state: "open" as const, head: { label: "forker:feat", ref: "feat", sha: "abc123" } }];
    await withFake({ pulls }, async (fake) => {
      const r = await run(fake, { pr: null, prLookup: { head: "forker:feat", sha: "abc123" } }).promise;
      expect(r).toMatchObject({ action: "created", pr: 7 });
      const stale = await run(fake, { pr: null, prLookup: { head: "forker:feat", sha: "def456" } }).promise;
      expect(stale.action).toBe("nothing-to-post");
      expect(stale.reason).toContain("no open pull request has head forker:feat");
    });
  });

  test("GitHub Enterprise Server: the API path prefix is kept on every request and Link page", async () => {
    await withFake({ prefix: "/api/v3" }, async (fake) => {
      for (let i = 0; i < 120; i++) fake.addComment(7, "alice", `c${i}`);
      const r = await run(fake).promise;
      expect(r).toMatchObject({ action: "created", pages: 2 });
      expect(fake.violations).toEqual([]);
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

// ---------------------------------------------------------------------------------------------------
describe("CLI", () => {
  function setup() {
    const dir = mkdtempSync(join(tmpdir(), "seam-post-comment-"));
    const ls = join(dir, "ls.json");
    const tc = join(dir, "results.json");
    writeFileSync(ls, JSON.stringify(lsGate()));
    writeFileSync(tc, JSON.stringify(tierC()));
    return { dir, ls, tc };
  }

  async function cli(args: string[], env: Record<string, string> = {}) {
    // A clean environment: the tests may themselves run inside GitHub Actions.
    const proc = Bun.spawn([process.execPath, SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { stdout, stderr, code };
  }

  test("--help prints usage, the bounds and the exit codes, exit 0", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: bun scripts/post-comment.ts");
    expect(r.stdout).toContain("never more than 60 s for one wait");
    expect(r.stdout).toContain("A MISSING file is skipped");
    expect(r.stdout).toContain("Exit: 0 created");
  });

  test("a dry run renders ls-gate and tier-c into one comment without a token", async () => {
    const { ls, tc } = setup();
    const r = await cli(["--dry-run", "--report", ls, "--report", tc, "--repo", REPO, "--pr", "7"]);
    expect(r.code).toBe(0);
    const bodyStart = r.stdout.indexOf("----- body");
    const posted = r.stdout.slice(r.stdout.indexOf("\n", bodyStart) + 1);
    expect(posted.split("\n")[0]).toBe("<!-- seam:ls-gate+tier-c -->");
    expect(posted).toContain("## LS verification gate");
    expect(posted).toContain("## meld → kiln seam (Tier C)");
    expect(posted.indexOf("## LS verification gate")).toBeLessThan(posted.indexOf("## meld → kiln seam"));
    expect(r.stdout).toContain(`GET    https://api.github.com/repos/${REPO}/issues/7/comments?per_page=100`);
    expect(r.stdout).toContain("Authorization: Bearer ***");
  });

  test("a dry run with a tier-c diff starts the Tier C section with it; --no-diff-note speaks only when there is none", async () => {
    const { dir, tc } = setup();
    const { base, head } = syntheticPair(8);
    const withDiff = join(dir, "diff.json");
    writeFileSync(withDiff, JSON.stringify({ ...head, diff: compareReports(base, head) }));
    const note = "No base results to compare with: none saved.";
    const r = await cli(["--dry-run", "--report", withDiff, "--repo", REPO, "--pr", "7", "--no-diff-note", note]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "## meld → kiln seam (Tier C)\n\n**1 fixed, 1 regressed, 1 moved since base** — base: meld 0.65.1",
    );
    expect(r.stdout).not.toContain(note);
    const plain = await cli(["--dry-run", "--report", tc, "--repo", REPO, "--pr", "7", "--no-diff-note", note]);
    expect(plain.stdout).toContain(`## meld → kiln seam (Tier C)\n\nℹ️ ${note}`);
  });

  test("--body-file is posted verbatim under the default comment marker; combined with --report it is a usage error", async () => {
    const { dir, ls } = setup();
    const file = join(dir, "body.md");
    writeFileSync(file, "## Hand-written\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    const r = await cli(["--dry-run", "--body-file", file, "--repo", REPO, "--pr", "7"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("<!-- seam:comment -->\n## Hand-written\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    const both = await cli(["--dry-run", "--body-file", file, "--report", ls, "--pr", "7"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--report and --body-file exclude each other");
  });

  test("an unknown report is one exit-2 line; all reports missing is nothing to post, exit 0", async () => {
    const { dir } = setup();
    const odd = join(dir, "odd.json");
    writeFileSync(odd, JSON.stringify({ schema: "junit/9" }));
    const bad = await cli(["--dry-run", "--report", odd, "--pr", "1", "--repo", REPO]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe(
      `post-comment: error: ${odd}: unknown schema "junit/9" (post-comment reads seam.ls-gate/1 and seam.tier-c/1, seam.tier-c/2)`,
    );
    const none = await cli(["--report", join(dir, "absent.json"), "--pr", "1", "--repo", REPO]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("nothing to post: no such file:");
  });

  test("explicit paths the caller owns must exist: a missing --body-file or GITHUB_EVENT_PATH is one exit-2 line", async () => {
    const { dir } = setup();
    const body = await cli(["--dry-run", "--body-file", join(dir, "missing.md"), "--pr", "1", "--repo", REPO]);
    expect([body.code, body.stderr.split("\n")[0]]).toEqual([
      2,
      `post-comment: error: --body-file ${join(dir, "missing.md")} does not exist`,
    ]);
    const event = await cli(["--dry-run", "--report", join(dir, "ls.json"), "--repo", REPO], {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: join(dir, "missing.json"),
    });
    expect([event.code, event.stderr.split("\n")[0]]).toEqual([
      2,
      `post-comment: error: GITHUB_EVENT_PATH ${join(dir, "missing.json")} does not exist`,
    ]);
    const withPr = await cli(["--dry-run", "--report", join(dir, "ls.json"), "--repo", REPO, "--pr", "3"], {
      GITHUB_EVENT_PATH: join(dir, "missing.json"),
    });
    expect(withPr.code).toBe(0);
  });

  test("ls_c_1_ a token with a line break or a space in it is one exit-2 line naming the variable, never the token", async () => {
    const { ls } = setup();
    const r = await cli(["--report", ls, "--repo", REPO, "--pr", "7"], { GH_TOKEN: `${TOKEN}\nsecond-line` });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("post-comment: error: GH_TOKEN contains a space or a character no token has");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  test("an unreachable GITHUB_API_URL fails without any backoff wait, one line naming the URL, exit 1", async () => {
    const { ls } = setup();
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const apiUrl = closed.url.origin;
    closed.stop(true);
    const started = performance.now();
    const r = await cli(["--report", ls, "--repo", REPO, "--pr", "7"], { GH_TOKEN: TOKEN, GITHUB_API_URL: apiUrl });
    const ms = performance.now() - started;
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      `post-comment: error: cannot connect to ${apiUrl}: ECONNREFUSED (connection refused), on GET /user`,
    );
    expect(r.stderr).not.toContain("retrying");
    expect(ms).toBeLessThan(RETRY.backoffMs[0]! * 5); // a bun start-up, not 15 s of backoff
  });

  test("posts to the loopback server from the Actions environment, writes the step summary, then finds its own comment", async () => {
    const { dir, ls, tc } = setup();
    await withFake({}, async (fake) => {
      const summary = join(dir, "summary.md");
      const event = join(dir, "event.json");
      writeFileSync(
        event,
        JSON.stringify({
          pull_request: { number: 7, head: { repo: { full_name: REPO } }, base: { repo: { full_name: REPO } } },
        }),
      );
      const env = {
        GITHUB_ACTIONS: "true",
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: REPO,
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_EVENT_PATH: event,
        GITHUB_API_URL: fake.apiUrl,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_RUN_ID: "4711",
        GITHUB_STEP_SUMMARY: summary,
      };
      const first = await cli(["--report", ls, "--report", tc], env);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /^created \d+: https:\/\/github\.com\/acme\/widgets\/pull\/7#issuecomment-\d+ \(3 requests\)\n$/,
      );
      const posted = fake.comments.get(7)![0]!.body;
      expect(posted).toStartWith("<!-- seam:ls-gate+tier-c -->\n## LS verification gate");
      expect(posted).toContain("https://github.com/acme/widgets/actions/runs/4711");
      expect(readFileSync(summary, "utf8")).toContain(posted.trimEnd());
      const second = await cli(["--report", ls, "--report", tc, "--json"], env);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({
        action: "unchanged",
        requests: { total: 2, byMethod: { GET: 2 } },
      });
      expect(fake.comments.get(7)!.length).toBe(1);
    });
  });

  test("ls_c_1_ token never appears in output even when the server echoes it back", async () => {
    const { ls } = setup();
    await withFake({ echoAuth: true }, async (fake) => {
      const env = { GH_TOKEN: TOKEN + "-stale", GITHUB_API_URL: fake.apiUrl };
      const r = await cli(["--report", ls, "--repo", REPO, "--pr", "7", "--json"], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "post-comment: error: GitHub rejected the token: 401 Bad credentials (request had Authorization: Bearer ***)",
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ action: "failed", exitCode: 1 });
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(fake.requests.length).toBe(1);
    });
  });

  test("in Actions on a push event there is nothing to post: exit 0, the summary still gets the report", async () => {
    const { dir, ls } = setup();
    const summary = join(dir, "summary.md");
    const r = await cli(["--report", ls], {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "push",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REPOSITORY: REPO,
      GITHUB_STEP_SUMMARY: summary,
      GH_TOKEN: TOKEN,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "nothing to post: the push event is not about a pull request (the body is in the step summary)\n",
    );
    expect(readFileSync(summary, "utf8")).toContain("## LS verification gate");
  });

  test("in Actions without GITHUB_STEP_SUMMARY it does not claim the body is in the step summary", async () => {
    const { ls } = setup();
    const r = await cli(["--report", ls], {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "push",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REPOSITORY: REPO,
      GH_TOKEN: TOKEN,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("nothing to post: the push event is not about a pull request\n");
  });

  test("without a token (and not a dry run) it is a usage error that says where the token comes from", async () => {
    const { ls } = setup();
    const r = await cli(["--report", ls, "--repo", REPO, "--pr", "7"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("post-comment: error: no token: set GH_TOKEN or GITHUB_TOKEN");
  });
});
