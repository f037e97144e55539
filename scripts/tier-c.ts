#!/usr/bin/env bun
/**
 * tier-c — the meld→kiln seam matrix. For each fixture, memory mode and output form: the reference
 * engine on the original is the oracle, kilnd on the original the baseline (components only), then
 * fuse, the reference on meld's output, and kilnd on the fused file — the seam. Two forms:
 * `component` (upstream's Tier C: `meld fuse --component`, `kilnd FILE --component --wasi`) and `core`
 * (kiln's RFC #46 path: meld's default core module, `kilnd FILE --wasi`, exports by `--function`).
 * Each row gets one verdict saying whose bug it is and the evidence it rests on, is held against the
 * known-blocker ledger, and every failure leaves a repro bundle that tier-c re-runs once.
 * Called by: scripts/all.ts (target tier-c), CI, people tracking a kiln blocker.
 * Usage: bun scripts/tier-c.ts [--fixture NAME]... [--memory multi,shared] [--form component,core]
 *          [--out DIR] [-j N] [--shard i/n] [--strict] [--no-cache] [--json] [--reference jco|wasmtime]
 *          [--ledger FILE] [--manifest FILE] [--baseline BASE [--fail-on regressed|moved|any|none]]
 *        bun scripts/tier-c.ts FILE.wasm|DIR... [--arg A]... [--env K=V]... [--stdin FILE] [--invoke EXPORT]...
 *          [--save-fixture NAME] [the options above but --fixture]      (ad hoc: lib/adhoc.ts)
 *        bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
 *        bun scripts/tier-c.ts compare BASE HEAD [--fail-on …] [--build LABEL] [--json] [--out FILE] [--junit FILE]
 */
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { fuse } from "./fuse.ts";
import { runComponent } from "./run-kiln.ts";
import { decide, type CellRun, type KnownMeld } from "./lib/attribution.ts";
import { codeIdentity, ResultCache, toolIdentity, type ToolIdentity } from "./lib/cache.ts";
import {
  color,
  enumList,
  enumValue,
  noDuplicates,
  parseCli,
  positiveInt,
  positiveNumber,
  positiveSeconds,
  progress,
  runCli,
} from "./lib/cli.ts";
import { EXIT, usageError } from "./lib/errors.ts";
import { checkLedgerFixtures, loadLedger, type Blocker } from "./lib/ledger.ts";
import { rerunBundle, writeBundle, type ReproInput } from "./lib/bundle.ts";
import { limiter } from "./lib/pool.ts";
import { annotation, annotations } from "./lib/gh-actions.ts";
import {
  FORMS,
  formatSignature,
  FUSE_FLAGS,
  MEMORY_MODES,
  type Form,
  type FuseRecord,
  type MemoryMode,
  type RunRecord,
} from "./lib/records.ts";
import { checkTool, checkTools, lookupTool, missingToolError, ROOT } from "./lib/tools.ts";
import {
  buildReport,
  mergeReports,
  toolName,
  writeReports,
  type Cell,
  type Row,
  type Step,
  type TierCReport,
  type Verdict,
} from "./lib/tierc-report.ts";
import {
  compareJUnit,
  compareReports,
  diffExitCode,
  loadResults,
  parseFailOn,
  renderCompareMarkdown,
  takeBaseline,
  writeDiff,
} from "./lib/compare.ts";
import { atomicWrite, checkOutputs, requireFolder, sha256, shownPath } from "./lib/fsx.ts";
import { loadManifest, type Fixture } from "./lib/manifest.ts";
import { expectationText, judgeRun } from "./lib/judge.ts";
import { adhocNotices, collectAdhocInputs, parseAdhocSpec, type AdhocFixture } from "./lib/adhoc.ts";
import { recordExpectations } from "./lib/adhoc-record.ts";
import { checkSaveTarget, saveFixture } from "./lib/save-fixture.ts";

export type { CellRun } from "./lib/attribution.ts";

/** Where results go without --out: under seam's root, like every default output (never the working folder). */
export const DEFAULT_OUT = join(ROOT, "out", "tier-c");

/** What the matrix needs of a fixture; built from the manifest, or by tests directly. */
export interface MatrixFixture {
  name: string;
  file: string;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  /** Exports to call; empty for a wasi:cli command. */
  invokes: string[];
  /** Of those, the ones with non-scalar results that kilnd cannot print: reference only. */
  referenceOnly?: string[];
  /** The expectation in words, for REPRO.md. */
  expectText: string;
  /** The exact stdout a command must print, when the manifest names it (REPRO.md shows it). */
  expectedStdout?: string;
  judge: (run: RunRecord, invoke?: string) => { ok: boolean; why: string };
  /** A reference engine other than the matrix's default, where that one cannot judge this fixture
   * (jco 1.35 does not run multi-memory core modules, nor pipe more than 64 KiB of stdout). */
  reference?: { original?: RefEngine; fused?: Partial<Record<MemoryMode, RefEngine>> };
  /** What the manifest records real meld doing per mode: a recorded mis-fusion is a known meld bug. */
  knownMeld?: Partial<Record<MemoryMode, KnownMeld>>;
}

export type RefEngine = "jco" | "wasmtime";

/** A tool build given on the command line (`--kilnd old=PATH`). */
export interface ToolChoice {
  label?: string;
  path: string;
}

export interface MatrixOptions {
  fixtures: MatrixFixture[];
  modes: MemoryMode[];
  /** Output forms; default both. */
  forms?: Form[];
  outDir: string;
  jobs: number;
  shard?: { index: number; count: number };
  strict: boolean;
  cache: boolean;
  ledger: Blocker[];
  /** The default reference engine; a fixture can name another. */
  reference: RefEngine;
  timeoutMs: number;
  fuel?: number;
  /** The kilnd and meld builds: one path, or several (labelled) to compare builds in one run. */
  kilnd?: string | ToolChoice[];
  meld?: string | ToolChoice[];
  /** Environment for tool lookup and every tool run (tests inject KILND); defaults to process.env. */
  env?: Record<string, string | undefined>;
  onProgress?: (line: string) => void;
}

const skippedCell = (why: string): CellRun => ({ status: "skipped", ok: null, why, records: [], ms: 0, cached: false });

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw usageError(
      `--shard expects i/n with 1 ≤ i ≤ n, got: ${text}`,
      "e.g. --shard 1/2 and --shard 2/2, then `merge`",
    );
  return { index, count };
}

/** Fixture names in a shard: a deterministic slice by sorted name, so shards never overlap. */
export function shardFixtures<T extends { name: string }>(
  fixtures: T[],
  shard?: { index: number; count: number },
): T[] {
  const sorted = [...fixtures].sort((a, b) => a.name.localeCompare(b.name));
  return shard ? sorted.filter((_, i) => i % shard.count === shard.index - 1) : sorted;
}

export function fromManifest(f: Fixture): MatrixFixture {
  const stdout = f.expect?.kind === "exit" ? f.expect.stdout : undefined;
  return {
    name: f.name,
    file: f.file,
    args: f.args,
    env: f.env,
    ...(f.stdin ? { stdin: f.stdin } : {}),
    invokes: f.invoke.map((c) => c.export),
    referenceOnly: f.invoke.filter((c) => c.referenceOnly).map((c) => c.export),
    expectText: expectationText(f),
    ...(stdout !== undefined ? { expectedStdout: stdout } : {}),
    judge: (run, invoke) => judgeRun(run, f, invoke),
    reference: {
      ...(f.reference ? { original: f.reference.engine } : {}),
      fused: Object.fromEntries(
        MEMORY_MODES.flatMap((m) => {
          const e = f.meld[m].reference ?? f.reference?.engine;
          return e ? [[m, e]] : [];
        }),
      ),
    },
    knownMeld: Object.fromEntries(
      MEMORY_MODES.map((m) => [
        m,
        { outcome: f.meld[m].outcome, ...(f.meld[m].message ? { message: f.meld[m].message } : {}) },
      ]),
    ),
  };
}

/** An ad hoc input: the manifest's judge on the expectation recorded from the reference; with no
 * expectation, every run fails with the refusal, so the row is reference-fail and says why. */
export function fromAdhoc(a: AdhocFixture): MatrixFixture {
  const { knownMeld: _unknownYet, ...fx } = fromManifest(a.fixture);
  const refusal = a.refusal;
  if (refusal) return { ...fx, expectText: refusal, judge: () => ({ ok: false, why: refusal }) };
  return { ...fx, expectText: `${fx.expectText} (recorded from ${a.recordedOn} on the unfused original, ad hoc)` };
}

export function loadFixtures(manifestPath: string, names: string[]): MatrixFixture[] {
  const all = loadManifest(manifestPath).fixtures.map(fromManifest);
  for (const n of names)
    if (!all.some((f) => f.name === n))
      throw usageError(`no fixture named ${n} in ${manifestPath}`, `known: ${all.map((f) => f.name).join(", ")}`);
  return names.length ? all.filter((f) => names.includes(f.name)) : all;
}

type Engine = "kiln" | RefEngine;
interface Fused {
  rec: FuseRecord | undefined;
  path: string;
  cached: boolean;
}

/** One kilnd × meld pairing of a run: its rows carry `label` when the run has several. */
interface Build {
  label: string;
  kiln?: ToolIdentity;
  meld?: ToolIdentity;
}

/** What one matrix run shares between its cells: options, cache, pool, tool identities, memo, notices. */
interface Ctx {
  o: MatrixOptions & { forms: Form[] };
  cache: ResultCache;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  builds: Build[];
  ref: Partial<Record<RefEngine, ToolIdentity>>;
  memo: Map<string, Promise<unknown>>;
  notices: string[];
  tick: (fixture: string, where: string, step: string, c: { status: string; ms: number; cached: boolean }) => void;
}

/** One promise per key per run: a cell several rows need (a fusion, an evidence run) runs once. */
function once<T>(ctx: Ctx, key: string, make: () => Promise<T>): Promise<T> {
  if (!ctx.memo.has(key)) ctx.memo.set(key, make());
  return ctx.memo.get(key) as Promise<T>;
}

/** Judges an engine's records against the fixture; done on every run, so a changed expectation
 * never reads a stale verdict from the cache (only the engine's raw records are cached). */
function judgeCell(fx: MatrixFixture, records: RunRecord[], cached: boolean): CellRun {
  const judged = records.map((r) => ({ r, j: fx.judge(r, r.invoke) }));
  const bad = judged.find((x) => !x.j.ok);
  const pick = bad ?? judged[0]!;
  const c: CellRun = {
    status: pick.r.verdict,
    ok: !bad,
    why: pick.j.why,
    records,
    ms: records.reduce((a, r) => a + r.ms, 0),
    cached,
  };
  if (pick.r.signature) c.signature = pick.r.signature;
  return c;
}

/** Runs `engine` on one wasm (its tool: `id`) for a fixture: the command once, or each invoke. */
async function runCell(
  ctx: Ctx,
  fx: MatrixFixture,
  engine: Engine,
  id: ToolIdentity | undefined,
  wasm: string,
  wasmSha: string,
): Promise<CellRun> {
  const { o, cache } = ctx;
  if (!id) return skippedCell(`${engine === "kiln" ? "kilnd" : engine} absent (how to provide it: see the notices)`);
  const invokes = engine === "kiln" ? fx.invokes.filter((i) => !fx.referenceOnly?.includes(i)) : fx.invokes;
  if (fx.invokes.length && !invokes.length)
    return skippedCell("every export returns a value kilnd cannot print (reference only)");
  const key = cache.key({
    v: 3,
    code: codeIdentity(),
    engine,
    tool: id.sha256,
    wasmSha,
    args: fx.args,
    env: fx.env,
    stdin: fx.stdin ? sha256(fx.stdin) : null,
    invokes,
    fuel: o.fuel,
    timeout: o.timeoutMs,
  });
  const hit = cache.get<RunRecord[]>(key);
  if (hit) return judgeCell(fx, hit, true);
  const records = await ctx.limit(async () => {
    const out: RunRecord[] = [];
    for (const invoke of fx.invokes.length ? invokes : [undefined]) {
      out.push(
        await runComponent({
          wasm,
          engine,
          invoke,
          args: fx.args,
          env: fx.env,
          stdin: fx.stdin,
          fuel: o.fuel,
          timeoutMs: o.timeoutMs,
          enginePath: id.path,
          hostEnv: o.env,
        }),
      );
    }
    return out;
  });
  // A timeout or missing engine says nothing about the input: never cache it.
  if (!records.some((r) => r.verdict === "timeout" || r.verdict === "missing-engine")) cache.put(key, records);
  return judgeCell(fx, records, false);
}

/** meld's output of a fixture in one mode and form: once per meld build, whatever number of kilnds. */
function fuseCell(
  ctx: Ctx,
  fx: MatrixFixture,
  sha: string,
  mode: MemoryMode,
  form: Form,
  meld: ToolIdentity | undefined,
): Promise<Fused> {
  return once(ctx, `fuse|${fx.name}|${mode}|${form}|${meld?.path ?? ""}`, async () => {
    const { o, cache } = ctx;
    if (!meld) return { rec: undefined, path: "", cached: false };
    const key = cache.key({ v: 3, code: codeIdentity(), meld: meld.sha256, sha, mode, form, flags: FUSE_FLAGS });
    const path = cache.path(key, `${form}.fused.wasm`);
    const hit = cache.get<FuseRecord>(key);
    let f: Fused;
    if (hit && (hit.verdict !== "fused" || Bun.file(path).size === hit.output?.bytes))
      f = { rec: hit, path, cached: true };
    else {
      const rec = await ctx.limit(() =>
        fuse({
          inputs: [fx.file],
          output: path,
          memory: mode,
          mode: form,
          extraArgs: FUSE_FLAGS,
          meld: meld.path,
          timeoutMs: o.timeoutMs * 5,
          hostEnv: o.env,
        }),
      );
      if (rec.verdict !== "missing-tool") cache.put(key, rec);
      f = { rec, path, cached: false };
    }
    ctx.tick(fx.name, `${mode} ${form}`, "fuse", {
      status: f.rec?.verdict ?? "skipped",
      ms: f.rec?.ms ?? 0,
      cached: f.cached,
    });
    return f;
  });
}

/** A cell on a fused file, run once per file and tool whatever number of rows need it. */
function fusedCell(
  ctx: Ctx,
  fx: MatrixFixture,
  f: Fused,
  engine: Engine,
  id: ToolIdentity | undefined,
  tag: string,
  step: string,
): Promise<CellRun> {
  return once(ctx, `${engine}|${id?.path ?? ""}|${fx.name}|${f.path}`, async () => {
    const out = f.rec?.verdict === "fused" ? f.rec.output! : undefined;
    const c = out
      ? await runCell(ctx, fx, engine, id, f.path, out.sha256)
      : skippedCell(f.rec ? "nothing fused" : "meld absent");
    ctx.tick(fx.name, tag, step, c);
    return c;
  });
}

/** `--kilnd [LABEL=]PATH`: a tool build, labelled for the table when a run has several. */
export function parseToolChoice(text: string): ToolChoice {
  const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(text);
  return m ? { label: m[1]!, path: m[2]! } : { path: text };
}

function choices(x: string | ToolChoice[] | undefined): (ToolChoice | undefined)[] {
  if (x === undefined || (Array.isArray(x) && x.length === 0)) return [undefined];
  return typeof x === "string" ? [{ path: x }] : x;
}

/** The run's builds: every meld × every kilnd given, labelled by what varies (`old`, `meld1+new`). */
async function resolveBuilds(o: MatrixOptions, cache: ResultCache, notices: string[]): Promise<Build[]> {
  const resolveAll = (name: "kilnd" | "meld", list: (ToolChoice | undefined)[]) =>
    Promise.all(
      list.map(async (c, i) => {
        const l = lookupTool(name, { flag: c?.path, env: o.env });
        if (!l.found) {
          const e = missingToolError(l);
          notices.push(
            `${name === "kilnd" ? "kiln" : "fuse"} cells skipped${list.length > 1 ? ` for ${c?.label ?? `${name}${i + 1}`}` : ""} — ${e.message}; fix: ${e.hint}`,
          );
        }
        return {
          label: c?.label ?? `${name}${i + 1}`,
          id: l.found ? await toolIdentity(cache.dir, l.found) : undefined,
        };
      }),
    );
  const [kilns, melds] = await Promise.all([
    resolveAll("kilnd", choices(o.kilnd)),
    resolveAll("meld", choices(o.meld)),
  ]);
  const builds = melds.flatMap((m) =>
    kilns.map((k) => ({
      label: [melds.length > 1 ? m.label : "", kilns.length > 1 ? k.label : ""].filter(Boolean).join("+"),
      kiln: k.id,
      meld: m.id,
    })),
  );
  const labels = builds.map((b) => b.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined)
    throw usageError(
      `two builds are labelled ${twice}`,
      "label each --kilnd/--meld: --kilnd old=PATH --kilnd new=PATH",
    );
  return builds;
}

async function matrixContext(o: MatrixOptions, fixtures: MatrixFixture[]): Promise<Ctx> {
  const forms = o.forms ?? [...FORMS];
  const cache = new ResultCache(join(o.outDir, ".cache"), o.cache);
  const notices: string[] = [];
  // Reference engines actually needed: the default, and any a fixture names instead.
  const refNames = [
    ...new Set<RefEngine>([
      o.reference,
      ...fixtures.flatMap((f) =>
        [f.reference?.original, ...o.modes.map((m) => f.reference?.fused?.[m])].filter((e): e is RefEngine => !!e),
      ),
    ]),
  ];
  const refLookups = refNames.map((n) => lookupTool(n, { env: o.env }));
  const [builds, refList] = await Promise.all([
    resolveBuilds(o, cache, notices),
    Promise.all(refLookups.map((l) => (l.found ? toolIdentity(cache.dir, l.found) : undefined))),
  ]);
  refLookups.forEach((l, i) => {
    if (!l.found) {
      const e = missingToolError(l);
      notices.push(`${refNames[i]} reference cells skipped — ${e.message}; fix: ${e.hint}`);
    }
  });
  const kilns = new Set(builds.map((b) => b.kiln?.path)).size;
  const melds = new Set(builds.map((b) => b.meld?.path)).size;
  const perFixture = 1 + (forms.includes("component") ? kilns : 0);
  const perMode = melds * (2 + (forms.includes("core") ? 1 : 0)) + builds.length * forms.length; // fuses + evidence runs, kiln per build and form
  const total = fixtures.length * (perFixture + o.modes.length * perMode);
  let done = 0;
  const say = o.onProgress ?? (() => {});
  return {
    o: { ...o, forms },
    cache,
    limit: limiter(o.jobs),
    builds,
    ref: Object.fromEntries(refNames.map((n, i) => [n, refList[i]])),
    memo: new Map(),
    notices,
    tick: (fixture, where, step, c) =>
      say(
        `[${++done}/${total}] ${fixture} ${where} ${step} ${c.status}${c.cached ? " (cached)" : ` (${(c.ms / 1000).toFixed(1)} s)`}`,
      ),
  };
}

const BUNDLE_VERDICTS: Verdict[] = [
  "seam-bug",
  "expected-fail",
  "blocker-moved",
  "meld-bug",
  "unattributed",
  "kiln-unsupported",
  "fuse-refused",
  "reference-fail",
];

async function fixtureRows(ctx: Ctx, fx: MatrixFixture): Promise<Row[]> {
  const { o } = ctx;
  const sha = sha256(readFileSync(fx.file));
  const refEngine = fx.reference?.original ?? o.reference;
  const refOrig = runCell(ctx, fx, refEngine, ctx.ref[refEngine], fx.file, sha).then(
    (c) => (ctx.tick(fx.name, "-", "reference(original)", c), c),
  );
  // kilnd has no unfused baseline in the core form: the original is a component.
  const kilnOrig = (b: Build) =>
    o.forms.includes("component")
      ? once(ctx, `kiln-orig|${fx.name}|${b.kiln?.path ?? ""}`, () =>
          runCell(ctx, fx, "kiln", b.kiln, fx.file, sha).then((c) => (ctx.tick(fx.name, "-", "kiln(original)", c), c)),
        )
      : Promise.resolve(skippedCell("no unfused baseline in the core form (the original is a component)"));
  const rows = ctx.builds.flatMap((b) =>
    o.modes.flatMap((mode) => o.forms.map((form) => row(ctx, fx, sha, b, mode, form, refEngine, refOrig, kilnOrig(b)))),
  );
  return Promise.all(rows);
}

async function row(
  ctx: Ctx,
  fx: MatrixFixture,
  sha: string,
  b: Build,
  mode: MemoryMode,
  form: Form,
  refEngine: RefEngine,
  refOrigP: Promise<CellRun>,
  kilnOrigP: Promise<CellRun>,
): Promise<Row> {
  const [f, comp] = await Promise.all([
    fuseCell(ctx, fx, sha, mode, form, b.meld),
    fuseCell(ctx, fx, sha, mode, "component", b.meld),
  ]);
  const fusedRef = fx.reference?.fused?.[mode] ?? refEngine;
  const [refOrig, kilnOrig, refFused, kilnFused] = await Promise.all([
    refOrigP,
    kilnOrigP,
    fusedCell(ctx, fx, comp, fusedRef, ctx.ref[fusedRef], `${mode} component`, "reference(fused)"),
    fusedCell(ctx, fx, f, "kiln", b.kiln, `${mode} ${form}${b.label ? ` ${b.label}` : ""}`, "kiln(fused)"),
  ]);
  const what =
    form === "component"
      ? `${fusedRef} ran the same fused component`
      : `${fusedRef} ran meld's component output of the same input and memory mode`;
  const noEvidence =
    form === "core" && comp.rec?.verdict === "refused"
      ? `meld refused the component form: ${comp.rec.message}`
      : undefined;
  const known = fx.knownMeld?.[mode];
  const d = decide(
    {
      fixture: fx.name,
      mode,
      form,
      reference: refEngine,
      ...(known ? { knownMeld: known } : {}),
      refOrig,
      kilnOrig,
      fuse: f.rec,
      ...(refFused.ok !== null ? { evidence: { what, engine: fusedRef, cell: refFused } } : {}),
      ...(noEvidence ? { noEvidence } : {}),
      kilnFused,
    },
    ctx.o.ledger,
  );
  if (
    form === "component" &&
    b === ctx.builds[0] &&
    known?.outcome === "misfused" &&
    d.verdict !== "meld-bug" &&
    refFused.ok
  ) {
    ctx.notices.push(
      `${fx.name} (${mode}): the manifest records a meld mis-fusion, but the fused file now meets the expectation on ${fusedRef}: update fixtures/manifest.yaml`,
    );
  }
  const cell = (step: Step, c: CellRun): Cell => ({
    step,
    status: c.status,
    ok: c.ok,
    detail: c.why,
    ...(c.signature ? { signature: formatSignature(c.signature) } : {}),
    ms: c.ms,
    cached: c.cached,
  });
  const out = f.rec?.output;
  const r: Row = {
    fixture: fx.name,
    mode,
    form,
    ...(b.label ? { build: b.label } : {}),
    ...d,
    cells: [
      cell("reference(original)", refOrig),
      cell("kiln(original)", kilnOrig),
      {
        step: "fuse",
        status: f.rec?.verdict ?? "skipped",
        ok: f.rec ? f.rec.verdict === "fused" : null,
        detail: f.rec?.message ?? (out ? `${out.bytes} bytes, sha256 ${out.sha256.slice(0, 12)}` : "meld absent"),
        ms: f.rec?.ms ?? 0,
        cached: f.cached,
      },
      cell("reference(fused)", refFused),
      cell("kiln(fused)", kilnFused),
    ],
  };
  if (BUNDLE_VERDICTS.includes(r.verdict) && f.rec) {
    const evidenceFuse = d.verdict === "meld-bug" && form === "core" ? comp : f;
    Object.assign(r, await bundle(ctx, fx, b, r, { refOrig, kilnOrig, refFused, kilnFused }, evidenceFuse, fusedRef));
  }
  return r;
}

type Cells = { refOrig: CellRun; kilnOrig: CellRun; refFused: CellRun; kilnFused: CellRun };

/** The repro input of a failing row: which run failed, on which file, and what it should have done. */
function reproInput(ctx: Ctx, fx: MatrixFixture, b: Build, r: Row, c: Cells, f: Fused, refName: RefEngine): ReproInput {
  const kilnSide = ["seam-bug", "expected-fail", "blocker-moved", "unattributed"].includes(r.verdict)
    ? c.kilnFused
    : r.verdict === "kiln-unsupported"
      ? c.kilnOrig
      : undefined;
  const refSide =
    r.verdict === "meld-bug" && f.rec?.verdict === "fused"
      ? c.refFused
      : r.verdict === "reference-fail"
        ? c.refOrig
        : undefined;
  const failingCell = kilnSide ?? refSide;
  const record =
    failingCell?.records.find((x) => x.verdict !== "passed") ??
    failingCell?.records.find((x) => !fx.judge(x, x.invoke).ok);
  const describe = (x: CellRun) => `${x.status}${x.ok ? " — meets the expectation" : ` — ${x.why}`}`;
  const kiln = b.kiln ? toolName({ version: b.kiln.version, path: b.kiln.path, sha256: b.kiln.sha256 }) : "absent";
  return {
    fixture: fx.name,
    mode: r.mode,
    form: r.form,
    verdict: r.verdict,
    why: r.why,
    failing: {
      engine: kilnSide ? "kiln" : refSide ? "wasmtime" : "meld-only",
      on: r.verdict === "kiln-unsupported" || r.verdict === "reference-fail" ? "original" : "fused",
      ...(record ? { record, missed: fx.judge(record, record.invoke).why } : {}),
    },
    fuse: f.rec!,
    args: fx.args,
    env: fx.env,
    ...(fx.stdin ? { stdin: fx.stdin } : {}),
    ...(record?.invoke ? { invoke: record.invoke } : {}),
    expectText: fx.expectText,
    ...(fx.expectedStdout !== undefined ? { expectedStdout: fx.expectedStdout } : {}),
    ...(r.form === "component" && c.kilnOrig.ok !== null ? { baseline: describe(c.kilnOrig) } : {}),
    ...(c.refFused.ok !== null
      ? {
          reference: `${refName} ${ctx.ref[refName]?.version ?? ""} on ${r.form === "core" ? "it" : "fused.component.wasm"}: ${describe(c.refFused)}`,
        }
      : {}),
    ...(r.evidence ? { evidence: r.evidence } : {}),
    ...(r.blocker ? { blocker: `${r.blocker.ref} — ${r.blocker.title} (expects ${r.blocker.expected})` } : {}),
    tools: [
      `meld ${b.meld?.version ?? "absent"}`,
      `kilnd ${kiln}`,
      `${refName} ${ctx.ref[refName]?.version ?? "absent"}`,
    ],
    originalPath: fx.file,
    fusedPath: f.path,
    captured: Object.fromEntries(
      (failingCell?.records ?? []).flatMap((x, i) => [
        [`${x.engine}-${i}.stdout.txt`, x.stdout],
        [`${x.engine}-${i}.stderr.txt`, x.stderr],
      ]),
    ),
  };
}

/** Writes the repro bundle for a failing row and re-runs its repro.sh once (cached like any cell). */
async function bundle(
  ctx: Ctx,
  fx: MatrixFixture,
  b: Build,
  r: Row,
  c: Cells,
  f: Fused,
  refName: RefEngine,
): Promise<Pick<Row, "bundle" | "reproduced">> {
  const { o, cache } = ctx;
  const name = `${fx.name}-${r.mode}-${r.form}${b.label ? `-${b.label}` : ""}`;
  const dir = join(o.outDir, name);
  const input = reproInput(ctx, fx, b, r, c, f, refName);
  const engine = input.failing.engine;
  const wasmtime = lookupTool("wasmtime", { env: o.env }).found;
  const canRun = b.meld && (engine !== "kiln" || b.kiln) && (engine !== "wasmtime" || wasmtime);
  const rec = input.failing.record;
  const wanted = rec
    ? `${rec.verdict}|${rec.signature ? formatSignature(rec.signature) : ""}|${rec.stdoutSha256}`
    : `${f.rec!.verdict}: ${f.rec!.message ?? ""}`;
  const key = cache.key({
    v: 3,
    code: codeIdentity(),
    repro: name,
    wanted,
    fused: f.rec!.output?.sha256,
    meld: b.meld?.sha256,
    kiln: b.kiln?.sha256,
  });
  writeBundle(dir, input, "pending");
  let reproduced: Row["reproduced"] = "not run";
  if (canRun) {
    reproduced = cache.get<{ reproduced: Row["reproduced"] }>(key)?.reproduced;
    if (!reproduced) {
      reproduced = await rerunBundle(
        dir,
        input,
        {
          meld: b.meld!.path,
          ...(b.kiln ? { kilnd: b.kiln.path } : {}),
          ...(wasmtime ? { wasmtime: wasmtime.path } : {}),
        },
        o.timeoutMs * 2,
        o.env ?? {},
      );
      cache.put(key, { reproduced });
    }
  }
  writeBundle(dir, input, reproduced ?? "not run");
  return { bundle: relative(o.outDir, dir), reproduced };
}

const toolRef = (t: ToolIdentity | undefined) => (t ? { version: t.version, path: t.path, sha256: t.sha256 } : null);

export async function runMatrix(o: MatrixOptions): Promise<TierCReport> {
  const fixtures = shardFixtures(o.fixtures, o.shard);
  const ctx = await matrixContext(o, fixtures);
  const rows = (await Promise.all(fixtures.map((fx) => fixtureRows(ctx, fx)))).flat();
  const refusals = ctx.builds.flatMap((b) => {
    const mine = rows.filter((r) => r.form === "component" && (r.build ?? "") === b.label && r.cells[1]!.ok !== null);
    const refused = new Set(mine.filter((r) => r.cells[1]!.status === "unsupported-form").map((r) => r.fixture));
    const which = b.label ? `kilnd of build ${b.label}` : "kilnd";
    return refused.size
      ? [
          `${which} runs core modules only (RFC #46): it refused ${refused.size} of the ${new Set(mine.map((r) => r.fixture)).size} unfused components as components, so component rows have no kilnd baseline and are judged against the reference engine; the core form is kiln's own path`,
        ]
      : [];
  });
  ctx.notices.unshift(...refusals);
  const first = ctx.builds[0]!;
  const refId = ctx.ref[o.reference];
  const tools = {
    meld: toolRef(first.meld),
    kilnd: toolRef(first.kiln),
    reference: refId ? { engine: o.reference, version: refId.version } : null,
    seam: { code: codeIdentity() },
  };
  const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : undefined;
  const report = buildReport(
    rows,
    tools,
    {
      memory: o.modes,
      forms: ctx.o.forms,
      fixtures: fixtures.map((f) => f.name),
      strict: o.strict,
      ...(shard ? { shard } : {}),
    },
    ctx.notices,
  );
  if (ctx.builds.length > 1)
    report.builds = ctx.builds.map((b) => ({ label: b.label, kilnd: toolRef(b.kiln), meld: toolRef(b.meld) }));
  return withBuildDiffs(report);
}

/** What each build after the first changes, compared with the first: the bisecting question, in one run. */
export function withBuildDiffs(report: TierCReport): TierCReport {
  const [first, ...rest] = report.builds ?? [];
  if (first)
    report.buildDiffs = rest.map((b) => compareReports(report, report, { baseBuild: first.label, headBuild: b.label }));
  return report;
}

const HELP = `tier-c — the meld→kiln seam matrix, with attribution, a known-blocker ledger and repro bundles

Usage: bun scripts/tier-c.ts [options]
       bun scripts/tier-c.ts FILE.wasm|DIR... [--arg A]... [--env K=V]... [--stdin FILE] [--invoke EXPORT]... [options]
       bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
       bun scripts/tier-c.ts compare BASE HEAD [--fail-on WHAT] [--build LABEL] [--json] [--out FILE] [--junit FILE]
  --fixture NAME        only this fixture (repeatable); default: every fixture in the manifest
  --memory LIST         memory modes, comma-separated: multi,shared (default multi, as upstream); each
                        value once (a list naming one twice is an error)
  --form LIST           output forms, comma-separated (default component,core):
                        component = upstream's Tier C (meld fuse --component; kilnd FILE --component --wasi)
                        core      = kiln's RFC #46 path (meld's core module; kilnd FILE --wasi, --function)
  --out DIR             results, reports and repro bundles (default out/tier-c under seam's root, wherever
                        you run it from); a folder no input is in
  -j N                  cells in parallel (default: cores)
  --shard i/n           run the i-th of n deterministic slices (by fixture); combine them with \`merge\`
  --strict              an xpass (a known blocker that now passes) fails the run
  --no-cache            re-run every cell (results are cached by fixture bytes, flags and tool binaries)
  --reference ENGINE    jco (default) or wasmtime
  --ledger FILE         known blockers (default: known-blockers.yaml beside the manifest, when it is
                        there); a blocker naming a fixture the manifest lacks is an error
  --manifest FILE       fixture manifest (default fixtures/manifest.yaml)
  --timeout SEC         per engine run (default 60); a hang is the verdict "timeout", never a stuck job
  --fuel N              fuel limit for kilnd and wasmtime (default: none; kilnd's units are its own)
  --kilnd [LABEL=]PATH, --meld [LABEL=]PATH   explicit tool binaries (else KILND/MELD_KILND, MELD, .tools/,
                        PATH, ../kiln); repeat to compare builds in one run: every meld × kilnd is a
                        build with a verdict column of its own and a diff against the first; each
                        fusion and reference run is shared by the builds that need it
  --json                print results.json on stdout instead of the table
  --baseline BASE       then compare with BASE (a results.json or an --out folder, read before the run;
                        the results.json being replaced is first moved aside to baseline.json): the diff
                        goes into results.json ("diff"), DIR/compare.json and DIR/compare.md
  --fail-on WHAT        with --baseline: regressed (default), moved, any or none (see compare)
Ad hoc: FILE.wasm|DIR instead of the manifest's corpus (not with --fixture). Each component is a fixture
named after its file; a folder means the components directly in it (core modules skipped with a line).
The reference engine's run of the unfused original is the expectation (stdout, exit status or trap, each
--invoke result), and every other cell is judged against it; if the reference cannot run the original,
the row is reference-fail and says why. Ad hoc runs default to --reference wasmtime and no ledger.
  --arg A, --env K=V, --stdin FILE   what a command gets (repeatable --arg, --env)
  --invoke EXPORT       call this export instead of running a command (repeatable)
  --save-fixture NAME   keep the one input as a fixture: copies it to NAME.wasm beside the manifest and
                        appends its entry (build: prebuilt), with what meld did in both memory modes and
                        forms (the run covers them all); refuses a name or file that exists
compare BASE HEAD: the rows whose verdict, kilnd signature or outcome changed, keyed by fixture × memory ×
form: fixed, regressed (a pass lost, even to a missing tool, or a new failure), moved (same stage's
failure, new signature), reclassified (relabelled: neither better nor worse), new, gone; the unchanged
count and both sides' tools. Results of different corpora compare on their common rows and say so.
  --fail-on WHAT        exit 1 on: regressed (default); moved (regressed or moved); any change; none
  --build LABEL         the build to read where a side holds several (default: its first);
  --base-build L, --head-build L   per side (e.g. two builds of one run: compare R R --base-build old --head-build new)
  --json | --out FILE | --junit FILE   JSON instead of markdown; write to FILE instead of stdout; JUnit (a
                        change that trips --fail-on is a <failure>)
Verdicts: pass; seam-bug (kilnd fails what a reference engine shows meld produced validly: the same
fused component, or for a core module meld's component output of the same input); meld-bug (meld's
output fails on the reference); unattributed (kilnd fails a core module and no reference can judge it);
kiln-unsupported (the original already fails on kilnd, not merely as a component); fuse-refused;
skipped (a tool is missing: the notice says how to provide it); expected-fail (matches a ledger entry);
blocker-moved (a ledger entry's failure changed signature); xpass (a ledger entry now passes);
reference-fail. Each row names the evidence it used.
Writes DIR/results.json, DIR/summary.md, DIR/junit.xml and DIR/<fixture>-<mode>-<form>/ repro bundles.

Repro bundles are built in a hidden staging folder and moved into place when results.json is written:
an interrupted run leaves the previous results and bundles as they were.

Exit: 0 every row passes, is skipped, expected or out of scope; 1 an unexpected failure, a moved
      blocker, or an xpass with --strict, or (--baseline) the diff trips --fail-on; 2 usage error or bad
      input (manifest, ledger, a BASE that is missing or not tier-c results, an --out that is a file or
      holds an input, an ad hoc input that is not a component, a folder with none, two inputs with one
      name, a --save-fixture NAME that exists); 3 a tool variable or flag (KILND, MELD, --kilnd, …) names
      nothing, or a program that does not answer like the tool
      compare: 0 nothing trips --fail-on, 1 it trips, 2 usage error or bad input (one line naming the file)`;

function printReport(report: TierCReport, outDir: string, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(readFileSync(join(outDir, "summary.md"), "utf8"));
  const title = (r: Row, what: string) =>
    `seam ${r.fixture} (${r.mode}, ${r.form}${r.build ? `, ${r.build}` : ""}): ${what}`;
  process.stdout.write(
    annotations(
      report.rows.flatMap((r): Parameters<typeof annotation>[] =>
        r.outcome === "unexpected" || r.outcome === "moved"
          ? [["error", r.why, title(r, r.verdict)]]
          : r.outcome === "xpass"
            ? [["warning", r.why, title(r, "xpass")]]
            : [],
      ),
    ),
  );
  for (const n of report.notices) progress(color.yellow(`!! ${n}`));
  progress(`wrote ${relative(process.cwd(), outDir) || "."}/results.json, summary.md, junit.xml`);
}

async function mergeMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    out: { type: "string", default: DEFAULT_OUT },
    strict: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw usageError(
      "merge needs at least one shard folder",
      "bun scripts/tier-c.ts merge out/a out/b --out out/tier-c",
    );
  for (const p of positionals) requireFolder(p, "shard folder");
  noDuplicates("merge: shard folder", positionals, (p) => resolve(p));
  const outDir = resolve(values.out);
  checkOutputs(
    positionals.map((p) => [`the shard folder ${p}`, p]),
    [["--out", values.out, "dir"]],
  );
  const report = mergeReports(
    positionals.map((p) => resolve(p)),
    outDir,
    values.strict,
  );
  if (report.builds) writeReports(withBuildDiffs(report), outDir);
  printReport(report, outDir, values.json);
  return report.exitCode;
}

async function compareMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    "fail-on": { type: "string", default: "regressed" },
    build: { type: "string" },
    "base-build": { type: "string" },
    "head-build": { type: "string" },
    json: { type: "boolean", default: false },
    out: { type: "string" },
    junit: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 2)
    throw usageError(
      `compare needs BASE and HEAD, got ${positionals.length} path(s)`,
      "bun scripts/tier-c.ts compare out/base out/tier-c",
    );
  const failOn = parseFailOn(values["fail-on"]);
  const [base, head] = positionals.map((p) => loadResults(p));
  checkOutputs(
    [
      ["BASE", base!.file],
      ["HEAD", head!.file],
    ],
    [
      ["--out", values.out],
      ["--junit", values.junit],
    ],
  );
  const diff = compareReports(base!.report, head!.report, {
    failOn,
    ...(values.build ? { build: values.build } : {}),
    ...(values["base-build"] ? { baseBuild: values["base-build"] } : {}),
    ...(values["head-build"] ? { headBuild: values["head-build"] } : {}),
    baseFile: base!.file,
    headFile: head!.file,
  });
  const text = values.json ? JSON.stringify(diff, null, 2) + "\n" : renderCompareMarkdown(diff);
  if (values.out) atomicWrite(values.out, text);
  else process.stdout.write(text);
  if (values.junit) atomicWrite(values.junit, compareJUnit(diff));
  progress(
    `${diff.summary}${diff.tripped ? color.red(` — fails (--fail-on ${failOn})`) : ""}${values.out ? `; wrote ${values.out}` : ""}`,
  );
  return diffExitCode(diff);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "merge") return mergeMain(argv.slice(1));
  if (argv[0] === "compare") return compareMain(argv.slice(1));
  const { values, positionals } = parseCli(
    argv,
    {
      fixture: { type: "string", multiple: true, default: [] },
      memory: { type: "string" },
      form: { type: "string" },
      out: { type: "string", default: DEFAULT_OUT },
      j: { type: "string", short: "j" },
      shard: { type: "string" },
      strict: { type: "boolean", default: false },
      "no-cache": { type: "boolean", default: false },
      reference: { type: "string" },
      ledger: { type: "string" },
      manifest: { type: "string", default: join(ROOT, "fixtures", "manifest.yaml") },
      timeout: { type: "string", default: "60" },
      fuel: { type: "string" },
      kilnd: { type: "string", multiple: true, default: [] },
      meld: { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      baseline: { type: "string" },
      "fail-on": { type: "string" },
      arg: { type: "string", multiple: true, default: [] },
      env: { type: "string", multiple: true, default: [] },
      stdin: { type: "string" },
      invoke: { type: "string", multiple: true, default: [] },
      "save-fixture": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    true,
  );
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  // Ad hoc inputs (lib/adhoc.ts) replace the manifest's corpus: their own reference default, no ledger.
  const adhoc = positionals.length > 0;
  const save = values["save-fixture"];
  if (adhoc && values.fixture.length)
    throw usageError(
      "--fixture picks corpus fixtures and FILE/DIR arguments run ad hoc: pass one or the other",
      "bun scripts/tier-c.ts my.wasm, or bun scripts/tier-c.ts --fixture NAME",
    );
  const adhocFlag = [
    ["--arg", values.arg.length],
    ["--env", values.env.length],
    ["--stdin", values.stdin !== undefined],
    ["--invoke", values.invoke.length],
    ["--save-fixture", save !== undefined],
  ].find(([, on]) => on)?.[0];
  if (!adhoc && adhocFlag)
    throw usageError(
      `${adhocFlag} applies to an ad hoc run: name the component (FILE.wasm or DIR)`,
      `bun scripts/tier-c.ts my.wasm ${adhocFlag} …`,
    );
  const modes = enumList("--memory", values.memory ?? (save !== undefined ? "multi,shared" : "multi"), MEMORY_MODES);
  const forms = enumList("--form", values.form ?? FORMS.join(","), FORMS);
  const reference = enumValue("--reference", values.reference ?? (adhoc ? "wasmtime" : "jco"), [
    "jco",
    "wasmtime",
  ] as const);
  const jobs = values.j === undefined ? availableParallelism() : positiveInt("-j", values.j);
  const timeout = positiveSeconds("--timeout", values.timeout);
  const fuel = values.fuel === undefined ? undefined : positiveNumber("--fuel", values.fuel);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (save !== undefined && (modes.length < MEMORY_MODES.length || forms.length < FORMS.length || shard)) {
    throw usageError(
      "--save-fixture records what meld does in both memory modes and both forms, so it needs the whole run",
      "drop --memory, --form and --shard (with --save-fixture the run covers them all)",
    );
  }
  if (values["fail-on"] !== undefined && values.baseline === undefined)
    throw usageError("--fail-on applies to --baseline", "add --baseline BASE, or use `compare BASE HEAD --fail-on …`");
  const failOn = parseFailOn(values["fail-on"] ?? "regressed");
  // Every input, then every output, then the tools, then the run: bad input is one line, nothing made.
  const outDir = resolve(values.out);
  const manifestPath = resolve(values.manifest);
  const spec = adhoc ? parseAdhocSpec(values) : undefined;
  const inputs = adhoc ? collectAdhocInputs(positionals) : undefined;
  if (inputs && save !== undefined) {
    if (inputs.inputs.length !== 1)
      throw usageError(
        `--save-fixture keeps one component, and this run has ${inputs.inputs.length}`,
        "name the one file to keep",
      );
    checkSaveTarget(manifestPath, save);
  }
  const fixtures = adhoc ? [] : loadFixtures(manifestPath, noDuplicates("--fixture", values.fixture));
  const ledgerPath =
    values.ledger !== undefined
      ? resolve(values.ledger)
      : adhoc
        ? undefined
        : join(dirname(manifestPath), "known-blockers.yaml");
  const ledger = ledgerPath ? loadLedger(ledgerPath, { required: values.ledger !== undefined }) : [];
  // An ad hoc run's ledger may name corpus fixtures it does not run: only the corpus's is checked.
  if (ledgerPath && !adhoc)
    checkLedgerFixtures(
      ledger,
      loadManifest(manifestPath).fixtures.map((f) => f.name),
      ledgerPath,
    );
  const base = values.baseline === undefined ? undefined : loadResults(values.baseline);
  // The base may be the results.json this run replaces: it is moved aside (takeBaseline), not overwritten.
  const baseIsOurs = base !== undefined && resolve(base.file) === join(outDir, "results.json");
  const read: [string, string][] = [
    ...(!adhoc || save !== undefined ? [["the manifest", manifestPath] as [string, string]] : []),
    ...(ledgerPath && existsSync(ledgerPath) ? [["the ledger", ledgerPath] as [string, string]] : []),
    ...fixtures.map((f): [string, string] => [`the fixture ${f.name}`, f.file]),
    ...(inputs?.inputs ?? []).map((i): [string, string] => [`the input ${i.name}`, i.file]),
    ...(base && !baseIsOurs ? [["the --baseline results", base.file] as [string, string]] : []),
  ];
  checkOutputs(read, [["--out", values.out, "dir"]]);
  const kilnd = values.kilnd.map(parseToolChoice);
  const meld = values.meld.map(parseToolChoice);
  await checkToolChoices(kilnd, meld);
  // Read (and, if it is the results.json about to be replaced, move aside) the base before the run.
  const baseline = values.baseline === undefined ? undefined : takeBaseline(values.baseline, outDir);
  for (const line of inputs?.skipped ?? []) progress(line);
  const recorded =
    inputs && spec
      ? await recordExpectations(inputs.inputs, spec, {
          engine: reference,
          run: runComponent,
          cacheDir: join(outDir, ".cache"),
          cache: !values["no-cache"],
          timeoutMs: timeout * 1000,
          jobs,
          onProgress: progress,
        })
      : undefined;
  if (recorded) fixtures.push(...recorded.map(fromAdhoc));
  const report = await runMatrix({
    fixtures,
    modes,
    forms,
    outDir,
    jobs,
    shard,
    strict: values.strict,
    cache: !values["no-cache"],
    ledger,
    reference,
    timeoutMs: timeout * 1000,
    fuel,
    kilnd,
    meld,
    onProgress: progress,
  });
  if (recorded) report.notices.push(...adhocNotices(recorded, inputs!.skipped, ledgerPath));
  if (baseline)
    report.diff = compareReports(baseline.report, report, {
      failOn,
      baseFile: shownPath(baseline.file),
      headFile: shownPath(join(outDir, "results.json")),
    });
  writeReports(report, outDir);
  printReport(report, outDir, values.json);
  let code = report.exitCode;
  if (report.diff) {
    writeDiff(report.diff, outDir);
    if (!values.json) process.stdout.write("\n" + renderCompareMarkdown(report.diff));
    progress(
      `${report.diff.summary}${report.diff.tripped ? color.red(` — fails (--fail-on ${failOn})`) : ""}; wrote compare.json, compare.md`,
    );
    code ||= diffExitCode(report.diff);
  }
  if (recorded && save !== undefined) {
    const saved = saveFixture(recorded[0]!, report.rows, { name: save, manifestPath });
    progress(`saved fixture ${save}: ${shownPath(saved.wasm)} and its entry in ${shownPath(saved.manifest)}`);
  }
  return code;
}

/** Every --kilnd/--meld build given, and the lookup's own choice when none is: each must be the tool. */
async function checkToolChoices(kilnd: ToolChoice[], meld: ToolChoice[]): Promise<void> {
  await checkTools();
  await Promise.all([
    ...kilnd.map((c) => checkTool("kilnd", { flag: c.path })),
    ...meld.map((c) => checkTool("meld", { flag: c.path })),
  ]);
}

if (import.meta.main) process.exitCode = await runCli("tier-c", main);
