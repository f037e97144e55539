import { describe, expect, test } from "bun:test";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, parseDocument, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import {
  exitCodeOf,
  planOrder,
  runPipeline,
  summaryTable,
  type PipelineOptions,
  type PipelineStep,
} from "./lib/core/pipeline.ts";
import { seamSteps } from "./all.ts";
import { runProcess } from "./lib/core/proc.ts";
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

/** A synthetic step: records its runs; its inputs are a file and a "tool" file in the test's folder. */
function step(dir: string, name: string, deps: string[], over: Partial<PipelineStep> = {}): PipelineStep {
  const input = join(dir, `${name}.in`);
  if (!existsSync(input)) writeFileSync(input, "v1");
  return {
    name,
    description: name,
    deps,
    command: `make ${name}`,
    inputs: () => ({ files: [input], tools: [join(dir, "tool")], options: null }),
    outputs: [join(dir, `${name}.out`)],
    run: async () => {
      appendFileSync(join(dir, "runs"), `${name}\n`);
      writeFileSync(join(dir, `${name}.out`), "ok");
      return { ok: true, note: "done" };
    },
    ...over,
  };
}

function opts(dir: string, over: Partial<PipelineOptions> = {}): PipelineOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    root: dir,
    stampDir: join(dir, "stamps"),
    jobs: 2,
    force: false,
    dryRun: false,
    keepGoing: false,
    signal: new AbortController().signal,
    write: (l) => lines.push(l),
    lines,
    ...over,
  };
}

const runs = (dir: string) =>
  existsSync(join(dir, "runs")) ? readFileSync(join(dir, "runs"), "utf8").split("\n").filter(Boolean).sort() : [];

function graph(dir: string): PipelineStep[] {
  writeFileSync(join(dir, "tool"), "tool v1");
  return [step(dir, "a", []), step(dir, "b", ["a"]), step(dir, "c", ["a"]), step(dir, "d", ["b", "c"])];
}

describe("target graph", () => {
  test("dependencies first, each once", () => {
    const dir = tempDir("seam-all");
    expect(planOrder(graph(dir), ["d"])).toEqual(["a", "b", "c", "d"]);
    expect(planOrder(graph(dir), ["c", "b"])).toEqual(["a", "c", "b"]);
  });

  test("unknown targets and cycles are rejected with one line", () => {
    const dir = tempDir("seam-all");
    expect(() => planOrder(graph(dir), ["nope"])).toThrow("unknown target: nope");
    const cyclic = [step(dir, "x", ["y"]), step(dir, "y", ["z"]), step(dir, "z", ["x"])];
    expect(() => planOrder(cyclic, ["x"])).toThrow("dependency cycle: x → y → z → x");
    expect(() => planOrder([step(dir, "x", ["ghost"])], ["x"])).toThrow("unknown target: ghost (needed by x)");
  });

  test("seam's own graph has every target the README names and no cycle", () => {
    const steps = seamSteps({ root: ROOT, out: join(ROOT, "out"), memory: ["multi"], forms: ["component", "core"] });
    expect(planOrder(steps, ["all"])).toEqual(["tools", "fixtures", "fuse", "tier-c", "ls-gate", "comment", "all"]);
  });
});

describe("up-to-date by content", () => {
  test("a second run skips everything; a changed input re-runs exactly the step that declares it", async () => {
    const dir = tempDir("seam-all");
    const steps = graph(dir);
    await runPipeline(steps, ["d"], opts(dir));
    expect(runs(dir)).toEqual(["a", "b", "c", "d"]);
    rmSync(join(dir, "runs"));
    const again = await runPipeline(steps, ["d"], opts(dir));
    expect(again.map((o) => o.status)).toEqual(["up-to-date", "up-to-date", "up-to-date", "up-to-date"]);
    expect(runs(dir)).toEqual([]);
    writeFileSync(join(dir, "c.in"), "v2");
    await runPipeline(steps, ["d"], opts(dir));
    expect(runs(dir)).toEqual(["c"]);
  });

  test("a changed tool binary and a deleted output each re-run the affected step", async () => {
    const dir = tempDir("seam-all");
    const steps = graph(dir);
    await runPipeline(steps, ["d"], opts(dir));
    rmSync(join(dir, "runs"));
    writeFileSync(join(dir, "tool"), "tool v2 — a different size");
    await runPipeline(steps, ["a"], opts(dir));
    expect(runs(dir)).toEqual(["a"]);
    rmSync(join(dir, "runs"));
    rmSync(join(dir, "b.out"));
    await runPipeline(steps, ["d"], opts(dir));
    expect(runs(dir)).toEqual(["b", "c", "d"]);
  });

  test("--force re-runs; --dry-run runs nothing and says what would run", async () => {
    const dir = tempDir("seam-all");
    const steps = graph(dir);
    const dry = opts(dir, { dryRun: true });
    const out = await runPipeline(steps, ["d"], dry);
    expect(out.map((o) => o.status)).toEqual(["would run", "would run", "would run", "would run"]);
    expect(runs(dir)).toEqual([]);
    expect(dry.lines).toContain("[a] $ make a");
    await runPipeline(steps, ["d"], opts(dir));
    rmSync(join(dir, "runs"));
    await runPipeline(steps, ["b"], opts(dir, { force: true }));
    expect(runs(dir)).toEqual(["a", "b"]);
  });
});

describe("failures and interruption", () => {
  const failing = (dir: string) =>
    step(dir, "b", ["a"], { run: async () => ({ ok: false, note: "boom", exitCode: 4 }) });

  test("a failure stops the rest and gives its exit code; --keep-going still runs independent steps", async () => {
    const dir = tempDir("seam-all");
    const steps = [step(dir, "a", []), failing(dir), step(dir, "c", ["a"]), step(dir, "d", ["b", "c"])];
    writeFileSync(join(dir, "tool"), "t");
    const stopped = await runPipeline(steps, ["d"], opts(dir, { jobs: 1 }));
    expect(stopped.map((o) => `${o.name}:${o.status}`)).toEqual(["a:ran", "b:failed", "c:skipped", "d:skipped"]);
    expect(exitCodeOf(stopped)).toBe(4);
    rmSync(join(dir, "stamps"), { recursive: true });
    const going = await runPipeline(steps, ["d"], opts(dir, { jobs: 1, keepGoing: true }));
    expect(going.map((o) => `${o.name}:${o.status}`)).toEqual(["a:ran", "b:failed", "c:ran", "d:skipped"]);
    expect(going[3]!.note).toBe("because b failed");
    expect(summaryTable(going)).toContain("d     skipped");
  });

  test("an interrupted step leaves no stamp, so the next run re-runs it", async () => {
    const dir = tempDir("seam-all");
    writeFileSync(join(dir, "tool"), "t");
    const controller = new AbortController();
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const slow = step(dir, "slow", [], {
      run: async ({ signal }) => {
        release();
        await new Promise((r) => signal.addEventListener("abort", r));
        return { ok: true, note: "finished anyway" };
      },
    });
    const pending = runPipeline([slow], ["slow"], opts(dir, { signal: controller.signal }));
    await started;
    controller.abort();
    const [out] = await pending;
    expect(out!.status).toBe("interrupted");
    expect(existsSync(join(dir, "stamps", "slow.json"))).toBe(false);
  });

  test("parallel steps never interleave within a line", async () => {
    const dir = tempDir("seam-all");
    writeFileSync(join(dir, "tool"), "t");
    const chatty = (name: string) =>
      step(dir, name, [], {
        run: async ({ log }) => {
          for (let i = 0; i < 50; i++) log(`line ${i} of ${name}`);
          return { ok: true, note: "" };
        },
      });
    const o = opts(dir);
    await runPipeline([chatty("p"), chatty("q")], ["p", "q"], o);
    expect(o.lines.filter((l) => /^\[(p|q)\] line \d+ of (p|q)$/.test(l) && l[1] === l[l.length - 1]).length).toBe(100);
  });
});

describe("the workflow users copy", () => {
  test("parses, and every run: line names a script or command that exists", () => {
    const dir = join(ROOT, ".github", "workflows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
    expect(files.sort()).toEqual(["seam-comment.yml", "seam.yml"]);
    let lines = 0;
    for (const f of files) {
      const wf = parseYaml(readFileSync(join(dir, f), "utf8")) as {
        on: unknown;
        jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
      };
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

/** The copy's corpus cut to `names`: its manifest keeps their entries, its ledger their names (the rest as written). */
function sliceCorpus(copy: string, names: string[]): void {
  const manifestPath = join(copy, "fixtures", "manifest.yaml");
  const manifest = parseDocument(readFileSync(manifestPath, "utf8"));
  const entries = manifest.get("fixtures") as YAMLSeq<YAMLMap>;
  entries.items = entries.items.filter((f) => names.includes(String(f.get("name"))));
  writeFileSync(manifestPath, manifest.toString());
  const ledgerPath = join(copy, "fixtures", "known-blockers.yaml");
  const ledger = parseDocument(readFileSync(ledgerPath, "utf8"));
  for (const b of (ledger.get("blockers") as YAMLSeq<YAMLMap>).items) {
    const covered = b.get("fixtures") as YAMLSeq<Scalar<string>>;
    covered.items = covered.items.filter((f) => f.value === "*" || names.includes(f.value));
  }
  writeFileSync(ledgerPath, ledger.toString());
}

describe("end to end on a temporary copy (real meld and jco)", () => {
  // A slice of the corpus: a C command and a composed invoke fixture, each covered by one ledger entry.
  // The whole corpus is the main job's work (all.ts in CI), not the unit suite's.
  const SLICE = ["compute_composed", "hello_c_cli"];
  type Row = { fixture: string; mode?: string; memory?: string; form: string };

  test("fixtures → fuse → tier-c run on a slice of the corpus, then a no-op rerun is all up to date", async () => {
    const copy = join(tempDir("seam-e2e"), "seam");
    mkdirSync(copy);
    for (const p of ["package.json", "tsconfig.json", "bunfig.toml", "scripts", "fixtures", "safety"])
      cpSync(join(ROOT, p), join(copy, p), { recursive: true, filter: (src) => !src.includes("/target") });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    symlinkSync(join(ROOT, ".tools"), join(copy, ".tools"));
    // jco's transpiles are keyed by component bytes and jco version, like .tools/ a cache of tool work, not
    // pipeline state: shared, so the copy's cold run pays for no transpile another test already made.
    mkdirSync(join(ROOT, ".seam", "jco"), { recursive: true });
    mkdirSync(join(copy, ".seam"));
    symlinkSync(join(ROOT, ".seam", "jco"), join(copy, ".seam", "jco"));
    sliceCorpus(copy, SLICE);
    const env = { KILND: undefined, MELD_KILND: undefined };
    const run = (args: string[]) =>
      runProcess([process.execPath, join(copy, "scripts", "all.ts"), ...args], {
        cwd: copy,
        env: { ...process.env, ...env, NO_COLOR: "1" },
        timeoutMs: 600_000,
      });
    const cold = await run(["fuse", "tier-c", "--memory", "multi"]);
    expect(cold.code).toBe(0);
    expect(cold.stdout).toMatch(/fuse\s+ran/);
    expect(cold.stdout).toMatch(/tier-c\s+ran/);
    expect(cold.stderr).toContain("[fuse] $ bun scripts/fuse.ts");
    const rows = JSON.parse(readFileSync(join(copy, "out", "tier-c", "results.json"), "utf8")).rows as Row[];
    expect(rows.map((r) => `${r.fixture}/${r.mode}/${r.form}`).sort()).toEqual(
      SLICE.flatMap((f) => [`${f}/multi/component`, `${f}/multi/core`]),
    );
    const fused = JSON.parse(readFileSync(join(copy, "out", "fused", "index.json"), "utf8")) as Row[];
    expect(fused.map((r) => `${r.fixture}/${r.memory}/${r.form}`).sort()).toEqual(
      SLICE.flatMap((f) => [`${f}/multi/component`, `${f}/multi/core`]),
    );
    const warm = await run(["fuse", "tier-c", "--memory", "multi"]);
    expect(warm.code).toBe(0);
    for (const s of ["tools", "fixtures", "fuse", "tier-c"])
      expect(warm.stdout).toMatch(new RegExp(`${s}\\s+up-to-date`));
    // Compared with its own previous results (read first, moved aside): the diff is in results.json for the comment.
    const previous = readFileSync(join(copy, "out", "tier-c", "results.json"), "utf8");
    const compared = await run(["tier-c", "--memory", "multi", "--baseline", "out/tier-c/results.json"]);
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/tier-c\s+ran\s.*; no change since base \(4 rows unchanged\)/);
    expect(compared.stderr).toContain(
      "[tier-c] $ bun scripts/tier-c.ts --memory multi --form component,core --out out/tier-c --baseline out/tier-c/baseline.json --fail-on regressed",
    );
    expect(readFileSync(join(copy, "out", "tier-c", "baseline.json"), "utf8")).toBe(previous);
    expect(JSON.parse(readFileSync(join(copy, "out", "tier-c", "results.json"), "utf8")).diff.summary).toMatch(
      /^no change since base/,
    );
    expect(existsSync(join(copy, "out", "tier-c", "compare.md"))).toBe(true);
  });

  test("CLI: --list and unknown targets", async () => {
    const list = await runScript("all.ts", ["--list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("tier-c");
    const bad = await runScript("all.ts", ["deploy"]);
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([2, "all: error: unknown target: deploy"]);
  });
});
