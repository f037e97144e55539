import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../testing/testkit.ts";
import { actionsContext, annotation, annotations, appendStepSummary, prFromEvent } from "./actions.ts";

const REPO = "acme/widgets";

test("a GitHub annotation keeps a multi-line message and a title with : and , on one workflow-command line", () => {
  expect(annotation("error", "was [Runtime][E0BBB]\nnow 100%", "seam hello (multi): blocker-moved, again")).toBe(
    "::error title=seam hello (multi)%3A blocker-moved%2C again::was [Runtime][E0BBB]%0Anow 100%25",
  );
});

test("the Actions context: the run's link only when server, repository and run id are all set; annotations only in Actions", () => {
  const env = {
    GITHUB_ACTIONS: "true",
    GITHUB_SERVER_URL: "https://ghe.example/",
    GITHUB_REPOSITORY: "o/r",
    GITHUB_RUN_ID: "7",
  };
  expect(actionsContext(env)).toMatchObject({
    inActions: true,
    serverUrl: "https://ghe.example",
    runUrl: "https://ghe.example/o/r/actions/runs/7",
  });
  expect(actionsContext({ GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "7" }).runUrl).toBeUndefined();
  expect(annotations([["error", "m"]], env)).toBe("::error::m\n");
  expect(annotations([["error", "m"]], {})).toBe("");
});

test("the step summary is appended to when set, and an unwritable one is one line naming it", () => {
  const dir = tempDir("seam-gha");
  const file = join(dir, "summary.md");
  expect(appendStepSummary("# a", {})).toBe(false);
  expect(appendStepSummary("# a", { GITHUB_STEP_SUMMARY: file })).toBe(true);
  expect(readFileSync(file, "utf8")).toBe("# a\n");
  expect(() => appendStepSummary("# a", { GITHUB_STEP_SUMMARY: join(dir, "no", "such.md") })).toThrow(
    `cannot append to GITHUB_STEP_SUMMARY ${join(dir, "no", "such.md")}: ENOENT`,
  );
});

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
});
