import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { parseDocument, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import {
  exitCodeOf,
  planOrder,
  runPipeline,
  summaryTable,
  type PipelineOptions,
  type PipelineStep,
} from "./lib/core/pipeline.ts";
import { resultsGuide, seamSteps } from "./all.ts";
import { runProcess } from "./lib/core/proc.ts";
import { copySeam, pgrep, processesLeft, runScript, tempDir } from "./testing/testkit.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { ROOT } from "./lib/core/paths.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

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

/** What a copy of seam needs to run all.ts (node_modules and .tools are linked by copySeam). */
const COPY_PARTS = ["package.json", "tsconfig.json", "bunfig.toml", "scripts", "fixtures", "safety"];

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
    const covered = b.get("fixtures") as YAMLSeq<Scalar<string>> | undefined;
    if (!covered) continue; // an entry scoped by signature names no fixture
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
    const copy = copySeam(tempDir("seam-e2e"), COPY_PARTS);
    // jco's transpiles are keyed by component bytes and jco version, like .tools/ a cache of tool work, not
    // pipeline state: shared, so the copy's cold run pays for no transpile another test already made.
    mkdirSync(join(ROOT, ".seam", "jco"), { recursive: true });
    mkdirSync(join(copy, ".seam"));
    symlinkSync(join(ROOT, ".seam", "jco"), join(copy, ".seam", "jco"));
    sliceCorpus(copy, SLICE);
    const env = { KILND: "none", MELD_KILND: undefined };
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

describe("all.ts under a signal (a copy cut to two fixtures, kilnd a test double that hangs)", () => {
  let copy = "";
  const tag = `seam-all-hang-${process.pid}`;
  beforeAll(() => {
    copy = copySeam(tempDir("seam-all-signal"), COPY_PARTS);
    sliceCorpus(copy, ["compute_composed", "hello_c_cli"]); // each ledger entry keeps a fixture
  });
  afterAll(() => rmSync(dirname(copy), { recursive: true, force: true }));

  /** Starts all.ts in the copy, waits (up to 4 min: the first run builds and fuses) until `ready` says the
   * point is reached, then sends `sig`; an all.ts that never gets there is killed, so no test leaves it. */
  async function interrupt(args: string[], ready: (stderr: string) => boolean, sig: NodeJS.Signals) {
    const kilnd = writeFakeKilnd(join(copy, ".."), { FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag });
    const env = { ...process.env, KILND: kilnd, MELD_KILND: undefined, NO_COLOR: "1" };
    const p = spawn(process.execPath, [join(copy, "scripts", "all.ts"), ...args], {
      cwd: copy,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    p.stdout!.on("data", (c) => (err += c));
    p.stderr!.on("data", (c) => (err += c));
    const closed = new Promise<number | null>((done) => p.on("close", (code) => done(code)));
    const deadline = Date.now() + 240_000;
    while (!ready(err) && Date.now() < deadline && p.exitCode === null) await Bun.sleep(50);
    const reached = ready(err);
    p.kill(reached ? sig : "SIGKILL");
    const exit = await closed;
    const left = await processesLeft(copy);
    return { reached, exit, left, err: exit === null || exit < 100 ? err.slice(-3000) : "" };
  }

  /** What tier-c left in the copy's out/: results (none, or marked interrupted), faults in the cache, the lock. */
  function leftovers() {
    const out = join(copy, "out", "tier-c");
    const results = existsSync(join(out, "results.json"))
      ? (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { interrupted?: string })
      : undefined;
    const cache = join(out, ".cache");
    const texts = existsSync(cache)
      ? readdirSync(cache, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith(".json"))
          .map((f) => readFileSync(join(cache, f), "utf8"))
      : [];
    const faults = texts.filter((t) => /"verdict": ?"(interrupted|killed|crashed|timeout|memory-limit)"/.test(t));
    return {
      complete: results !== undefined && !results.interrupted,
      faults,
      locked: existsSync(join(out, ".seam.lock")),
    };
  }

  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)
    test(`${sig} while tier-c's kiln cells run: exit ${code}, every child gone within 2 s, no complete results, no cached fault`, async () => {
      const run = await interrupt(["tier-c", "--memory", "multi", "--form", "core"], () => pgrep(tag) !== "", sig);
      const { reached, exit, left, err } = run;
      expect({ reached, exit, err }).toEqual({ reached: true, exit: code, err: "" });
      expect(left).toBe("");
      expect(await processesLeft(tag)).toBe("");
      expect(leftovers()).toEqual({ complete: false, faults: [], locked: false });
    }, 300_000);

  test("SIGINT while the fixtures step runs (its own child process): exit 130, every child gone within 2 s", async () => {
    // The step's command line is relative (bun scripts/fixtures.ts), so the point is all.ts's own line for it.
    const started = (stderr: string) => stderr.includes("[fixtures] $ bun scripts/fixtures.ts");
    const { reached, exit, left, err } = await interrupt(["fixtures", "--force"], started, "SIGINT");
    expect({ reached, exit, err }).toEqual({ reached: true, exit: 130, err: "" });
    expect(left).toBe("");
  }, 300_000);
});

test("the run ends by naming what it wrote, and only what exists", () => {
  const out = tempDir("seam-guide");
  try {
    expect(resultsGuide(out)).toEqual([]);
    mkdirSync(join(out, "tier-c"), { recursive: true });
    for (const f of ["summary.md", "findings.md"]) writeFileSync(join(out, "tier-c", f), "");
    const lines = resultsGuide(out);
    expect(lines[0]).toBe("results:");
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0]!.split("/").slice(-2).join("/"))).toEqual([
      "tier-c/summary.md",
      "tier-c/findings.md",
      `${out.split("/").at(-1)}/tier-c`,
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
