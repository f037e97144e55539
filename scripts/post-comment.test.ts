/**
 * post-comment: the context it resolves from flags and environment, and the CLI run as a user runs it.
 * postComment against the loopback GitHub: post-comment.upsert.test.ts and post-comment.failures.test.ts;
 * the event's PR: lib/github/actions.test.ts; whose comment is ours: lib/comment/owner.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./testing/testkit.ts";
import { RETRY } from "./lib/github/rest.ts";
import { compareReports } from "./lib/compare/compare.ts";
import { lsGate, syntheticPair, tierC } from "./testing/sample-reports.ts";
import { REPO, TOKEN, withFake } from "./testing/post-comment-kit.ts";
import { resolveContext } from "./lib/comment/plan.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

const SCRIPT = join(import.meta.dir, "post-comment.ts");

// ---------------------------------------------------------------------------------------------------
describe("context", () => {
  const ev = (head: string, base = REPO) => ({
    pull_request: { number: 12, head: { repo: { full_name: head } }, base: { repo: { full_name: base } } },
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

// ---------------------------------------------------------------------------------------------------
describe("CLI", () => {
  function setup() {
    const dir = tempDir("seam-post-comment");
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
