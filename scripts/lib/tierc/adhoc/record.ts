/**
 * record — the expectation of an ad hoc input, recorded from the reference engine on the unfused
 * original (see lib/tierc/adhoc/inputs.ts): a command's exit status and stdout (exact when small, else sha256 and byte
 * count) or trap; each `--invoke` export's one result or trap. When the reference cannot run the original
 * the fixture carries a refusal saying why instead. Recordings are cached by content like tier-c's cells.
 * Used by scripts/tier-c.ts (ad hoc runs) and the tests. Nothing here prints or exits.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { AdhocFixture, AdhocInput, AdhocSpec, ReferenceEngine } from "./inputs.ts";
import { cacheable, checkedDigest, referenceRecordKey, ResultCache, type ToolDigest } from "../cache.ts";
import { sha256 } from "../../core/fsx.ts";
import type { CommandExpectation, Fixture, InvokeCall } from "../../fixtures/fixture.ts";
import { limiter } from "../../core/pool.ts";
import type { RunRecord } from "../../engines/records.ts";
import { flaggedTool, lookupTool, missingToolError } from "../../tools/lookup.ts";
import { DEFAULT_MEMORY_LIMIT, runComponent } from "../../engines/run.ts";
import type { Env } from "../../core/proc.ts";

/** Stdout up to this size is kept as exact text in the expectation; longer output by sha256 and size. */
export const EXACT_STDOUT_MAX = 4096;
/** The results kilnd --invoke prints: numbers (it types them I32, I64, F32, F64). Others are reference only. */
const NUMBER = /^(-?(\d+(\.\d*)?([eE][-+]?\d+)?|inf|Infinity)|NaN|nan)$/;
const ADHOC_WHY =
  "recorded ad hoc by tier-c on wasmtime, which also runs every fused output (jco 1.35 does not run a multi-memory core module)";

/** What the reference's runs give: the expectation, or why they give none. */
type Reading<T> = { value: T } | { why: string };

/** A command's stdout as an expectation: the exact text when it is small and UTF-8, else sha256 and size. */
function stdoutExpectation(r: RunRecord): Omit<Extract<CommandExpectation, { kind: "exit" }>, "kind" | "exit"> {
  const text = new TextEncoder().encode(r.stdout);
  const exact =
    !r.stdoutTruncated &&
    r.stdoutBytes <= EXACT_STDOUT_MAX &&
    text.length === r.stdoutBytes &&
    sha256(text) === r.stdoutSha256;
  return exact ? { stdout: r.stdout } : { stdoutSha256: r.stdoutSha256, stdoutBytes: r.stdoutBytes };
}

const failure = (r: RunRecord) => `${r.verdict}${r.errorLine ? ` (${r.errorLine})` : ""}`;

/** The manifest fixture of an ad hoc input, its expectation not yet filled in. */
function adhocFixture(
  input: AdhocInput,
  spec: AdhocSpec,
  engine: ReferenceEngine,
  recordedOn: string,
  sha: string,
): Fixture {
  const rel = `${input.name}.wasm`;
  return {
    name: input.name,
    kind: spec.invokes.length ? "invoke" : "command",
    summary: `${basename(input.file)}, run ad hoc (expectation recorded on ${recordedOn})`,
    file: input.file,
    relFile: rel,
    sha256: sha,
    build: "prebuilt",
    sources: [rel],
    sourcePaths: [input.file],
    args: spec.args,
    env: spec.env,
    ...(spec.stdin ? { stdin: spec.stdin } : {}),
    expect: null,
    invoke: [],
    // What meld does is not known before the run; tier-c records it for --save-fixture from the rows.
    // jco 1.35 cannot run a multi-memory core module, which is what multi memory makes of a composition.
    meld: {
      multi: { outcome: "pass", ...(engine === "jco" ? { reference: "wasmtime" as const } : {}) },
      shared: { outcome: "pass" },
    },
    ...(engine === "wasmtime" ? { reference: { engine, why: ADHOC_WHY } } : {}),
    line: 0,
  };
}

/** A command's expectation from its one run: a trap, exit 0, or a non-zero status, with its stdout. */
function commandExpectation(records: RunRecord[], engine: ReferenceEngine): Reading<CommandExpectation> {
  const r = records[0];
  if (!r || records.length !== 1) return { why: `expected one run of the command, got ${records.length}` };
  if (r.verdict === "trapped") return { value: { kind: "trap" } };
  if (r.verdict === "passed") return { value: { kind: "exit", exit: 0, ...stdoutExpectation(r) } };
  if (r.verdict === "exit-nonzero") {
    const status = r.guestExit === undefined ? r.exitCode : r.guestExit;
    if (!status) return { why: `${engine} says the original exited non-zero but reports status ${status}` };
    return { value: { kind: "exit", exit: Math.min(status, 255), ...stdoutExpectation(r) } };
  }
  return {
    why: `${engine} cannot run the original as a wasi:cli command: ${failure(r)}; if it is not a command, name the exports to call with --invoke`,
  };
}

/** Each invoked export's one result or trap; at least one must be a number kilnd can print. */
function invokeCalls(spec: AdhocSpec, records: RunRecord[], engine: ReferenceEngine): Reading<InvokeCall[]> {
  const calls: InvokeCall[] = [];
  for (const name of spec.invokes) {
    const r = records.find((x) => x.invoke === name);
    if (!r) return { why: `no run of ${name}` };
    if (r.verdict === "trapped") {
      calls.push({ export: name, trap: true, referenceOnly: false });
      continue;
    }
    if (r.verdict !== "passed") return { why: `${engine} cannot call ${name} on the original: ${failure(r)}` };
    const results = (r.results ?? []).filter((x) => x !== "()");
    if (results.length !== 1)
      return {
        why: `${name} returns ${results.length ? results.join(", ") : "nothing"} on ${engine}: seam judges an export by its one result`,
      };
    calls.push({ export: name, result: results[0]!, trap: false, referenceOnly: !NUMBER.test(results[0]!) });
  }
  if (calls.every((c) => c.referenceOnly)) {
    return {
      why: `kilnd --invoke prints numbers only, and none of ${spec.invokes.join(", ")} returns one (${calls.map((c) => `${c.export} = ${c.result}`).join(", ")}): name an export that returns a number or traps`,
    };
  }
  return { value: calls };
}

/**
 * Turns the reference's runs on an original into a manifest fixture whose expectation they meet, or a
 * refusal saying why they give none. Pure: `records` are the runs (one per invoke, or the command's one).
 */
export function expectationFromRuns(
  input: AdhocInput,
  spec: AdhocSpec,
  records: RunRecord[],
  engine: ReferenceEngine,
  engineVersion: string,
  fileSha256: string,
): AdhocFixture {
  const recordedOn = `${engine} ${engineVersion}`;
  const fixture = adhocFixture(input, spec, engine, recordedOn, fileSha256);
  const refuse = (why: string): AdhocFixture => ({
    fixture,
    refusal: `no expectation could be recorded: ${why}`,
    recordedOn,
    records,
  });
  const missing = records.find((r) => r.verdict === "missing-engine");
  if (missing) return refuse(`${engine} missing: ${missing.errorLine ?? ""}`);
  if (spec.invokes.length) {
    const calls = invokeCalls(spec, records, engine);
    if ("why" in calls) return refuse(calls.why);
    fixture.invoke = calls.value;
  } else {
    const expect = commandExpectation(records, engine);
    if ("why" in expect) return refuse(expect.why);
    fixture.expect = expect.value;
  }
  return { fixture, recordedOn, records };
}

export interface RecordOptions {
  engine: ReferenceEngine;
  /** tier-c's cache folder (OUT/.cache): a recording is cached like any cell, by content. */
  cacheDir: string;
  cache: boolean;
  timeoutMs: number;
  /** --memory-limit of each reference run (run.ts's DEFAULT_MEMORY_LIMIT when absent). */
  memoryLimitBytes?: number;
  jobs: number;
  /** Environment for the engine lookup and its runs (tests inject one); defaults to process.env. */
  hostEnv?: Env;
  onProgress?: (line: string) => void;
}

/** The reference's runs of one input: cached by its bytes, the flags, the engine binary and seam's code. */
async function referenceRuns(
  input: AdhocInput,
  spec: AdhocSpec,
  o: RecordOptions,
  cache: ResultCache,
  tool: ToolDigest,
  sha: string,
): Promise<{ records: RunRecord[]; cached: boolean }> {
  const key = referenceRecordKey({
    engine: o.engine,
    tool,
    wasmSha: sha,
    args: spec.args,
    env: spec.env,
    stdin: spec.stdin,
    invokes: spec.invokes,
    timeoutMs: o.timeoutMs,
    memoryLimitBytes: o.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
  });
  const hit = cache.get<RunRecord[]>(key);
  if (hit) return { records: hit, cached: true };
  const records: RunRecord[] = [];
  for (const invoke of spec.invokes.length ? spec.invokes : [undefined]) {
    records.push(
      await runComponent({
        wasm: input.file,
        engine: o.engine,
        ...(invoke ? { invoke } : {}),
        args: spec.args,
        env: spec.env,
        ...(spec.stdin ? { stdin: spec.stdin } : {}),
        timeoutMs: o.timeoutMs,
        memoryLimitBytes: o.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
        tool: flaggedTool(o.engine, tool.path),
        ...(o.hostEnv ? { hostEnv: o.hostEnv } : {}),
      }),
    );
  }
  if (cacheable(records)) cache.put(key, records);
  return { records, cached: false };
}

/**
 * Records each input's expectation from the reference engine on the unfused original: cached by the
 * input's bytes, the flags, the engine binary and seam's code, so a warm rerun launches nothing.
 */
export async function recordExpectations(
  inputs: AdhocInput[],
  common: AdhocSpec,
  o: RecordOptions,
): Promise<AdhocFixture[]> {
  const cache = new ResultCache(o.cacheDir, o.cache);
  const lookup = lookupTool(o.engine, { env: o.hostEnv });
  // The reference is asked once whether it answers like itself (exit 3 if not); its runs then take it as is.
  const tool = lookup.found ? await checkedDigest(lookup.found) : undefined;
  const limit = limiter(o.jobs);
  const recordOne = async (input: AdhocInput): Promise<AdhocFixture> => {
    const spec = { ...common, invokes: common.callsByInput?.[input.name] ?? common.invokes };
    const sha = sha256(readFileSync(input.file));
    if (!tool) {
      const e = missingToolError(lookup);
      return {
        ...expectationFromRuns(input, spec, [], o.engine, "absent", sha),
        refusal: `no expectation could be recorded: ${o.engine} missing: ${e.message}; fix: ${e.hint}`,
      };
    }
    const { records, cached } = await referenceRuns(input, spec, o, cache, tool, sha);
    const a = expectationFromRuns(input, spec, records, o.engine, tool.version, sha);
    o.onProgress?.(
      `ad hoc ${input.name}: ${a.refusal ?? `expectation recorded on ${a.recordedOn}`}${cached ? " (cached)" : ""}`,
    );
    return a;
  };
  return Promise.all(inputs.map((input) => limit(() => recordOne(input))));
}
