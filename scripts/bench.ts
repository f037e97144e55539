#!/usr/bin/env bun
/**
 * bench — seam's speed claims, measured side by side in one run and printed with the inputs they used:
 * --help latency of every script, run-kiln's overhead over calling the engine directly, tier-c's warm
 * rerun (and tool launches) and its cold -j2 vs -j1 speed-up, ls-gate's one run vs one-run-per-ID,
 * all.ts's no-op rerun next to its cold run, and `tier-c compare` on two generated 2,000-row results.
 * Benchmarks, not tests: they report, they do not assert.
 * Called by: people changing those scripts (`npm run bench`); numbers go into issue notes.
 * Usage: bun scripts/bench.ts [help|run-kiln|tier-c|ls-gate|all|compare|builds]... [--reps N] [--json]
 * Exit: 0 measured (each goal is printed as met or missed), 2 usage error, 3 a tool is missing
 */
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enumItems, parseCli, positiveInt, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, usageError } from "./lib/core/errors.ts";
import { launchCount, runProcess, type Env } from "./lib/core/proc.ts";
import { ROOT } from "./lib/core/paths.ts";
import { checkTool } from "./lib/tools/identity.ts";
import { runMatrix } from "./lib/tierc/rows.ts";
import { loadFixtures, MATRIX_DEFAULTS, type ToolChoice } from "./lib/tierc/matrix.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { MEMORY_MODES } from "./lib/engines/records.ts";
import { writeReports } from "./lib/tierc/write.ts";
import { benchLsGate } from "./lib/lsgate/bench.ts";
import { compareReports } from "./lib/compare/compare.ts";
import { loadResults } from "./lib/compare/io.ts";
import { renderCompareMarkdown } from "./lib/compare/render.ts";
import { atomicWriteJson } from "./lib/core/fsx.ts";
import { syntheticPair } from "./testing/sample-reports.ts";
import { jsonText } from "./lib/core/render.ts";

export interface Measure {
  name: string;
  /** What was measured with what. */
  inputs: string;
  value: number;
  unit: "ms" | "x" | "launches";
  goal?: string;
  met?: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function wall(argv: string[], reps: number, env?: Env): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const p = await runProcess(argv, { env: { ...process.env, ...env }, timeoutMs: 600_000 });
    if (p.code !== 0 && p.code !== 1)
      throw usageError(`benchmark command failed (${p.code}): ${argv.join(" ")}: ${p.stderr.split("\n")[0]}`);
    times.push(p.ms);
  }
  return median(times);
}

const SCRIPTS = ["tools", "fuse", "run-kiln", "tier-c", "ls-gate", "post-comment", "all", "fixtures"];

export async function benchHelp(reps: number): Promise<Measure[]> {
  const out: Measure[] = [];
  for (const s of SCRIPTS) {
    const ms = await wall([process.execPath, join(ROOT, "scripts", `${s}.ts`), "--help"], reps);
    out.push({
      name: `${s}.ts --help`,
      inputs: `bun ${Bun.version}, median of ${reps}`,
      value: ms,
      unit: "ms",
      goal: "≤ 150 ms",
      met: ms <= 150,
    });
  }
  return out;
}

export async function benchRunKiln(reps: number): Promise<Measure[]> {
  const wasm = join(ROOT, "fixtures", "hello_c_cli.wasm");
  const out: Measure[] = [];
  for (const engine of ["wasmtime", "jco"] as const) {
    const tool = (await checkTool(engine, { required: true })).found!.path;
    const direct = await wall(engine === "wasmtime" ? [tool, "run", wasm] : [tool, "run", wasm], reps);
    const wrapped = await wall(
      [process.execPath, join(ROOT, "scripts", "run-kiln.ts"), wasm, "--engine", engine],
      reps,
    );
    const inputs = `fixtures/hello_c_cli.wasm; direct \`${engine} run\` ${direct} ms vs \`bun scripts/run-kiln.ts --engine ${engine}\` ${wrapped} ms; median of ${reps}`;
    out.push({
      name: `run-kiln overhead (${engine})`,
      inputs,
      value: wrapped - direct,
      unit: "ms",
      goal: "≤ 50 ms",
      met: wrapped - direct <= 50,
    });
  }
  return out;
}

/** tier-c's measures: cold at -j1 and -j2, the speed-up, and the warm rerun with the tools it started. */
function tierCMeasures(inputs: string, j1: number, j2: number, warmMs: number, launches: number): Measure[] {
  return [
    { name: "tier-c cold -j1", inputs, value: j1, unit: "ms" },
    { name: "tier-c cold -j2", inputs, value: j2, unit: "ms" },
    {
      name: "tier-c cold speed-up -j2 over -j1",
      inputs: `${j1} ms / ${j2} ms`,
      value: +(j1 / j2).toFixed(2),
      unit: "x",
      goal: "≥ 1.7×",
      met: j1 / j2 >= 1.7,
    },
    {
      name: "tier-c warm rerun",
      inputs: `same matrix, cache warm (${inputs})`,
      value: warmMs,
      unit: "ms",
      goal: "≤ 300 ms",
      met: warmMs <= 300,
    },
    {
      name: "tier-c warm rerun tool launches",
      inputs: "programs started during the warm rerun",
      value: launches,
      unit: "launches",
      goal: "0",
      met: launches === 0,
    },
  ];
}

/** tier-c on the real corpus (kilnd as found; absent → kiln cells skipped), in-process. */
export async function benchTierC(): Promise<Measure[]> {
  const fixtures = loadFixtures(join(ROOT, "fixtures", "manifest.yaml"), []);
  const base = mkdtempSync(join(tmpdir(), "seam-bench-tierc-"));
  const common = { ...MATRIX_DEFAULTS, fixtures, modes: [...MEMORY_MODES], ledger: [] };
  try {
    const cold = async (jobs: number) => {
      rmSync(join(ROOT, ".seam", "jco"), { recursive: true, force: true }); // jco's transpile cache too: really cold
      const t = performance.now();
      const r = await runMatrix({ ...common, outDir: join(base, `j${jobs}`), jobs, cache: true });
      writeReports(r, join(base, `j${jobs}`));
      return { ms: Math.round(performance.now() - t), rows: r.rows.length, kilnd: r.tools.kilnd?.version ?? "absent" };
    };
    progress("tier-c: cold -j1 …");
    const j1 = await cold(1);
    progress("tier-c: cold -j2 …");
    const j2 = await cold(2);
    const before = launchCount();
    const t = performance.now();
    const warm = await runMatrix({ ...common, outDir: join(base, "j2"), jobs: 2, cache: true });
    writeReports(warm, join(base, "j2"));
    const warmMs = Math.round(performance.now() - t);
    const launches = launchCount() - before;
    const inputs = `${fixtures.length} fixtures × multi,shared = ${j1.rows} rows, reference jco (wasmtime where the manifest says), kilnd ${j1.kilnd}, empty result and transpile caches`;
    return tierCMeasures(inputs, j1.ms, j2.ms, warmMs, launches);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

export async function benchLsGateMeasures(): Promise<Measure[]> {
  const r = await benchLsGate({ log: progress });
  const inputs = `${r.ids} approved IDs, ${r.tests} tests, slow: ${r.slowTests.map((s) => `${s.name} ${s.ms} ms`).join(", ") || "none"}; buckets identical: ${r.identical}`;
  return [
    {
      name: "ls-gate one run over plain cargo test",
      inputs: `${median(r.gateMs)} ms / ${median(r.plainMs)} ms; ${inputs}`,
      value: +r.gateOverPlain.toFixed(2),
      unit: "x",
      goal: "≤ 1.2×",
      met: r.gateOverPlain <= 1.2,
    },
    {
      name: "upstream one-run-per-ID over ls-gate",
      inputs: `${r.perIdMs} ms (${r.perIdCargoRuns} cargo runs) / ${median(r.gateMs)} ms`,
      value: +r.perIdOverGate.toFixed(2),
      unit: "x",
    },
  ];
}

/** all.ts in the project itself: a cold run of the given targets (--force), then a no-op rerun. */
export async function benchAll(targets: string[]): Promise<Measure[]> {
  const all = join(ROOT, "scripts", "all.ts");
  const env = { NO_COLOR: "1" };
  const cold = await wall([process.execPath, all, ...targets, "--force"], 1, env);
  const noop = await wall([process.execPath, all, ...targets], 3, env);
  const inputs = `bun scripts/all.ts ${targets.join(" ")}: cold (--force) ${cold} ms, no-op median of 3`;
  return [
    { name: "all.ts cold", inputs, value: cold, unit: "ms" },
    { name: "all.ts no-op rerun", inputs, value: noop, unit: "ms", goal: "≤ 500 ms", met: noop <= 500 },
  ];
}

/** Two builds against the ideal (T0 + 2·(T1 − T0): shared cells once, kiln cells twice) and against two runs. */
function buildsMeasures(inputs: string, t0: number, t1: number, t2: number): Measure[] {
  const ideal = t0 + 2 * (t1 - t0);
  return [
    {
      name: "two kilnd builds over ideal sharing",
      inputs: `T2 / (T0 + 2·(T1 − T0)) = ${t2} / ${ideal}; ${inputs}`,
      value: +(t2 / ideal).toFixed(2),
      unit: "x",
      goal: "≤ 1.2×",
      met: t2 / ideal <= 1.2,
    },
    {
      name: "two kilnd builds over two separate runs",
      inputs: `T2 / (2·T1) = ${t2} / ${2 * t1}`,
      value: +(t2 / (2 * t1)).toFixed(2),
      unit: "x",
    },
  ];
}

/**
 * Two kilnd builds in one tier-c run against one: the fuse and reference cells are shared, so two builds
 * should cost their kiln cells twice and the rest once. Wall clock, -j2, result cache off (jco's
 * transpile cache warmed first): T0 without kilnd (the shared cells), T1 with one, T2 with two, each the
 * median of `reps`; ideal = T0 + 2·(T1 − T0). kilnd is $KILND when set, else the replaying test double
 * (scripts/testing/fake-kilnd.ts); the second build is a copy with one byte more, so nothing of the first's
 * is reused.
 */
export async function benchBuilds(reps: number): Promise<Measure[]> {
  const fixtures = loadFixtures(join(ROOT, "fixtures", "manifest.yaml"), []);
  const dir = mkdtempSync(join(tmpdir(), "seam-bench-builds-"));
  try {
    const real = process.env.KILND && existsSync(process.env.KILND) ? process.env.KILND : undefined;
    const a = real ?? writeFakeKilnd(dir);
    const b = join(dir, "kilnd-b");
    copyFileSync(a, b);
    appendFileSync(b, real ? "\0" : "# a second build\n");
    chmodSync(b, 0o755);
    const env = { ...process.env, KILND: undefined, MELD_KILND: undefined, FAKE_KILND_SCENARIO: "auto" };
    // A real kilnd's cells are slower than the defaults allow for on a loaded machine: twice the timeout.
    const common = {
      ...MATRIX_DEFAULTS,
      fixtures,
      ledger: [],
      timeoutMs: 2 * MATRIX_DEFAULTS.timeoutMs,
      jobs: 2,
      cache: false,
      env,
    };
    const run = async (tag: string, kilnd: ToolChoice[]) => {
      const t = performance.now();
      const r = await runMatrix({ ...common, outDir: join(dir, tag), kilnd });
      return { ms: Math.round(performance.now() - t), rows: r.rows.length };
    };
    await run("warm", [{ path: a }]); // jco's transpile cache, file caches: warm for all three
    const timed = async (tag: string, kilnd: ToolChoice[]) => {
      const xs = [];
      for (let i = 0; i < reps; i++) xs.push(await run(`${tag}${i}`, kilnd));
      return { ms: median(xs.map((x) => x.ms)), rows: xs[0]!.rows };
    };
    progress("builds: no kilnd, one kilnd, two kilnds …");
    const t0 = await timed("none", []);
    const t1 = await timed("one", [{ path: a }]);
    const t2 = await timed("two", [
      { label: "a", path: a },
      { label: "b", path: b },
    ]);
    const inputs = `${fixtures.length} fixtures × multi × component,core, -j2, result cache off, kilnd ${real ? `$KILND (${real})` : "the replaying test double"}; T0 (no kilnd) ${t0.ms} ms, T1 (one) ${t1.ms} ms (${t1.rows} rows), T2 (two) ${t2.ms} ms (${t2.rows} rows); median of ${reps}`;
    return buildsMeasures(inputs, t0.ms, t1.ms, t2.ms);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `tier-c compare` on two generated results of `rows` rows: in-process (read, parse, compare, render)
 * and as the CLI a person runs (bun's start included). */
export async function benchCompare(reps: number, rows = 2_000): Promise<Measure[]> {
  const dir = mkdtempSync(join(tmpdir(), "seam-bench-compare-"));
  try {
    const { base, head, expected } = syntheticPair(rows);
    const [b, h] = [join(dir, "base.json"), join(dir, "head.json")];
    atomicWriteJson(b, base);
    atomicWriteJson(h, head);
    const once = () => {
      const t = performance.now();
      const d = compareReports(loadResults(b).report, loadResults(h).report);
      renderCompareMarkdown(d);
      JSON.stringify(d);
      return { ms: performance.now() - t, d };
    };
    once(); // warm the JIT, as a second run in one process would be
    const runs = Array.from({ length: Math.max(reps, 5) }, once);
    const ms = +median(runs.map((r) => r.ms)).toFixed(1);
    const d = runs[0]!.d;
    const kb = (f: string) => Math.round(statSync(f).size / 1024);
    const inputs = `two generated results of ${rows} rows (fixture × multi,shared × component,core, 5 cells a row; ${kb(b)} KB and ${kb(h)} KB): ${d.summary}, ${d.unchanged} unchanged (expected ${expected.fixed} fixed, ${expected.regressed} regressed, ${expected.moved} moved)`;
    const cli = await wall(
      [process.execPath, join(ROOT, "scripts", "tier-c.ts"), "compare", b, h, "--out", join(dir, "compare.md")],
      reps,
    );
    return [
      {
        name: "compare 2×2,000 rows (read, compare, render)",
        inputs: `${inputs}; in-process, median of ${runs.length}`,
        value: ms,
        unit: "ms",
        goal: "≤ 100 ms",
        met: ms <= 100,
      },
      {
        name: "compare 2×2,000 rows, the CLI",
        inputs: `bun scripts/tier-c.ts compare base.json head.json --out compare.md (bun's start included), median of ${reps}`,
        value: cli,
        unit: "ms",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(ms: Measure[]): string {
  return ms
    .map((m) => {
      const verdict = m.goal ? ` [goal ${m.goal}: ${m.met ? "met" : "MISSED"}]` : "";
      return `${m.name.padEnd(42)} ${String(m.value).padStart(8)} ${m.unit}${verdict}\n    ${m.inputs}`;
    })
    .join("\n");
}

const HELP = `bench — seam's speed claims, measured side by side with their inputs

Usage: bun scripts/bench.ts [help|run-kiln|tier-c|ls-gate|all|compare|builds]... [--reps N] [--json]
  (default: help run-kiln tier-c compare; ls-gate generates and builds a 60-ID crate, about a minute;
   all runs the full pipeline cold, test suite included, several minutes; compare generates two
   2,000-row results and compares them in-process and through the CLI; builds times tier-c with no,
   one and two kilnd builds (at most 3 reps each), $KILND or the replaying test double)
  --reps N   repetitions for the per-command medians (default 5)
  --json     the measures as JSON

Exit: 0 measured (goals are reported, not enforced), 2 usage error, 3 a tool is missing`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    reps: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const reps = positiveInt("--reps", values.reps);
  const which = positionals.length ? positionals : ["help", "run-kiln", "tier-c", "compare"];
  const known: Record<string, () => Promise<Measure[]>> = {
    help: () => benchHelp(reps),
    "run-kiln": () => benchRunKiln(reps),
    "tier-c": benchTierC,
    "ls-gate": benchLsGateMeasures,
    all: () => benchAll(["tools", "fixtures", "fuse", "tier-c", "ls-gate"]),
    compare: () => benchCompare(reps),
    builds: () => benchBuilds(Math.min(reps, 3)),
  };
  enumItems("benchmark", which, Object.keys(known));
  const measures: Measure[] = [];
  for (const w of which) {
    progress(`bench: ${w}`);
    measures.push(...(await known[w]!()));
  }
  process.stdout.write(values.json ? jsonText(measures) : render(measures) + "\n");
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("bench", main);
