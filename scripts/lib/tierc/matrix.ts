/**
 * matrix — what the tier-c seam matrix is given: its fixtures (from the manifest, an ad hoc run, or a
 * test), its options and their defaults, and the tool builds. The cores it drives are lib/engines/fuse.ts
 * and run.ts (lib/tierc/cells.ts calls them).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { CellRun, KnownMeld } from "./attribution.ts";
import type { AdhocFixture } from "./adhoc/inputs.ts";
import { usageError } from "../core/errors.ts";
import type { Blocker } from "./ledger.ts";
import { loadManifest } from "../fixtures/manifest.ts";
import type { CommandExpectation, Fixture, InvokeCall, Manifest } from "../fixtures/fixture.ts";
import { expectationText, judgeRun } from "../fixtures/judge.ts";
import { FORMS, MEMORY_MODES, type Form, type MemoryMode, type RunRecord } from "../engines/records.ts";
import type { Env } from "../core/proc.ts";

/** What the matrix needs of a fixture; built from the manifest, or by tests directly. */
export interface MatrixFixture {
  name: string;
  file: string;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  /** Exports to call; empty for a wasi:cli command. */
  invokes: string[];
  /** Each call's expected result in words (`1`, `trap`), for the row's per-call report. */
  expectedCalls?: Record<string, string>;
  /** Of those, the ones with non-scalar results that kilnd cannot print: reference only. */
  referenceOnly?: string[];
  /** The expectation in words, for REPRO.md. */
  expectText: string;
  /** The exact stdout a command must print, when the manifest names it (REPRO.md shows it). */
  expectedStdout?: string;
  judge: (run: RunRecord, invoke?: string) => { ok: boolean; why: string };
  /** The expectation itself, for repro.sh's test: a command's, or each export's result or trap. */
  command?: CommandExpectation;
  calls?: InvokeCall[];
  /** The guest's sources, as the manifest names them (`src/c/exit_code.c`) and where they are. */
  sources?: { name: string; path: string }[];
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
  /** Resident memory each engine run may use (--memory-limit); default run.ts's DEFAULT_MEMORY_LIMIT. */
  memoryLimitBytes?: number;
  fuel?: number;
  /** The kilnd and meld builds: one path, or several (labelled) to compare builds in one run. */
  kilnd?: string | ToolChoice[];
  meld?: string | ToolChoice[];
  /** Environment for tool lookup and every tool run (tests inject KILND); defaults to process.env. */
  env?: Env;
  onProgress?: (line: string) => void;
}

/** The matrix's defaults, for every caller that does not choose (tier-c's flags, all.ts, bench). */
export const MATRIX_DEFAULTS = {
  modes: ["multi"] as MemoryMode[],
  forms: [...FORMS] as Form[],
  jobs: availableParallelism(),
  reference: "jco" as RefEngine,
  timeoutMs: 60_000,
  strict: false,
  cache: true,
};

export const skippedCell = (why: string): CellRun => ({
  status: "skipped",
  ok: null,
  why,
  records: [],
  ms: 0,
  cached: false,
});

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

/** `--kilnd [LABEL=]PATH`: a tool build, labelled for the table when a run has several. A `=` before any
 * `/` of a path that does not exist is read as a label, so a bad one is named as a label, not a path. */
export function parseToolChoice(text: string): ToolChoice {
  const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(text);
  if (m) return { label: m[1]!, path: m[2]! };
  const at = text.indexOf("=");
  if (at >= 0 && !text.slice(0, at).includes("/") && !existsSync(text)) {
    const label = text.slice(0, at);
    throw usageError(
      at === text.length - 1
        ? `--kilnd/--meld ${text}: no path after the label`
        : `--kilnd/--meld ${text}: ${JSON.stringify(label)} is not a label (letters, digits, _ . - only)`,
      "e.g. --kilnd old=/path/to/kilnd --kilnd new=/other/kilnd",
    );
  }
  return { path: text };
}

/** A manifest fixture as the matrix runs it: its judge, reference engines and recorded meld outcomes. */
export function fromManifest(f: Fixture): MatrixFixture {
  const stdout = f.expect?.kind === "exit" ? f.expect.stdout : undefined;
  const fusedRef = MEMORY_MODES.flatMap((m) => {
    const e = f.meld[m].reference ?? f.reference?.engine;
    return e ? [[m, e]] : [];
  });
  const known = MEMORY_MODES.map((m) => [
    m,
    { outcome: f.meld[m].outcome, ...(f.meld[m].message ? { message: f.meld[m].message } : {}) },
  ]);
  return {
    name: f.name,
    file: f.file,
    args: f.args,
    env: f.env,
    ...(f.stdin ? { stdin: f.stdin } : {}),
    invokes: f.invoke.map((c) => c.export),
    referenceOnly: f.invoke.filter((c) => c.referenceOnly).map((c) => c.export),
    expectedCalls: Object.fromEntries(f.invoke.map((c) => [c.export, c.trap ? "trap" : (c.result ?? "")])),
    expectText: expectationText(f),
    ...(stdout !== undefined ? { expectedStdout: stdout } : {}),
    judge: (run, invoke) => judgeRun(run, f, invoke),
    ...(f.expect ? { command: f.expect } : {}),
    calls: f.invoke,
    sources: f.sources.map((name, i) => ({ name, path: f.sourcePaths[i]! })),
    reference: { ...(f.reference ? { original: f.reference.engine } : {}), fused: Object.fromEntries(fusedRef) },
    knownMeld: Object.fromEntries(known),
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
  return pickFixtures(loadManifest(manifestPath), manifestPath, names);
}

/** The named fixtures of a parsed manifest (all of them when `names` is empty); an unknown name is an error. */
export function pickFixtures(manifest: Manifest, manifestPath: string, names: string[]): MatrixFixture[] {
  const all = manifest.fixtures.map(fromManifest);
  for (const n of names)
    if (!all.some((f) => f.name === n))
      throw usageError(`no fixture named ${n} in ${manifestPath}`, `known: ${all.map((f) => f.name).join(", ")}`);
  return names.length ? all.filter((f) => names.includes(f.name)) : all;
}
