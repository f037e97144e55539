#!/usr/bin/env bun
/**
 * tier-c — the meld→kiln seam matrix. For each fixture and memory mode: reference(original) is the
 * oracle, kiln(original) the baseline, then fuse, reference(fused) and kiln(fused) — the seam. Each row
 * gets one verdict saying whose bug it is, is held against the known-blocker ledger, and every failure
 * leaves a repro bundle that tier-c re-runs once.
 * Called by: scripts/all.ts (target tier-c), CI, people tracking a kiln blocker.
 * Usage: bun scripts/tier-c.ts [--fixture NAME]... [--memory multi,shared] [--out DIR] [-j N] [--shard i/n]
 *          [--strict] [--no-cache] [--json] [--reference jco|wasmtime] [--ledger FILE] [--manifest FILE]
 *          [--baseline BASE [--fail-on regressed|moved|any|none]]
 *        bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
 *        bun scripts/tier-c.ts compare BASE HEAD [--fail-on …] [--build LABEL] [--json] [--out FILE] [--junit FILE]
 */
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { fuse } from "./fuse.ts";
import { classifyKiln, classifyWasmtime, runComponent } from "./run-kiln.ts";
import { ResultCache, toolIdentity, type ToolIdentity } from "./lib/cache.ts";
import { color, parseCli, progress, runCli } from "./lib/cli.ts";
import { EXIT, usageError } from "./lib/errors.ts";
import { consult, expectedText, loadLedger, type Blocker, type Mode } from "./lib/ledger.ts";
import { writeBundle, type ReproInput } from "./lib/bundle.ts";
import { runProcess } from "./lib/proc.ts";
import { limiter } from "./lib/pool.ts";
import { ghAnnotation } from "./lib/render.ts";
import { formatSignature, type FuseRecord, type RunRecord, type Signature } from "./lib/records.ts";
import { lookupTool, missingToolError, ROOT, type FoundTool } from "./lib/tools.ts";
import { buildReport, mergeReports, writeReports, type Cell, type Row, type Step, type TierCReport, type Verdict } from "./lib/tierc-report.ts";
import { compareJUnit, compareReports, diffExitCode, loadResults, parseFailOn, renderCompareMarkdown, takeBaseline, writeDiff } from "./lib/compare.ts";
import { atomicWrite, sha256, shownPath } from "./lib/fsx.ts";
import { loadManifest, judgeRun, type Fixture } from "./lib/manifest.ts";

/** What the matrix needs of a fixture; built from the manifest, or by tests directly. */
export interface MatrixFixture {
  name: string;
  file: string;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  /** Exports to call; empty for a wasi:cli command. */
  invokes: string[];
  /** Of those, the ones with non-scalar results that kilnd --invoke cannot print: reference only. */
  referenceOnly?: string[];
  /** The expectation in words, for REPRO.md. */
  expectText: string;
  judge: (run: RunRecord, invoke?: string) => { ok: boolean; why: string };
  /** A reference engine other than the matrix's default, where that one cannot judge this fixture
   * (jco 1.35 does not run multi-memory core modules, nor pipe more than 64 KiB of stdout). */
  reference?: { original?: RefEngine; fused?: Partial<Record<Mode, RefEngine>> };
  /** What the manifest records real meld doing per mode: a recorded mis-fusion is a known meld bug. */
  knownMeld?: Partial<Record<Mode, { outcome: "pass" | "refused" | "misfused"; message?: string }>>;
}

export type RefEngine = "jco" | "wasmtime";

export interface MatrixOptions {
  fixtures: MatrixFixture[];
  modes: Mode[];
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
  kilnd?: string;
  meld?: string;
  /** Environment for tool lookup and every tool run (tests inject KILND); defaults to process.env. */
  env?: Record<string, string | undefined>;
  onProgress?: (line: string) => void;
}

/** One engine's result on one wasm for one fixture: every invoke (or the command once) judged. */
export interface CellRun {
  status: string;
  ok: boolean | null;
  why: string;
  signature?: Signature;
  records: RunRecord[];
  ms: number;
  cached: boolean;
}

/** Upstream's Tier C flags (--component, the mode) plus --reproducible, so a fused artifact's sha256 is
 * the same on every run and machine: repro bundles and shards can be checked byte for byte. */
export const FUSE_FLAGS = ["--reproducible"];

/** The code that turns a tool run into a record: part of every cache key, so fixing a classifier or
 * an argv re-runs the cells it affects instead of serving results the old code produced. */
const SEAM_CODE = sha256(
  ["run-kiln.ts", "fuse.ts", "lib/proc.ts", "lib/jco-host.ts", "lib/wasm.ts", "lib/bundle.ts"].map((f) => readFileSync(join(import.meta.dir, f), "utf8")).join("\0"),
);

const skippedCell = (why: string): CellRun => ({ status: "skipped", ok: null, why, records: [], ms: 0, cached: false });

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw usageError(`--shard expects i/n with 1 ≤ i ≤ n, got: ${text}`);
  return { index, count };
}

/** Fixture names in a shard: a deterministic slice by sorted name, so shards never overlap. */
export function shardFixtures<T extends { name: string }>(fixtures: T[], shard?: { index: number; count: number }): T[] {
  const sorted = [...fixtures].sort((a, b) => a.name.localeCompare(b.name));
  return shard ? sorted.filter((_, i) => i % shard.count === shard.index - 1) : sorted;
}

/** The expectation in words, as REPRO.md states it. */
export function expectationText(f: Fixture): string {
  if (f.kind === "invoke") return f.invoke.map((c) => (c.trap ? `${c.export}() traps` : `${c.export}() = ${c.result}`)).join(", ");
  const e = f.expect;
  if (!e) return "none";
  if (e.kind === "trap") return "the guest traps";
  const out = e.stdoutSha256 ? `${e.stdoutBytes} bytes of stdout with sha256 ${e.stdoutSha256}` : `stdout ${JSON.stringify(e.stdout ?? "")}`;
  return `exit ${e.exit === 0 ? "0" : `${e.exit} (non-zero)`}, ${out}`;
}

export function fromManifest(f: Fixture): MatrixFixture {
  return {
    name: f.name,
    file: f.file,
    args: f.args,
    env: f.env,
    ...(f.stdin ? { stdin: f.stdin } : {}),
    invokes: f.invoke.map((c) => c.export),
    referenceOnly: f.invoke.filter((c) => c.referenceOnly).map((c) => c.export),
    expectText: expectationText(f),
    judge: (run, invoke) => judgeRun(run, f, invoke),
    reference: {
      ...(f.reference ? { original: f.reference.engine } : {}),
      fused: Object.fromEntries(MODES.flatMap((m) => {
        const e = f.meld[m].reference ?? f.reference?.engine;
        return e ? [[m, e]] : [];
      })),
    },
    knownMeld: Object.fromEntries(MODES.map((m) => [m, { outcome: f.meld[m].outcome, ...(f.meld[m].message ? { message: f.meld[m].message } : {}) }])),
  };
}

const MODES: Mode[] = ["multi", "shared"];

export function loadFixtures(manifestPath: string, names: string[]): MatrixFixture[] {
  const all = loadManifest(manifestPath).fixtures.map(fromManifest);
  for (const n of names) if (!all.some((f) => f.name === n)) throw usageError(`no fixture named ${n} in ${manifestPath}`, `known: ${all.map((f) => f.name).join(", ")}`);
  return names.length ? all.filter((f) => names.includes(f.name)) : all;
}

interface RowInputs {
  fixture: string;
  mode: Mode;
  /** The reference engine that judged the fused file (and, in `why` lines, the original). */
  reference: string;
  knownMeld?: { outcome: "pass" | "refused" | "misfused"; message?: string };
  refOrig: CellRun;
  kilnOrig: CellRun;
  fuse: FuseRecord | undefined;
  refFused: CellRun;
  kilnFused: CellRun;
}

const sigText = (c: CellRun) => (c.signature ? formatSignature(c.signature) : c.why);

/** The verdict of one fixture × mode, its ledger outcome, and why — pure. */
export function decide(r: RowInputs, ledger: Blocker[]): Pick<Row, "verdict" | "outcome" | "why" | "blocker" | "actualSignature"> {
  const f = `${r.fixture} (${r.mode})`;
  if (r.refOrig.ok === null) return { verdict: "skipped", outcome: "ok", why: r.refOrig.why };
  if (!r.refOrig.ok) return { verdict: "reference-fail", outcome: "unexpected", why: `the original fails its expectation on ${r.reference}: ${r.refOrig.why}` };
  if (!r.fuse || r.fuse.verdict === "missing-tool") return { verdict: "skipped", outcome: "ok", why: `meld absent: ${r.fuse?.message ?? "not run"}` };
  if (r.fuse.verdict === "refused") return { verdict: "fuse-refused", outcome: "ok", why: `meld refused the input: ${r.fuse.message}` };
  if (r.fuse.verdict === "crashed") return { verdict: "meld-bug", outcome: "unexpected", why: `meld crashed: ${r.fuse.message}` };
  if (!r.refFused.ok) {
    const why = `the fused output fails on ${r.reference} while the original passes: ${r.refFused.why}`;
    const known = r.knownMeld?.outcome === "misfused" && (!r.knownMeld.message || why.includes(r.knownMeld.message) || r.refFused.records.some((x) => `${x.errorLine ?? ""} ${x.stderr}`.includes(r.knownMeld!.message!)));
    return known ? { verdict: "meld-bug", outcome: "expected", why: `known meld mis-fusion (recorded in fixtures/manifest.yaml): ${why}` } : { verdict: "meld-bug", outcome: "unexpected", why };
  }
  if (r.kilnFused.ok === null) return { verdict: "skipped", outcome: "ok", why: `${r.kilnFused.why}; the fused output passes on ${r.reference}` };
  if (r.kilnOrig.ok === false) return { verdict: "kiln-unsupported", outcome: "ok", why: `the unfused original already fails on kilnd (${sigText(r.kilnOrig)}): not a seam problem` };
  const failed = !r.kilnFused.ok;
  const actualSignature = failed ? sigText(r.kilnFused) : undefined;
  const l = consult(ledger, r.fixture, r.mode, failed, r.kilnFused.signature);
  const blocker = l.kind === "uncovered" ? undefined : { ref: l.blocker.ref, title: l.blocker.title, expected: expectedText(l.blocker) };
  switch (l.kind) {
    case "xpass":
      return { verdict: "xpass", outcome: "xpass", blocker, why: `${l.blocker.ref} looks fixed for ${f}: remove the entry from the ledger` };
    case "expected":
      return { verdict: "expected-fail", outcome: "expected", blocker, actualSignature, why: `known blocker ${l.blocker.ref}: ${actualSignature}` };
    case "moved":
      return { verdict: "blocker-moved", outcome: "moved", blocker, actualSignature, why: `${l.blocker.ref} moved: was ${expectedText(l.blocker)}, now ${actualSignature}` };
  }
  if (!failed) return { verdict: "pass", outcome: "ok", why: `fused runs on kilnd and meets the expectation (${r.kilnFused.why})` };
  return { verdict: "seam-bug", outcome: "unexpected", actualSignature, why: `baseline passes on kilnd, fused fails: ${actualSignature}; fused passes on ${r.reference}` };
}

const BUNDLE_VERDICTS: Verdict[] = ["seam-bug", "expected-fail", "blocker-moved", "meld-bug", "kiln-unsupported", "fuse-refused", "reference-fail"];

export async function runMatrix(o: MatrixOptions): Promise<TierCReport> {
  const fixtures = shardFixtures(o.fixtures, o.shard);
  const cache = new ResultCache(join(o.outDir, ".cache"), o.cache);
  const limit = limiter(o.jobs);
  const say = o.onProgress ?? (() => {});
  const find = (name: "kilnd" | "meld" | "jco" | "wasmtime", flag?: string) => lookupTool(name, { flag, env: o.env });
  const kilnL = find("kilnd", o.kilnd);
  const meldL = find("meld", o.meld);
  // Reference engines actually needed: the default, and any a fixture names instead.
  const refNames = [...new Set<RefEngine>([o.reference, ...fixtures.flatMap((f) => [f.reference?.original, ...o.modes.map((m) => f.reference?.fused?.[m])].filter((e): e is RefEngine => !!e))])];
  const refLookups = Object.fromEntries(refNames.map((n) => [n, find(n)])) as Partial<Record<RefEngine, ReturnType<typeof find>>>;
  const ident = async (t: FoundTool | undefined) => (t ? toolIdentity(cache.dir, t) : undefined);
  const [kilnId, meldId, ...refIdList] = await Promise.all([ident(kilnL.found), ident(meldL.found), ...refNames.map((n) => ident(refLookups[n]!.found))]);
  const refIds = Object.fromEntries(refNames.map((n, i) => [n, refIdList[i]])) as Partial<Record<RefEngine, ToolIdentity>>;
  const refId = refIds[o.reference];
  const missing = (l: typeof kilnL) => {
    const e = missingToolError(l);
    return `${e.message}; fix: ${e.hint}`;
  };
  const notices: string[] = [];
  if (!kilnId) notices.push(`kiln cells skipped — ${missing(kilnL)}`);
  if (!meldId) notices.push(`fuse cells skipped — ${missing(meldL)}`);
  for (const n of refNames) if (!refIds[n]) notices.push(`${n} reference cells skipped — ${missing(refLookups[n]!)}`);

  const total = fixtures.length * 2 + fixtures.length * o.modes.length * 3;
  let done = 0;
  const tick = (fixture: string, mode: string, step: Step, c: { status: string; ms: number; cached: boolean }) =>
    say(`[${++done}/${total}] ${fixture} ${mode} ${step} ${c.status}${c.cached ? " (cached)" : ` (${(c.ms / 1000).toFixed(1)} s)`}`);

  /** Judges an engine's records against the fixture; done on every run, so a changed expectation
   * never reads a stale verdict from the cache (only the engine's raw records are cached). */
  const judgeCell = (fx: MatrixFixture, records: RunRecord[], cached: boolean): CellRun => {
    const judged = records.map((r) => ({ r, j: fx.judge(r, r.invoke) }));
    const bad = judged.find((x) => !x.j.ok);
    const pick = bad ?? judged[0]!;
    const c: CellRun = { status: pick.r.verdict, ok: !bad, why: pick.j.why, records, ms: records.reduce((a, r) => a + r.ms, 0), cached };
    if (pick.r.signature) c.signature = pick.r.signature;
    return c;
  };

  const runCell = async (fx: MatrixFixture, engine: "kiln" | "jco" | "wasmtime", id: ToolIdentity | undefined, wasm: string, wasmSha: string): Promise<CellRun> => {
    if (!id) return skippedCell(`${engine === "kiln" ? "kilnd" : engine} absent (how to provide it: see the notices)`);
    const invokes = engine === "kiln" ? fx.invokes.filter((i) => !fx.referenceOnly?.includes(i)) : fx.invokes;
    const key = cache.key({ v: 2, code: SEAM_CODE, engine, tool: id.sha256, wasmSha, args: fx.args, env: fx.env, stdin: fx.stdin ? sha256(fx.stdin) : null, invokes, fuel: o.fuel, timeout: o.timeoutMs });
    const hit = cache.get<RunRecord[]>(key);
    if (hit) return judgeCell(fx, hit, true);
    const records = await limit(async () => {
      const out: RunRecord[] = [];
      for (const invoke of fx.invokes.length ? invokes : [undefined]) {
        out.push(await runComponent({ wasm, engine, invoke, args: fx.args, env: fx.env, stdin: fx.stdin, fuel: o.fuel, timeoutMs: o.timeoutMs, enginePath: id.path, hostEnv: o.env }));
      }
      return out;
    });
    // A timeout or missing engine says nothing about the component: never cache it.
    if (!records.some((r) => r.verdict === "timeout" || r.verdict === "missing-engine")) cache.put(key, records);
    return judgeCell(fx, records, false);
  };

  const fuseCell = async (fx: MatrixFixture, sha: string, mode: Mode): Promise<{ rec: FuseRecord | undefined; path: string; cached: boolean }> => {
    if (!meldId) return { rec: undefined, path: "", cached: false };
    const key = cache.key({ v: 2, code: SEAM_CODE, meld: meldId.sha256, sha, mode, flags: FUSE_FLAGS });
    const path = cache.path(key, "fused.wasm");
    const hit = cache.get<FuseRecord>(key);
    if (hit && (hit.verdict !== "fused" || Bun.file(path).size === hit.output?.bytes)) return { rec: hit, path, cached: true };
    const rec = await limit(() => fuse({ inputs: [fx.file], output: path, memory: mode, extraArgs: FUSE_FLAGS, meld: meldId.path, timeoutMs: o.timeoutMs * 5, hostEnv: o.env }));
    if (rec.verdict !== "missing-tool") cache.put(key, rec);
    return { rec, path, cached: false };
  };

  const rowsPerFixture = await Promise.all(
    fixtures.map(async (fx) => {
      const sha = sha256(readFileSync(fx.file));
      const refEngine = fx.reference?.original ?? o.reference;
      const refOrigP = runCell(fx, refEngine, refIds[refEngine], fx.file, sha).then((c) => (tick(fx.name, "-", "reference(original)", c), c));
      const kilnOrigP = runCell(fx, "kiln", kilnId, fx.file, sha).then((c) => (tick(fx.name, "-", "kiln(original)", c), c));
      return Promise.all(
        o.modes.map(async (mode): Promise<Row> => {
          const f = await fuseCell(fx, sha, mode);
          tick(fx.name, mode, "fuse", { status: f.rec?.verdict ?? "skipped", ms: f.rec?.ms ?? 0, cached: f.cached });
          const fused = f.rec?.verdict === "fused" ? f.rec.output! : undefined;
          const after = async (engine: "kiln" | "jco" | "wasmtime", id: ToolIdentity | undefined, step: Step) => {
            const c = fused ? await runCell(fx, engine, id, f.path, fused.sha256) : skippedCell("nothing fused");
            tick(fx.name, mode, step, c);
            return c;
          };
          const fusedRef = fx.reference?.fused?.[mode] ?? refEngine;
          const [refOrig, kilnOrig, refFused, kilnFused] = await Promise.all([refOrigP, kilnOrigP, after(fusedRef, refIds[fusedRef], "reference(fused)"), after("kiln", kilnId, "kiln(fused)")]);
          const known = fx.knownMeld?.[mode];
          const d = decide({ fixture: fx.name, mode, reference: fusedRef, ...(known ? { knownMeld: known } : {}), refOrig, kilnOrig, fuse: f.rec, refFused, kilnFused }, o.ledger);
          if (known?.outcome === "misfused" && d.verdict !== "meld-bug" && refFused.ok) notices.push(`${fx.name} (${mode}): the manifest records a meld mis-fusion, but the fused file now meets the expectation on ${fusedRef}: update fixtures/manifest.yaml`);
          const cell = (step: Step, c: CellRun): Cell => ({ step, status: c.status, ok: c.ok, detail: c.why, ...(c.signature ? { signature: formatSignature(c.signature) } : {}), ms: c.ms, cached: c.cached });
          const row: Row = {
            fixture: fx.name,
            mode,
            ...d,
            cells: [
              cell("reference(original)", refOrig),
              cell("kiln(original)", kilnOrig),
              { step: "fuse", status: f.rec?.verdict ?? "skipped", ok: f.rec ? f.rec.verdict === "fused" : null, detail: f.rec?.message ?? (fused ? `${fused.bytes} bytes, sha256 ${fused.sha256.slice(0, 12)}` : "meld absent"), ms: f.rec?.ms ?? 0, cached: f.cached },
              cell("reference(fused)", refFused),
              cell("kiln(fused)", kilnFused),
            ],
          };
          if (BUNDLE_VERDICTS.includes(row.verdict) && f.rec) {
            const bundle = await makeBundle(o, cache, fx, mode, row, { refOrig, kilnOrig, refFused, kilnFused }, f.rec, f.path, { kiln: kilnId, meld: meldId, ref: refIds[fusedRef], refName: fusedRef });
            row.bundle = bundle.dir;
            row.reproduced = bundle.reproduced;
          }
          return row;
        }),
      );
    }),
  );
  const rows = rowsPerFixture.flat();
  const tools = {
    meld: meldId ? { version: meldId.version, path: meldId.path } : null,
    kilnd: kilnId ? { version: kilnId.version, path: kilnId.path } : null,
    reference: refId ? { engine: o.reference, version: refId.version } : null,
  };
  const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : undefined;
  return buildReport(rows, tools, { memory: o.modes, fixtures: fixtures.map((f) => f.name), strict: o.strict, ...(shard ? { shard } : {}) }, notices);
}

type Cells = { refOrig: CellRun; kilnOrig: CellRun; refFused: CellRun; kilnFused: CellRun };

/** Writes the repro bundle for a failing row and re-runs its repro.sh once (cached like any cell). */
async function makeBundle(
  o: MatrixOptions,
  cache: ResultCache,
  fx: MatrixFixture,
  mode: Mode,
  row: Row,
  c: Cells,
  fuseRec: FuseRecord,
  fusedPath: string,
  ids: { kiln?: ToolIdentity; meld?: ToolIdentity; ref?: ToolIdentity; refName: RefEngine },
): Promise<{ dir: string; reproduced: Row["reproduced"] }> {
  const name = `${fx.name}-${mode}`;
  const dir = join(o.outDir, name);
  const kilnSide = ["seam-bug", "expected-fail", "blocker-moved"].includes(row.verdict) ? c.kilnFused : row.verdict === "kiln-unsupported" ? c.kilnOrig : undefined;
  const refSide = row.verdict === "meld-bug" && fuseRec.verdict === "fused" ? c.refFused : row.verdict === "reference-fail" ? c.refOrig : undefined;
  const failingCell = kilnSide ?? refSide;
  const record = failingCell?.records.find((r) => r.verdict !== "passed") ?? failingCell?.records.find((r) => !fx.judge(r, r.invoke).ok);
  const engine: ReproInput["failing"]["engine"] = kilnSide ? "kiln" : refSide ? "wasmtime" : "meld-only";
  const describe = (x: CellRun) => `${x.status}${x.ok ? " — meets the expectation" : ` — ${x.why}`}`;
  const input: ReproInput = {
    fixture: fx.name,
    mode,
    verdict: row.verdict,
    why: row.why,
    failing: { engine, on: row.verdict === "kiln-unsupported" || row.verdict === "reference-fail" ? "original" : "fused", ...(record ? { record } : {}) },
    fuse: fuseRec,
    args: fx.args,
    env: fx.env,
    ...(fx.stdin ? { stdin: fx.stdin } : {}),
    ...(record?.invoke ? { invoke: record.invoke } : {}),
    expectText: fx.expectText,
    ...(c.kilnOrig.ok !== null ? { baseline: describe(c.kilnOrig) } : {}),
    ...(c.refFused.ok !== null ? { reference: `${ids.refName} ${ids.ref?.version ?? ""} on fused.wasm: ${describe(c.refFused)}` } : {}),
    ...(row.blocker ? { blocker: `${row.blocker.ref} — ${row.blocker.title} (expects ${row.blocker.expected})` } : {}),
    tools: [`meld ${ids.meld?.version ?? "absent"}`, `kilnd ${ids.kiln?.version ?? "absent"}`, `${ids.refName} ${ids.ref?.version ?? "absent"}`],
    originalPath: fx.file,
    fusedPath,
    captured: Object.fromEntries(
      (failingCell?.records ?? []).flatMap((r, i) => [
        [`${r.engine}-${i}.stdout.txt`, r.stdout],
        [`${r.engine}-${i}.stderr.txt`, r.stderr],
      ]),
    ),
  };
  // What "the same failure" means: kiln's signature when it printed one, else the verdict itself.
  const wanted = record ? (record.signature ? formatSignature(record.signature) : record.verdict) : `${fuseRec.verdict}: ${fuseRec.message ?? ""}`;
  const wasmtime = lookupTool("wasmtime", { env: o.env }).found;
  const canRun = ids.meld && (engine !== "kiln" || ids.kiln) && (engine !== "wasmtime" || wasmtime);
  const key = cache.key({ v: 2, code: SEAM_CODE, repro: name, wanted, fused: fuseRec.output?.sha256, meld: ids.meld?.sha256, kiln: ids.kiln?.sha256 });
  writeBundle(dir, input, "pending");
  let reproduced: Row["reproduced"] = "not run";
  if (canRun) {
    reproduced = cache.get<{ reproduced: Row["reproduced"] }>(key)?.reproduced;
    if (!reproduced) {
      const p = await runProcess(["sh", join(dir, "repro.sh")], {
        timeoutMs: o.timeoutMs * 2,
        stdin: "",
        env: { ...process.env, ...o.env, MELD: ids.meld!.path, KILND: ids.kiln?.path ?? "kilnd", WASMTIME: wasmtime?.path ?? "wasmtime", RUST_BACKTRACE: "0" },
      });
      const got =
        engine === "kiln" ? classifyKiln(p, record?.invoke) : engine === "wasmtime" ? classifyWasmtime(p, record?.invoke) : { verdict: "refused", signature: undefined };
      const gotText = got.signature ? formatSignature(got.signature) : got.verdict;
      const same = engine === "meld-only" ? p.code !== 0 && !!fuseRec.message && p.stdout.includes(fuseRec.message.split(":")[0]!) : gotText === wanted;
      reproduced = same ? "same signature" : "not reproducible";
      cache.put(key, { reproduced });
    }
  }
  writeBundle(dir, input, reproduced ?? "not run");
  return { dir: relative(o.outDir, dir), reproduced };
}

const HELP = `tier-c — the meld→kiln seam matrix, with attribution, a known-blocker ledger and repro bundles

Usage: bun scripts/tier-c.ts [options]
       bun scripts/tier-c.ts merge DIR... [--out DIR] [--strict] [--json]
       bun scripts/tier-c.ts compare BASE HEAD [--fail-on WHAT] [--build LABEL] [--json] [--out FILE] [--junit FILE]
  --fixture NAME        only this fixture (repeatable); default: every fixture in the manifest
  --memory LIST         memory modes, comma-separated: multi,shared (default multi, as upstream)
  --out DIR             results, reports and repro bundles (default out/tier-c)
  -j N                  cells in parallel (default: cores)
  --shard i/n           run the i-th of n deterministic slices (by fixture); combine them with \`merge\`
  --strict              an xpass (a known blocker that now passes) fails the run
  --no-cache            re-run every cell (results are cached by fixture bytes, flags and tool binaries)
  --reference ENGINE    jco (default) or wasmtime
  --ledger FILE         known blockers (default fixtures/known-blockers.yaml)
  --manifest FILE       fixture manifest (default fixtures/manifest.yaml)
  --timeout SEC         per engine run (default 60); a hang is the verdict "timeout", never a stuck job
  --fuel N              fuel limit for kilnd and wasmtime (default: none; kilnd's units are its own)
  --kilnd PATH, --meld PATH   explicit tool binaries (else KILND/MELD_KILND, MELD, .tools/, PATH, ../kiln)
  --json                print results.json on stdout instead of the table
  --baseline BASE       then compare with BASE (a results.json or an --out folder, read before the run;
                        the results.json being replaced is first moved aside to baseline.json): the diff
                        goes into results.json ("diff"), DIR/compare.json and DIR/compare.md
  --fail-on WHAT        with --baseline: regressed (default), moved, any or none (see compare)
compare BASE HEAD: the rows whose verdict, kilnd signature or outcome changed, keyed by fixture × memory ×
form: fixed, regressed (a pass lost, even to a missing tool, or a new failure), moved (same stage's
failure, new signature), reclassified (relabelled: neither better nor worse), new, gone; the unchanged
count and both sides' tools. Results of different corpora compare on their common rows and say so.
  --fail-on WHAT        exit 1 on: regressed (default); moved (regressed or moved); any change; none
  --build LABEL         the build to read where a side holds several (default: its first);
  --base-build L, --head-build L   per side (e.g. two builds of one run: compare R R --base-build old --head-build new)
  --json | --out FILE | --junit FILE   JSON instead of markdown; write to FILE instead of stdout; JUnit (a
                        change that trips --fail-on is a <failure>)
Verdicts: pass; seam-bug (kiln fails what meld validly produced); meld-bug (the fused output fails on
the reference); kiln-unsupported (the original already fails on kilnd); fuse-refused; skipped (a tool
is missing: the notice says how to provide it); expected-fail (matches a ledger entry); blocker-moved
(a ledger entry's failure changed signature); xpass (a ledger entry now passes); reference-fail.
Writes DIR/results.json, DIR/summary.md, DIR/junit.xml and DIR/<fixture>-<mode>/ repro bundles.

Exit: 0 every row passes, is skipped, expected or out of scope; 1 an unexpected failure, a moved
      blocker, or an xpass with --strict, or (--baseline) the diff trips --fail-on; 2 usage error or bad
      input (manifest, ledger, a BASE that is missing or not tier-c results)
      compare: 0 nothing trips --fail-on, 1 it trips, 2 usage error or bad input (one line naming the file)`;

function printReport(report: TierCReport, outDir: string, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(readFileSync(join(outDir, "summary.md"), "utf8"));
  if (process.env.GITHUB_ACTIONS === "true") {
    for (const r of report.rows) {
      if (r.outcome === "unexpected" || r.outcome === "moved") process.stdout.write(ghAnnotation("error", r.why, `seam ${r.fixture} (${r.mode}): ${r.verdict}`) + "\n");
      if (r.outcome === "xpass") process.stdout.write(ghAnnotation("warning", r.why, `seam ${r.fixture} (${r.mode}): xpass`) + "\n");
    }
  }
  for (const n of report.notices) progress(color.yellow(`!! ${n}`));
  progress(`wrote ${relative(process.cwd(), outDir) || "."}/results.json, summary.md, junit.xml`);
}

async function mergeMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    out: { type: "string", default: "out/tier-c" },
    strict: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  });
  if (positionals.length === 0) throw usageError("merge needs at least one shard folder", "bun scripts/tier-c.ts merge out/a out/b --out out/tier-c");
  const outDir = resolve(values.out);
  const report = mergeReports(positionals.map((p) => resolve(p)), outDir, values.strict);
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
  if (positionals.length !== 2) throw usageError(`compare needs BASE and HEAD, got ${positionals.length} path(s)`, "bun scripts/tier-c.ts compare out/base out/tier-c");
  const failOn = parseFailOn(values["fail-on"]);
  const [base, head] = positionals.map((p) => loadResults(p));
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
  progress(`${diff.summary}${diff.tripped ? color.red(` — fails (--fail-on ${failOn})`) : ""}${values.out ? `; wrote ${values.out}` : ""}`);
  return diffExitCode(diff);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "merge") return mergeMain(argv.slice(1));
  if (argv[0] === "compare") return compareMain(argv.slice(1));
  const { values } = parseCli(
    argv,
    {
      fixture: { type: "string", multiple: true, default: [] },
      memory: { type: "string", default: "multi" },
      out: { type: "string", default: "out/tier-c" },
      j: { type: "string", short: "j" },
      shard: { type: "string" },
      strict: { type: "boolean", default: false },
      "no-cache": { type: "boolean", default: false },
      reference: { type: "string", default: "jco" },
      ledger: { type: "string", default: join(ROOT, "fixtures", "known-blockers.yaml") },
      manifest: { type: "string", default: join(ROOT, "fixtures", "manifest.yaml") },
      timeout: { type: "string", default: "60" },
      fuel: { type: "string" },
      kilnd: { type: "string" },
      meld: { type: "string" },
      json: { type: "boolean", default: false },
      baseline: { type: "string" },
      "fail-on": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const modes = values.memory.split(",").map((m) => m.trim());
  for (const m of modes) if (m !== "multi" && m !== "shared") throw usageError(`unknown memory mode: ${m}`, "use --memory multi,shared");
  if (values.reference !== "jco" && values.reference !== "wasmtime") throw usageError(`unknown reference engine: ${values.reference}`, "use jco or wasmtime");
  const jobs = values.j === undefined ? availableParallelism() : Number(values.j);
  if (!Number.isInteger(jobs) || jobs < 1) throw usageError(`-j expects a positive whole number, got: ${values.j}`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw usageError(`--timeout expects seconds > 0, got: ${values.timeout}`);
  const fuel = values.fuel === undefined ? undefined : Number(values.fuel);
  if (fuel !== undefined && !(fuel > 0)) throw usageError(`--fuel expects a positive number, got: ${values.fuel}`);
  if (values["fail-on"] !== undefined && values.baseline === undefined) throw usageError("--fail-on applies to --baseline", "add --baseline BASE, or use `compare BASE HEAD --fail-on …`");
  const failOn = parseFailOn(values["fail-on"] ?? "regressed");
  const outDir = resolve(values.out);
  const fixtures = loadFixtures(resolve(values.manifest), values.fixture);
  const ledger = loadLedger(resolve(values.ledger));
  // Read (and, if it is the results.json about to be replaced, move aside) the base before the run.
  const baseline = values.baseline === undefined ? undefined : takeBaseline(values.baseline, outDir);
  const report = await runMatrix({
    fixtures,
    modes: modes as Mode[],
    outDir,
    jobs,
    shard: values.shard ? parseShard(values.shard) : undefined,
    strict: values.strict,
    cache: !values["no-cache"],
    ledger,
    reference: values.reference,
    timeoutMs: timeout * 1000,
    fuel,
    kilnd: values.kilnd,
    meld: values.meld,
    onProgress: progress,
  });
  if (baseline) report.diff = compareReports(baseline.report, report, { failOn, baseFile: shownPath(baseline.file), headFile: shownPath(join(outDir, "results.json")) });
  writeReports(report, outDir);
  printReport(report, outDir, values.json);
  if (!report.diff) return report.exitCode;
  writeDiff(report.diff, outDir);
  if (!values.json) process.stdout.write("\n" + renderCompareMarkdown(report.diff));
  progress(`${report.diff.summary}${report.diff.tripped ? color.red(` — fails (--fail-on ${failOn})`) : ""}; wrote compare.json, compare.md`);
  return report.exitCode || diffExitCode(report.diff);
}

if (import.meta.main) process.exitCode = await runCli("tier-c", main);
