#!/usr/bin/env bun
/**
 * run-kiln — runs one component or core module on kilnd (or a reference engine: jco, wasmtime) and
 * classifies the outcome the way upstream judges it: by what kilnd prints, not by its exit status.
 * The input's form is read from its bytes: a component runs as `kilnd FILE --component --wasi`, a core
 * module (meld's default output, kiln's RFC #46 path) as `kilnd FILE --wasi`, `--invoke` becoming
 * `--function` with the matching core export.
 * Called by: scripts/tier-c.ts (imports runComponent), CI steps, people writing a kiln bug report.
 * Usage: bun scripts/run-kiln.ts <file.wasm> [--engine kiln|jco|wasmtime] [--invoke EXPORT]
 *          [--arg A]... [--env K=V]... [--stdin FILE] [--fuel N] [--timeout SEC] [--kilnd PATH] [--json]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { enumValue, keyValues, parseCli, positiveSeconds, runCli, positiveInt } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { requireFile, sha256 } from "./lib/core/fsx.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/core/proc.ts";
import { lookupTool, missingToolError, toolVersion, type FoundTool, type ToolName } from "./lib/tools/lookup.ts";
import { checkTool, identifyTool } from "./lib/tools/identity.ts";
import type { Engine, Form, RunRecord, RunVerdict } from "./lib/engines/records.ts";
import { classifyJco, classifyKiln, classifyWasmtime, type Classified } from "./lib/engines/classify.ts";
import { readWasm } from "./lib/core/wasm.ts";
import { jcoHostArgv, kilnArgv, wasmtimeArgv, type EngineCall } from "./lib/engines/argv.ts";
import { transpileOnce } from "./lib/engines/jco-cache.ts";
import { componentInvoke, coreFunction, nothingToRun, resolveInvoke } from "./lib/engines/invoke.ts";
import { jsonText } from "./lib/core/render.ts";

export interface RunComponentOptions extends EngineCall {
  engine: Engine;
  stdin?: string | Uint8Array;
  /** Default RUN_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Explicit engine binary (the --kilnd / --wasmtime flag); otherwise the usual lookup. */
  enginePath?: string;
  /** Environment the lookup reads and the engine inherits (tests inject one); defaults to process.env. */
  hostEnv?: Record<string, string | undefined>;
}

/** How long one engine run may take before its process tree is killed (verdict "timeout"). */
export const RUN_TIMEOUT_MS = 60_000;
/** The guest stdout a record keeps (the rest is counted and hashed). */
export const GUEST_CAP = 1 << 20;
/** What is read of kilnd's stdout to split the guest's part out of it. */
const KILN_CAPTURE = 64 << 20;

const ENGINE_TOOL: Record<Engine, ToolName> = { kiln: "kilnd", jco: "jco", wasmtime: "wasmtime" };
const ENGINES = Object.keys(ENGINE_TOOL) as Engine[];

/** A record's fields before the engine runs: what was asked, nothing observed yet. */
function blankRecord(o: RunComponentOptions, form: Form) {
  return {
    schema: "seam.run/1" as const,
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

/** The engine binary, or the record of a run that could not start: the engine is missing, or is not it. */
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
  env: Record<string, string | undefined>;
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
  tool: FoundTool;
  version: string;
  argv: string[];
  fn?: string;
  p: ProcResult;
  c: Classified;
}

/** The record of a finished run. For kiln, sizes and hash describe the guest's stdout (the part split out
 * of kilnd's), not kilnd's banner; kilnd's [WASI-TRACE] lines are counted (record.kiln.wasiCalls), not kept. */
function finishedRecord(base: BlankRecord, { engine, tool, version, argv, fn, p, c }: EngineRun): RunRecord {
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
    stdoutBytes: guest ? guest.length : p.stdoutBytes,
    stdoutSha256: guest ? sha256(guest) : p.stdoutSha256,
    stdoutTruncated: guest ? p.stdoutTruncated || guest.length > GUEST_CAP : p.stdoutTruncated,
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
  for (const k of ["signature", "errorLine", "results", "values", "guestExit", "kiln"] as const)
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
  const tool = await findEngine(o, base);
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
  const call = { ...o, invoke: target.invoke };
  const cmd = await engineCommand(tool, call, form, target.fn, timeoutMs);
  if ("error" in cmd) return notRun(cmd.command, cmd.error);
  // kilnd's stdout mixes its banner with the guest's, and its stderr carries a trace line per WASI call:
  // keep far more of both, so the guest's own part can be split out and hashed whole; the record still
  // keeps at most GUEST_CAP of it.
  const maxCapture = o.engine === "kiln" ? KILN_CAPTURE : GUEST_CAP;
  const [p, version] = await Promise.all([
    runProcess(cmd.argv, { env: cmd.env, stdin: o.stdin, timeoutMs, stdoutFile: cmd.stdoutFile, maxCapture }),
    toolVersion(tool),
  ]);
  const c = cmd.classify(p, call.invoke);
  return finishedRecord(base, { engine: o.engine, tool, version, argv: cmd.argv, fn: target.fn, p, c });
}

/** The one-line human summary of a record. */
export function summarize(r: RunRecord): string {
  const what = r.invoke
    ? `${r.invoke} → ${(r.results ?? []).join(", ") || "(no result)"}`
    : `${r.stdoutBytes} bytes of guest stdout`;
  const why = r.verdict === "passed" ? what : (r.errorLine ?? "");
  return `${r.verdict} on ${r.engine} ${r.engineVersion} in ${r.ms} ms: ${why}`;
}

const HELP = `run-kiln — run a component or core module on kilnd or a reference engine and classify the outcome

Usage: bun scripts/run-kiln.ts <file.wasm> [options]
  --engine kiln|jco|wasmtime   engine (default kiln); kilnd from --kilnd, $KILND, $MELD_KILND, .tools/, PATH, ../kiln/target
  --invoke EXPORT              call one export and print its result(s), one per line. A short name
                               (compute) finds the one export of that name, on a component on every
                               engine (seam:fixtures/runner@0.1.0#compute) and on a core module (kilnd
                               gets --function with the matching core export); none or several is exit 2
                               listing the full names
  --arg A                      guest argument (repeatable)
  --env K=V                    guest environment variable (repeatable)
  --stdin FILE                 feed FILE to the guest's stdin
  --fuel N                     fuel limit (kiln, wasmtime)
  --timeout SEC                kill the engine and its process tree after SEC seconds (default ${RUN_TIMEOUT_MS / 1000})
  --kilnd PATH / --wasmtime PATH   explicit engine binary
  --json                       print the full record as JSON on stdout
The form is read from the file's bytes: a component runs as \`kilnd FILE --component --wasi\`, a core
module (meld's default output, kiln's RFC #46 path) as \`kilnd FILE --wasi\`. A file with nothing to run
(no _start or wasi:cli/run export) needs --invoke.
Prints the guest's own stdout (kilnd's banner, log lines, WASI traces and stats removed), then a
summary line on stderr.

Exit: 0 passed; 1 engine failed, crashed or timed out; 2 usage error or bad input;
      3 engine missing, or not the engine (KILND=/bin/true); 4 guest trapped; 5 guest exited non-zero;
      6 the engine refuses this form (kilnd runs core modules only: lower it with meld fuse)`;

/** run-kiln's own exit codes beyond EXIT's: what the guest did, and a form the engine refuses. */
export const RUN_EXIT = { trapped: 4, guestExit: 5, refusedForm: 6 } as const;

const EXIT_FOR: Record<RunVerdict, number> = {
  passed: EXIT.ok,
  failed: EXIT.fail,
  crashed: EXIT.fail,
  timeout: EXIT.fail,
  "missing-engine": EXIT.missingTool,
  trapped: RUN_EXIT.trapped,
  "exit-nonzero": RUN_EXIT.guestExit,
  "unsupported-form": RUN_EXIT.refusedForm,
};

function parseRunFlags(argv: string[]) {
  return parseCli(argv, {
    engine: { type: "string", default: "kiln" },
    invoke: { type: "string" },
    arg: { type: "string", multiple: true, default: [] },
    env: { type: "string", multiple: true, default: [] },
    stdin: { type: "string" },
    fuel: { type: "string" },
    timeout: { type: "string" },
    kilnd: { type: "string" },
    wasmtime: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
}

/** The run the flags ask for, each flag checked (usage errors); the file itself is checked by checkRun. */
function runOptions({ values, positionals }: ReturnType<typeof parseRunFlags>): RunComponentOptions {
  if (positionals.length !== 1)
    throw usageError(
      positionals.length
        ? `expected one .wasm file, got ${positionals.length}: ${positionals.join(" ")}`
        : "expected one .wasm file",
      "bun scripts/run-kiln.ts app.wasm [--engine jco]",
    );
  const engine = enumValue("--engine", values.engine, ENGINES);
  if (values.invoke !== undefined && values.invoke.trim() === "")
    throw usageError("--invoke is empty", "name an export, e.g. --invoke compute");
  const env = keyValues("--env", values.env);
  const timeout = values.timeout === undefined ? undefined : positiveSeconds("--timeout", values.timeout);
  const fuel = values.fuel === undefined ? undefined : positiveInt("--fuel", values.fuel, "1000000");
  if (values.kilnd !== undefined && engine !== "kiln")
    throw usageError(`--kilnd applies to --engine kiln, not ${engine}`, "drop --kilnd, or use --engine kiln");
  if (values.wasmtime !== undefined && engine !== "wasmtime")
    throw usageError(
      `--wasmtime applies to --engine wasmtime, not ${engine}`,
      "drop --wasmtime, or use --engine wasmtime",
    );
  if (fuel !== undefined && engine === "jco")
    throw usageError("--fuel applies to kiln and wasmtime; jco has no fuel", "drop --fuel, or use --engine wasmtime");
  return {
    wasm: positionals[0]!,
    engine,
    invoke: values.invoke,
    args: values.arg,
    env,
    fuel,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    enginePath: engine === "kiln" ? values.kilnd : engine === "wasmtime" ? values.wasmtime : undefined,
  };
}

/** Every input, then the engine: bad input is one line before anything runs. Returns the run with the
 * --stdin file read. */
async function checkRun(o: RunComponentOptions, stdinFile: string | undefined): Promise<RunComponentOptions> {
  const { bytes, shape } = readWasm(o.wasm, "input");
  if (shape.kind === "core" && o.engine === "jco")
    throw usageError(
      `${o.wasm} is a core module; jco runs components`,
      "use --engine wasmtime or kiln for a core module",
    );
  const idle = o.invoke ? undefined : nothingToRun(o.wasm, bytes, shape.kind);
  if (idle) throw usageError(idle, "pass --invoke EXPORT to call one export, or a command (a wasi:cli program)");
  if (shape.kind === "core" && o.invoke && o.engine !== "jco") {
    const m = coreFunction(bytes, o.invoke);
    if ("error" in m) throw usageError(m.error, "pass one of those names to --invoke");
  }
  if (stdinFile !== undefined) requireFile(stdinFile, "--stdin file");
  const stdin = stdinFile === undefined ? undefined : readFileSync(stdinFile);
  const tool = await checkTool(ENGINE_TOOL[o.engine], { flag: o.enginePath });
  if (!tool.found) throw missingToolError(tool);
  if (shape.kind === "component" && o.invoke) {
    const m = await componentInvoke(bytes, o.wasm, o.invoke, o.timeoutMs ?? RUN_TIMEOUT_MS);
    if ("error" in m)
      throw usageError(m.error, "pass one of those names to --invoke (a short name, when only one export has it)");
  }
  return { ...o, stdin };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const rec = await runComponent(await checkRun(runOptions(flags), flags.values.stdin));
  if (rec.verdict === "missing-engine")
    throw new SeamError(rec.errorLine ?? `${rec.engine} is missing`, { exitCode: EXIT.missingTool });
  if (flags.values.json) process.stdout.write(jsonText(rec));
  else process.stdout.write(rec.invoke ? (rec.results ?? []).map((r) => r + "\n").join("") : rec.stdout);
  process.stderr.write(summarize(rec) + "\n");
  return EXIT_FOR[rec.verdict];
}

if (import.meta.main) process.exitCode = await runCli("run-kiln", main);
