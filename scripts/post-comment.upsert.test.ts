/**
 * post-comment against the loopback GitHub (scripts/testing/fake-github.ts), part 1: which comment is
 * ours and what each mode writes — paging, unchanged bodies, other users' and other Apps' comments,
 * installation tokens, a fork PR found by its head, GitHub Enterprise Server. Part 2, failures and
 * retries: post-comment.failures.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { ACTIONS_BOT } from "./lib/comment/owner.ts";
import { ACTIONS_TOKEN, body, failure, M, ME, REPO, run, withFake, writes } from "./testing/post-comment-kit.ts";

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
});
