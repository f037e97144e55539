/**
 * run core — runs one component or core module on kilnd (or a reference engine: jco, wasmtime) and
 * classifies the outcome the way upstream judges it: by what kilnd prints, not by its exit status.
 * The input's form is read from its bytes: a component runs as `kilnd FILE --component --wasi`, a core
 * module (meld's default output, kiln's RFC #46 path) as `kilnd FILE --wasi`, `--invoke` becoming
 * `--function` with the matching core export. Engine failures are verdicts; only bad input throws.
 * Used by: scripts/run-kiln.ts (its CLI), lib/tierc/cells.ts (the matrix's engine cells),
 * lib/fixtures/verify.ts, scripts/tier-c.ts (ad hoc expectations), tests.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { sha256 } from "../core/fsx.ts";
import { runProcess, shellLine, type ProcResult, type Env } from "../core/proc.ts";
import { lookupTool, missingToolError, toolVersion, type FoundTool, type ToolName } from "../tools/lookup.ts";
import { identifyTool } from "../tools/identity.ts";
import { SCHEMAS, type Engine, type Form, type RunRecord } from "./records.ts";
import { classifyJco, classifyKiln, classifyWasmtime, type Classified } from "./classify.ts";
import { readWasm } from "../core/wasm.ts";
import { jcoHostArgv, kilnArgv, wasmtimeArgv, type EngineCall } from "./argv.ts";
import { transpileOnce } from "./jco-cache.ts";
import { resolveInvoke } from "./invoke.ts";
import { KilnGuestDigest, type GuestDigest } from "./kiln-stream.ts";

export interface RunComponentOptions extends EngineCall {
  engine: Engine;
  stdin?: string | Uint8Array;
  /** Default RUN_TIMEOUT_MS. */
  timeoutMs?: number;
  /** The engine as the caller found it and checked it answers like itself (a main's checkTool, a matrix
   * run's builds): used as is. Without it, runComponent looks it up and asks it who it is. */
  tool?: FoundTool;
  /** Explicit engine binary for runComponent's own lookup (when no `tool` is given). */
  enginePath?: string;
  /** Environment the lookup reads and the engine inherits (tests inject one); defaults to process.env. */
  hostEnv?: Env;
  /** Resident memory the engine's process group may use; default DEFAULT_MEMORY_LIMIT. */
  memoryLimitBytes?: number;
  /** Bytes the engine may print (stdout and stderr); default OUTPUT_LIMIT. */
  outputLimitBytes?: number;
}

/** How long one engine run may take before its process tree is killed (verdict "timeout"). */
export const RUN_TIMEOUT_MS = 60_000;
/** The guest stdout a record keeps (the rest is counted and hashed). */
export const GUEST_CAP = 1 << 20;
/** What is kept of kilnd's stdout to read its transcript; the guest's size and sha256 cover the whole
 * stream all the same (KilnGuestDigest hashes it as it streams). */
const KILN_CAPTURE = 64 << 20;
/** The memory cap of one engine run (README, Troubleshooting): 8 GiB, because the real kilnd 0.4.4 peaks at
 * 7.3 GB running meld's fused cpp_iostream core module, and does run it right; a lower cap would turn that
 * pass into a fault. Every other corpus run stays under 2 GiB. At -j 2 two such runs fit a 16 GB CI runner;
 * past that, lower -j or set --memory-limit, so the kernel's OOM killer (whose SIGKILL says nothing about
 * the input) never picks the run instead of seam. */
export const DEFAULT_MEMORY_LIMIT = 8 * 2 ** 30;
/** The output cap of one engine run: 1 GiB of stdout and stderr together, far past any fixture's output
 * (the largest prints 200 MB) and short of filling a disk or a pipe reader's memory. */
export const OUTPUT_LIMIT = 2 ** 30;

/** The tool each engine runs. */
export const ENGINE_TOOL: Record<Engine, ToolName> = { kiln: "kilnd", jco: "jco", wasmtime: "wasmtime" };
export const ENGINES = Object.keys(ENGINE_TOOL) as Engine[];

/** A record's fields before the engine runs: what was asked, nothing observed yet. */
function blankRecord(o: RunComponentOptions, form: Form) {
  return {
    schema: SCHEMAS.run,
    engine: o.engine,
    wasm: o.wasm,
    form,
    invoke: o.invoke,
    exitCode: null,
    signal: null,
    stdout: "",
    stdoutBytes: 0,
    stdoutSha256: "",
    stdoutTruncated: false,
    stderr: "",
    ms: 0,
  };
}

type BlankRecord = ReturnType<typeof blankRecord>;

/** The engine binary for a caller that hands in none, looked up and asked who it is; or the record of a
 * run that could not start: the engine is missing, or is not it. */
async function findEngine(o: RunComponentOptions, base: BlankRecord): Promise<FoundTool | RunRecord> {
  const lookup = lookupTool(ENGINE_TOOL[o.engine], { flag: o.enginePath, env: o.hostEnv });
  const missing = { ...base, engineVersion: "absent", command: "", verdict: "missing-engine" as const };
  if (!lookup.found) {
    const err = missingToolError(lookup);
    return { ...missing, enginePath: null, errorLine: `${err.message}; fix: ${err.hint}` };
  }
  const tool = lookup.found;
  const who = await identifyTool(tool);
  if (who.ok) return tool;
  return {
    ...missing,
    enginePath: tool.path,
    errorLine: `${tool.path} does not answer like ${tool.name}: it printed ${who.answer}`,
  };
}

/** How one engine is run: its argv and environment, how its outcome is judged, where its stdout goes. */
interface EngineCommand {
  argv: string[];
  env: Env;
  classify: (p: ProcResult, invoke?: string) => Classified;
  stdoutFile?: string;
}

/** The chosen engine's command. jco's needs the component transpiled first, which can fail. */
async function engineCommand(
  tool: FoundTool,
  o: RunComponentOptions,
  form: Form,
  fn: string | undefined,
  timeoutMs: number,
): Promise<EngineCommand | { command: string; error: string }> {
  const env = { ...(o.hostEnv ?? process.env), ...(o.env ?? {}) };
  if (o.engine === "kiln") return { argv: kilnArgv(tool.path, o, form, fn), env, classify: classifyKiln };
  if (o.engine === "wasmtime")
    return {
      argv: wasmtimeArgv(tool.path, o, form, fn),
      env: { ...env, RUST_BACKTRACE: "0" },
      classify: classifyWasmtime,
    };
  // jco: transpile once per content hash, then run under Bun as `jco run` would (a command) or call
  // the export (--invoke). Spares `jco run`'s transpile on every run (≈0.7 s of CPU each).
  let js: string;
  try {
    js = await transpileOnce(tool.path, o.wasm, timeoutMs);
  } catch (e) {
    return { command: shellLine([tool.path, "transpile", o.wasm]), error: (e as Error).message };
  }
  // preview2-shim writes stdout asynchronously; a file cannot lose what a pipe still held at exit.
  const stdoutFile = o.invoke
    ? undefined
    : join(tmpdir(), `seam-jco-${process.pid}-${randomBytes(6).toString("hex")}.out`);
  return { argv: jcoHostArgv(js, o), env, classify: classifyJco, stdoutFile };
}

/** One finished engine run: the engine, what ran, what it did and how it was judged. */
interface EngineRun {
  engine: Engine;
  /** kilnd's guest stdout, sized and hashed whole as it streamed. */
  guestDigest?: GuestDigest;
  tool: FoundTool;
  version: string;
  argv: string[];
  fn?: string;
  p: ProcResult;
  c: Classified;
}

/** The record of a finished run. For kiln, sizes and hash describe the guest's stdout (the part split out
 * of kilnd's), not kilnd's banner; kilnd's [WASI-TRACE] lines are counted (record.kiln.wasiCalls), not kept. */
function finishedRecord(base: BlankRecord, run: EngineRun): RunRecord {
  const { engine, tool, version, argv, fn, p, c, guestDigest } = run;
  const guest = engine === "kiln" ? Buffer.from(c.stdout) : undefined;
  const rec: RunRecord = {
    ...base,
    ...(fn ? { function: fn } : {}),
    engineVersion: version,
    enginePath: tool.path,
    command: shellLine(argv),
    verdict: c.verdict,
    exitCode: p.code,
    signal: p.signal,
    stdout: guest ? guest.subarray(0, GUEST_CAP).toString("utf8") : c.stdout,
    stdoutBytes: guestDigest?.bytes ?? (guest ? guest.length : p.stdoutBytes),
    stdoutSha256: guestDigest?.sha256 ?? (guest ? sha256(guest) : p.stdoutSha256),
    stdoutTruncated: guest ? p.stdoutTruncated || (guestDigest?.bytes ?? guest.length) > GUEST_CAP : p.stdoutTruncated,
    stderr:
      engine === "kiln"
        ? p.stderr
            .split("\n")
            .filter((l) => !l.startsWith("[WASI-TRACE] "))
            .join("\n")
            .slice(0, GUEST_CAP)
        : p.stderr,
    ms: p.ms,
  };
  for (const k of ["signature", "errorLine", "results", "values", "guestExit", "kiln", "fault"] as const)
    if (c[k] !== undefined) Object.assign(rec, { [k]: c[k] });
  if (rec.stdoutTruncated)
    rec.stdout += `\n[seam: stdout truncated: kept ${GUEST_CAP} of ${rec.stdoutBytes} bytes; full sha256 ${rec.stdoutSha256}]\n`;
  return rec;
}

/** Runs the component or core module on the chosen engine and returns the classified record; never
 * throws for engine failures (they are verdicts), only for bad input (a missing or non-wasm file). */
export async function runComponent(o: RunComponentOptions): Promise<RunRecord> {
  const { bytes, shape } = readWasm(o.wasm, "input");
  const form: Form = shape.kind;
  const timeoutMs = o.timeoutMs ?? RUN_TIMEOUT_MS;
  const base = blankRecord(o, form);
  const tool = o.tool ?? (await findEngine(o, base));
  if ("schema" in tool) return tool;
  const notRun = async (command: string, errorLine: string): Promise<RunRecord> => ({
    ...base,
    engineVersion: await toolVersion(tool),
    enginePath: tool.path,
    command,
    verdict: "failed",
    errorLine,
  });
  const target = await resolveInvoke(bytes, { ...o, form, timeoutMs }, o.hostEnv);
  if ("error" in target) return notRun("", target.error);
  const call = { ...o, invoke: target.invoke, ...(target.callArgs ? { callArgs: target.callArgs } : {}) };
  const cmd = await engineCommand(tool, call, form, target.fn, timeoutMs);
  if ("error" in cmd) return notRun(cmd.command, cmd.error);
  // kilnd's stdout mixes its banner with the guest's, and its stderr carries a trace line per WASI call:
  // keep far more of both, so the guest's own part can be split out and hashed whole; the record still
  // keeps at most GUEST_CAP of it.
  const maxCapture = o.engine === "kiln" ? KILN_CAPTURE : GUEST_CAP;
  const digest = o.engine === "kiln" ? new KilnGuestDigest() : undefined;
  const caps = {
    memoryLimitBytes: o.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
    outputLimitBytes: o.outputLimitBytes ?? OUTPUT_LIMIT,
    ...(digest ? { onStdout: (chunk: Buffer) => digest.push(chunk) } : {}),
  };
  const [p, version] = await Promise.all([
    runProcess(cmd.argv, { env: cmd.env, stdin: o.stdin, timeoutMs, stdoutFile: cmd.stdoutFile, maxCapture, ...caps }),
    toolVersion(tool),
  ]);
  const c = cmd.classify(p, call.invoke);
  const run = { engine: o.engine, tool, version, argv: cmd.argv, fn: target.fn, p, c, guestDigest: digest?.digest() };
  return finishedRecord(base, run);
}

/** The one-line human summary of a record. */
export function summarize(r: RunRecord): string {
  const what = r.invoke
    ? `${r.invoke} → ${(r.results ?? []).join(", ") || "(no result)"}`
    : `${r.stdoutBytes} bytes of guest stdout`;
  const why = r.verdict === "passed" ? what : (r.errorLine ?? "");
  return `${r.verdict} on ${r.engine} ${r.engineVersion} in ${r.ms} ms: ${why}`;
}
