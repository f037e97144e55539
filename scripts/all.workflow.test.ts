/** all.ts in CI: the workflows users copy, read as Actions reads them (each step's if:, keys and arguments per event). */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seamSteps } from "./all.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import {
  fill,
  parseWorkflow,
  runs as stepRuns,
  shellWords,
  type Event,
  type WorkflowStep,
} from "./testing/workflow.ts";
import { ROOT } from "./lib/core/paths.ts";
import { PINS } from "./lib/tools/install.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

describe("the workflow users copy", () => {
  test("parses, and every run: line names a script or command that exists", () => {
    const dir = join(ROOT, ".github", "workflows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
    expect(files.sort()).toEqual(["seam-comment.yml", "seam.yml"]);
    let lines = 0;
    for (const f of files) {
      const wf = parseWorkflow(readFileSync(join(dir, f), "utf8"));
      expect(wf.on).toBeDefined();
      for (const s of Object.values(wf.jobs).flatMap((j) => j.steps)) {
        expect(s.run !== undefined || s.uses !== undefined).toBe(true);
        for (const line of (s.run ?? "").split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"))) {
          lines++;
          for (const m of line.matchAll(/scripts\/[\w.-]+\.ts/g)) expect(existsSync(join(ROOT, m[0]))).toBe(true);
          expect(["npm", "npx"]).toContain(line.trim().split(/\s+/)[0]!);
        }
      }
    }
    expect(lines).toBeGreaterThan(4);
  });
});

describe("the workflow installs the real kilnd", () => {
  test("the install step installs kilnd (and requires it) after restoring .tools/, cached on the file that holds the pins", () => {
    const wf = parseWorkflow(readFileSync(join(ROOT, ".github", "workflows", "seam.yml"), "utf8"));
    const steps = wf.jobs.seam!.steps;
    const installAt = steps.findIndex((s) => s.run?.includes("scripts/tools.ts --install") ?? false);
    const cacheAt = steps.findIndex((s) => s.uses?.startsWith("actions/cache@") ?? false);
    const pipelineAt = steps.findIndex((s) => s.run?.includes("scripts/all.ts") ?? false);
    expect([cacheAt >= 0, cacheAt < installAt, installAt < pipelineAt]).toEqual([true, true, true]);
    const line = steps[installAt]!.run!.split("\n").find((l) => l.includes("tools.ts"))!;
    const words = shellWords(line).map((w) => w.text);
    expect(words[words.indexOf("--require") + 1]!.split(",")).toContain("kilnd");
    const cache = steps[cacheAt]!;
    expect(cache.with?.path).toBe(".tools");
    const pinsFile = cache.with!.key!.match(/hashFiles\('([^']+)'\)/)?.[1];
    expect(pinsFile).toBe("scripts/lib/tools/install.ts");
    const text = readFileSync(join(ROOT, pinsFile!), "utf8");
    for (const [name, version] of Object.entries(PINS))
      expect(text).toContain(`${JSON.stringify(name).replace(/^"(\w+)"$/, "$1")}: "${version}"`);
    // A changed pin is a changed key: an event whose pins file hashes otherwise restores another entry.
    const ev = (files: string[]): Event => ({ github: {}, files });
    expect(fill(cache.with!.key!, ev([pinsFile!]))).not.toBe(fill(cache.with!.key!, ev([])));
  });
});

describe("the workflow compares a pull request with its base", () => {
  const wf = parseWorkflow(readFileSync(join(ROOT, ".github", "workflows", "seam.yml"), "utf8"));
  const steps = wf.jobs.seam!.steps;
  const find = (pred: (s: WorkflowStep) => boolean) => steps.findIndex(pred);
  const restoreAt = find((s) => s.uses?.startsWith("actions/cache/restore@") ?? false);
  const saveAt = find((s) => s.uses?.startsWith("actions/cache/save@") ?? false);
  const pipelineAt = find((s) => s.run?.includes("scripts/all.ts") ?? false);
  const commentAt = find((s) => s.run?.includes("scripts/post-comment.ts") ?? false);
  const uploadAt = find((s) => s.uses?.startsWith("actions/upload-artifact@") ?? false);
  const stepAt = (i: number): WorkflowStep => steps[i] ?? {};
  const [restore, save, pipeline] = [stepAt(restoreAt), stepAt(saveAt), stepAt(pipelineAt)];
  const [comment, upload] = [stepAt(commentAt), stepAt(uploadAt)];
  const REPO = "pulseengine/seam";
  /** A push of commit `sha` to `branch` (the default branch is main); `files` exist when later steps run. */
  const push = (o: { sha?: string; branch?: string; files?: string[]; failed?: boolean } = {}): Event => ({
    github: {
      event_name: "push",
      sha: o.sha ?? "c0ffee",
      ref_name: o.branch ?? "main",
      repository: REPO,
      event: { repository: { default_branch: "main" } },
    },
    files: o.files ?? ["out/tier-c/results.json"],
    failed: o.failed ?? false,
  });
  /** A pull request on base commit `base`; `hit` is what the restore step says, unset when it did not run. */
  const pr = (o: { base?: string; hit?: boolean; files?: string[]; fork?: boolean } = {}): Event => ({
    github: {
      event_name: "pull_request",
      sha: "feed",
      ref_name: "42/merge",
      repository: REPO,
      event: {
        repository: { default_branch: "main" },
        pull_request: { base: { sha: o.base ?? "c0ffee" }, head: { repo: { full_name: o.fork ? "a/fork" : REPO } } },
      },
    },
    steps: o.hit === undefined ? {} : { [restore.id!]: { outputs: { "cache-hit": String(o.hit) } } },
    files: o.files ?? [],
  });
  const words = (line: string | undefined, ev: Event) => shellWords(fill(line ?? "", ev)).map((w) => w.text);

  test("a push to the default branch saves out/tier-c/results.json under its SHA; a pull request restores its base SHA's entry first", () => {
    expect(Math.min(restoreAt, saveAt, pipelineAt, commentAt, uploadAt)).toBeGreaterThanOrEqual(0);
    expect([restoreAt < pipelineAt, saveAt > pipelineAt]).toEqual([true, true]);
    // What is saved is what tier-c writes under all.ts's default --out, and the restore puts it back there.
    const tierStep = seamSteps({
      root: ROOT,
      out: join(ROOT, "out"),
      memory: ["multi"],
      forms: ["component", "core"],
    }).find((s) => s.name === "tier-c")!;
    expect(save.with?.path).toBe("out/tier-c/results.json");
    expect(tierStep.outputs).toEqual([join(ROOT, save.with!.path!)]);
    expect(restore.with?.path).toBe(save.with!.path!);
    // Saved when a push to the default branch produced results, even if the pipeline failed; never otherwise.
    expect([push(), push({ failed: true })].map((ev) => stepRuns(save, ev))).toEqual([true, true]);
    const noSave = [
      push({ branch: "topic" }),
      push({ files: [] }),
      pr(),
      pr({ hit: true, files: ["out/tier-c/results.json"] }),
    ];
    expect(noSave.map((ev) => stepRuns(save, ev))).toEqual([false, false, false, false]);
    expect([stepRuns(restore, pr()), stepRuns(restore, push())]).toEqual([true, false]);
    // The key is the commit: a pull request finds what its base commit's push saved, and only that.
    const saved = fill(save.with!.key!, push({ sha: "c0ffee" }));
    expect(fill(restore.with!.key!, pr({ base: "c0ffee" }))).toBe(saved);
    expect(fill(restore.with!.key!, pr({ base: "beef" }))).not.toBe(saved);
    expect(fill(save.with!.key!, push({ sha: "beef" }))).not.toBe(saved);
  });

  test("--baseline is passed only when the restore hit, and names the restored file; the comment says when there is no diff", () => {
    const argv = (ev: Event) => words(pipeline.run, ev).slice(0, -1);
    const baseline = (ev: Event) => fill(pipeline.env?.BASELINE ?? "", ev);
    // $BASELINE is the last word and unquoted: empty, it adds no argument at all.
    expect(shellWords(pipeline.run!).at(-1)).toEqual({ text: "$BASELINE", quoted: false });
    expect(argv(pr()).slice(0, 3)).toEqual(["npx", "bun", "scripts/all.ts"]);
    expect(argv(pr())).toContain("tier-c");
    expect(shellWords(baseline(pr({ hit: true }))).map((w) => w.text)).toEqual(["--baseline", save.with!.path!]);
    expect([baseline(pr({ hit: false })), baseline(pr()), baseline(push())]).toEqual(["", "", ""]);
    const note = words(comment.run, pr());
    expect(note[note.indexOf("--no-diff-note") + 1]).toBe("$NO_DIFF_NOTE");
    expect(shellWords(comment.run!).find((w) => w.text === "$NO_DIFF_NOTE")?.quoted).toBe(true);
    expect(fill(comment.env?.NO_DIFF_NOTE ?? "", pr())).toStartWith("No base results to compare with");
    // A restored base that the pipeline never moved aside must not be posted (or uploaded) as this run's.
    const moved = ["out/tier-c/baseline.json", "out/tier-c/results.json"];
    for (const s of [comment, upload]) {
      expect(stepRuns(s, pr({ hit: true, files: ["out/tier-c/results.json"] }))).toBe(false);
      expect(stepRuns(s, pr({ hit: true, files: moved }))).toBe(true);
      expect(stepRuns(s, pr({ hit: false, files: ["out/tier-c/results.json"] }))).toBe(true);
    }
    // The comment: same-repository pull requests only (forks have seam-comment.yml).
    expect([stepRuns(comment, pr({ hit: false, fork: true })), stepRuns(comment, push())]).toEqual([false, false]);
  });

  test("CLI: --baseline that does not exist is exit 2 at once; one that does shows in the tier-c step's command", async () => {
    const dir = tempDir("seam-all-baseline");
    const missing = await runScript("all.ts", ["tier-c", "--dry-run", "--baseline", join(dir, "absent.json")]);
    expect([missing.code, missing.stderr.trimEnd()]).toEqual([
      2,
      `all: error: ${join(dir, "absent.json")} not found: pass a tier-c results.json or its --out folder`,
    ]);
    writeFileSync(join(dir, "results.json"), JSON.stringify({ schema: "seam.tier-c/1", rows: [] }));
    const dry = await runScript("all.ts", ["tier-c", "--dry-run", "--force", "--baseline", dir, "--fail-on", "moved"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`--baseline ${join(dir, "results.json")} --fail-on moved`);
    expect(existsSync(join(dir, "results.json"))).toBe(true);
  });
});
