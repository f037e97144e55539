import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actionsContext, annotation, annotations, appendStepSummary } from "./gh-actions.ts";

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
  const dir = mkdtempSync(join(tmpdir(), "seam-gha-"));
  const file = join(dir, "summary.md");
  expect(appendStepSummary("# a", {})).toBe(false);
  expect(appendStepSummary("# a", { GITHUB_STEP_SUMMARY: file })).toBe(true);
  expect(readFileSync(file, "utf8")).toBe("# a\n");
  expect(() => appendStepSummary("# a", { GITHUB_STEP_SUMMARY: join(dir, "no", "such.md") })).toThrow(
    `cannot append to GITHUB_STEP_SUMMARY ${join(dir, "no", "such.md")}: ENOENT`,
  );
});
