/**
 * cells — the cells of the tier-c matrix and what one run shares between them: the cache, the
 * job pool, the tool builds and reference engines, and a memo so a cell several rows need (a fusion, an
 * evidence run, a baseline) runs once. Each cell runs one engine (or meld) and judges what came back.
 */
import { join } from "node:path";
import type { CellRun } from "./attribution.ts";
import {
  cacheable,
  checkedDigest,
  engineRunKey,
  fuseCacheable,
  fuseKey,
  ResultCache,
  type ToolDigest,
} from "./cache.ts";
import { usageError } from "../core/errors.ts";
import { skippedCell, type MatrixFixture, type MatrixOptions, type RefEngine, type ToolChoice } from "./matrix.ts";
import { limiter } from "../core/pool.ts";
import { FORMS, FUSE_FLAGS, type Form, type FuseRecord, type MemoryMode, type RunRecord } from "../engines/records.ts";
import { flaggedTool, lookupTool, missingToolError } from "../tools/lookup.ts";
import { fuse } from "../engines/fuse.ts";
import { DEFAULT_MEMORY_LIMIT, runComponent } from "../engines/run.ts";

type Engine = "kiln" | RefEngine;

export interface Fused {
  rec: FuseRecord | undefined;
  path: string;
  cached: boolean;
}

/** One kilnd × meld pairing of a run: its rows carry `label` when the run has several. */
export interface Build {
  label: string;
  kiln?: ToolDigest;
  meld?: ToolDigest;
}

/** What one matrix run shares between its cells. */
export interface MatrixRun {
  options: MatrixOptions & { forms: Form[] };
  cache: ResultCache;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  builds: Build[];
  ref: Partial<Record<RefEngine, ToolDigest>>;
  memo: Map<string, Promise<unknown>>;
  notices: string[];
  tick: (fixture: string, where: string, step: string, c: { status: string; ms: number; cached: boolean }) => void;
}

/** One promise per key per run: a cell several rows need (a fusion, an evidence run) runs once. */
export function once<T>(ctx: MatrixRun, key: string, make: () => Promise<T>): Promise<T> {
  if (!ctx.memo.has(key)) ctx.memo.set(key, make());
  return ctx.memo.get(key) as Promise<T>;
}

/** Judges an engine's records against the fixture; done on every run, so a changed expectation
 * never reads a stale verdict from the cache (only the engine's raw records are cached). */
function judgeCell(fx: MatrixFixture, records: RunRecord[], cached: boolean): CellRun {
  const judged = records.map((r) => ({ r, j: fx.judge(r, r.invoke) }));
  const bad = judged.find((x) => !x.j.ok);
  const pick = bad ?? judged[0]!;
  const ms = records.reduce((a, r) => a + r.ms, 0);
  const c: CellRun = { status: pick.r.verdict, ok: !bad, why: pick.j.why, records, ms, cached };
  if (pick.r.signature) c.signature = pick.r.signature;
  return c;
}

/** Runs `engine` on one wasm (its tool: `id`) for a fixture: the command once, or each invoke. */
export async function runCell(
  ctx: MatrixRun,
  fx: MatrixFixture,
  engine: Engine,
  id: ToolDigest | undefined,
  wasm: string,
  wasmSha: string,
): Promise<CellRun> {
  const { options: o, cache } = ctx;
  if (!id) return skippedCell(`${engine === "kiln" ? "kilnd" : engine} absent (how to provide it: see the notices)`);
  const invokes = engine === "kiln" ? fx.invokes.filter((i) => !fx.referenceOnly?.includes(i)) : fx.invokes;
  if (fx.invokes.length && !invokes.length)
    return skippedCell("every export returns a value kilnd cannot print (reference only)");
  const key = engineRunKey({
    engine,
    tool: id,
    wasmSha,
    args: fx.args,
    env: fx.env,
    stdin: fx.stdin,
    invokes,
    fuel: o.fuel,
    timeoutMs: o.timeoutMs,
    memoryLimitBytes: o.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
  });
  const hit = cache.get<RunRecord[]>(key);
  if (hit) return judgeCell(fx, hit, true);
  const runAll = () =>
    ctx.limit(async () => {
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
            memoryLimitBytes: o.memoryLimitBytes,
            tool: flaggedTool(engine === "kiln" ? "kilnd" : engine, id.path),
            hostEnv: o.env,
          }),
        );
      }
      return out;
    });
  const records = await rerunKilled(await runAll(), runAll);
  if (cacheable(records)) cache.put(key, records);
  return judgeCell(fx, records, false);
}

/** A run killed by a signal seam did not send (the kernel's OOM killer, a person) says nothing about the
 * input: it is run once more. The second run's outcome stands if it completes; killed again, it is the
 * engine's crash (it reproduces), said so and never cached. */
export async function rerunKilled(first: RunRecord[], again: () => Promise<RunRecord[]>): Promise<RunRecord[]> {
  if (!first.some((r) => r.verdict === "killed")) return first;
  const second = await again();
  return second.map((r) =>
    r.verdict === "killed"
      ? {
          ...r,
          verdict: "crashed" as const,
          errorLine: `${r.errorLine}, on a rerun too`,
          fault: `${r.fault}; reproduced on a rerun`,
        }
      : r,
  );
}

/** meld's output of a fixture in one mode and form: once per meld build, whatever number of kilnds. */
export function fuseCell(
  ctx: MatrixRun,
  fx: MatrixFixture,
  sha: string,
  mode: MemoryMode,
  form: Form,
  meld: ToolDigest | undefined,
): Promise<Fused> {
  return once(ctx, `fuse|${fx.name}|${mode}|${form}|${meld?.path ?? ""}`, async () => {
    const { options: o, cache } = ctx;
    if (!meld) return { rec: undefined, path: "", cached: false };
    const key = fuseKey({ meld, wasmSha: sha, mode, form, flags: FUSE_FLAGS });
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
          tool: flaggedTool("meld", meld.path),
          timeoutMs: o.timeoutMs * 5,
          hostEnv: o.env,
        }),
      );
      if (fuseCacheable(rec)) cache.put(key, rec);
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
export function fusedCell(
  ctx: MatrixRun,
  fx: MatrixFixture,
  f: Fused,
  engine: Engine,
  id: ToolDigest | undefined,
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

function choices(x: string | ToolChoice[] | undefined): (ToolChoice | undefined)[] {
  if (x === undefined || (Array.isArray(x) && x.length === 0)) return [undefined];
  return typeof x === "string" ? [{ path: x }] : x;
}

/** Each tool build given (or the lookup's own choice), labelled; a missing one is a notice, not an error. */
function resolveChoices(o: MatrixOptions, cache: ResultCache, notices: string[], name: "kilnd" | "meld") {
  const list = choices(name === "kilnd" ? o.kilnd : o.meld);
  return Promise.all(
    list.map(async (c, i) => {
      const l = lookupTool(name, { flag: c?.path, env: o.env });
      if (!l.found) {
        const e = missingToolError(l);
        const which = list.length > 1 ? ` for ${c?.label ?? `${name}${i + 1}`}` : "";
        notices.push(`${name === "kilnd" ? "kiln" : "fuse"} cells skipped${which} — ${e.message}; fix: ${e.hint}`);
      }
      return {
        label: c?.label ?? `${name}${i + 1}`,
        id: l.found ? await checkedDigest(l.found) : undefined,
      };
    }),
  );
}

/** The run's builds: every meld × every kilnd given, labelled by what varies (`old`, `meld1+new`). */
async function resolveBuilds(o: MatrixOptions, cache: ResultCache, notices: string[]): Promise<Build[]> {
  const [kilns, melds] = await Promise.all([
    resolveChoices(o, cache, notices, "kilnd"),
    resolveChoices(o, cache, notices, "meld"),
  ]);
  const label = (m: { label: string }, k: { label: string }) =>
    [melds.length > 1 ? m.label : "", kilns.length > 1 ? k.label : ""].filter(Boolean).join("+");
  const builds = melds.flatMap((m) => kilns.map((k) => ({ label: label(m, k), kiln: k.id, meld: m.id })));
  const labels = builds.map((b) => b.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined)
    throw usageError(
      `two builds are labelled ${twice}`,
      "label each --kilnd/--meld: --kilnd old=PATH --kilnd new=PATH",
    );
  return builds;
}

/** The reference engines a run needs (the default and any a fixture names), looked up once. */
async function resolveReferences(o: MatrixOptions, fixtures: MatrixFixture[], cache: ResultCache, notices: string[]) {
  const named = fixtures.flatMap((f) => [f.reference?.original, ...o.modes.map((m) => f.reference?.fused?.[m])]);
  const names = [...new Set<RefEngine>([o.reference, ...named.filter((e): e is RefEngine => !!e)])];
  const lookups = names.map((n) => lookupTool(n, { env: o.env }));
  const ids = await Promise.all(lookups.map((l) => (l.found ? checkedDigest(l.found) : undefined)));
  lookups.forEach((l, i) => {
    if (l.found) return;
    const e = missingToolError(l);
    notices.push(`${names[i]} reference cells skipped — ${e.message}; fix: ${e.hint}`);
  });
  return Object.fromEntries(names.map((n, i) => [n, ids[i]])) as Partial<Record<RefEngine, ToolDigest>>;
}

/** "[3/40] hello_c_cli multi core fuse fused (0.4 s)": the progress line of each cell, counted. */
function ticker(o: MatrixOptions & { forms: Form[] }, fixtures: number, builds: Build[]): MatrixRun["tick"] {
  const kilns = new Set(builds.map((b) => b.kiln?.path)).size;
  const melds = new Set(builds.map((b) => b.meld?.path)).size;
  const perFixture = 1 + (o.forms.includes("component") ? kilns : 0);
  // fusions and evidence runs per meld, kiln cells per build and form
  const perMode = melds * (2 + (o.forms.includes("core") ? 1 : 0)) + builds.length * o.forms.length;
  const total = fixtures * (perFixture + o.modes.length * perMode);
  let done = 0;
  const say = o.onProgress ?? (() => {});
  return (fixture, where, step, c) =>
    say(
      `[${++done}/${total}] ${fixture} ${where} ${step} ${c.status}${c.cached ? " (cached)" : ` (${(c.ms / 1000).toFixed(1)} s)`}`,
    );
}

export async function prepareMatrixRun(options: MatrixOptions, fixtures: MatrixFixture[]): Promise<MatrixRun> {
  const o = { ...options, forms: options.forms ?? [...FORMS] };
  const cache = new ResultCache(join(o.outDir, ".cache"), o.cache);
  const notices: string[] = [];
  const [builds, ref] = await Promise.all([
    resolveBuilds(o, cache, notices),
    resolveReferences(o, fixtures, cache, notices),
  ]);
  const tick = ticker(o, fixtures.length, builds);
  return { options: o, cache, limit: limiter(o.jobs), builds, ref, memo: new Map(), notices, tick };
}
