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
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { enumValue, keyValues, parseCli, positiveNumber, positiveSeconds, runCli } from "./lib/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/errors.ts";
import { atomicWriteJson, sha256, sha256File, requireFile, trackTemp } from "./lib/fsx.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/proc.ts";
import { lookupTool, missingToolError, toolVersion, ROOT, type ToolName } from "./lib/tools.ts";
import { checkTool, identifyTool } from "./lib/tool-identity.ts";
import type { Engine, Form, RunRecord, RunVerdict } from "./lib/records.ts";
import { classifyJco, classifyKiln, classifyWasmtime, type Classified } from "./lib/classify.ts";
import { componentExports, coreExports, hasEntryPoint, matchExport, readWasm, waveCall } from "./lib/wasm.ts";

export interface RunOptions {
  wasm: string;
  engine: Engine;
  invoke?: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  fuel?: number;
  timeoutMs?: number;
  /** Explicit engine binary (the --kilnd / --wasmtime flag); otherwise the usual lookup. */
  enginePath?: string;
  /** Environment the lookup reads and the engine inherits (tests inject one); defaults to process.env. */
  hostEnv?: Record<string, string | undefined>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
/** The guest stdout a record keeps (the rest is counted and hashed). */
export const GUEST_CAP = 1 << 20;
/** What is read of kilnd's stdout to split the guest's part out of it. */
const KILN_CAPTURE = 64 << 20;

/**
 * kilnd's argv. A component: `--component --wasi`, an export by `--invoke`. A core module: `--wasi`, an
 * export by `--function` with its core name (`fn`). Fixture env is exposed by name (`--wasi-env NAME`
 * passes a host variable, so the values go in kilnd's own environment).
 */
export function kilnArgv(kilnd: string, o: RunOptions, form: Form, fn?: string): string[] {
  const argv = [kilnd, o.wasm, ...(form === "component" ? ["--component"] : []), "--wasi"];
  for (const a of o.args ?? []) argv.push("--wasi-arg", a);
  for (const k of Object.keys(o.env ?? {})) argv.push("--wasi-env", k);
  if (o.fuel !== undefined) argv.push("--fuel", String(o.fuel));
  if (o.invoke) argv.push(...(form === "component" ? ["--invoke", o.invoke] : ["--function", fn ?? o.invoke]));
  return argv;
}

/** wasmtime's argv: a component export as a wave call, a core module's export by its core name. */
export function wasmtimeArgv(wasmtime: string, o: RunOptions, form: Form = "component", fn?: string): string[] {
  const argv = [wasmtime, "run"];
  for (const [k, v] of Object.entries(o.env ?? {})) argv.push("--env", `${k}=${v}`);
  if (o.fuel !== undefined) argv.push("-W", `fuel=${o.fuel}`);
  if (o.invoke) argv.push("--invoke", form === "component" ? waveCall(o.invoke) : (fn ?? o.invoke));
  argv.push(o.wasm, ...(o.args ?? []));
  return argv;
}

/**
 * The core export to call for `invoke` in a core module, or an error naming the function exports there
 * are: `compute` finds `seam:fixtures/runner@0.1.0#compute` and the reverse, when exactly one matches.
 */
export function coreFunction(bytes: Uint8Array, invoke: string): { fn: string } | { error: string } {
  const functions = coreExports(bytes)
    .filter((e) => e.kind === "func")
    .map((e) => e.name);
  const fn = matchExport(functions, invoke);
  return fn
    ? { fn }
    : { error: `no single core export matches ${invoke} (function exports: ${functions.join(", ") || "none"})` };
}

/** The jco package folder behind a jco binary (node_modules/.bin/jco → …/@bytecodealliance/jco). */
function jcoPackageDir(jcoBin: string): string {
  let dir = dirname(realpathSync(jcoBin));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@bytecodealliance/jco"
    )
      return dir;
  }
  throw new SeamError(`cannot find the @bytecodealliance/jco package behind ${jcoBin}`, {
    hint: "run `npm ci`, or point JCO at node_modules/.bin/jco of an npm install of jco",
    exitCode: 3,
  });
}

/**
 * Transpiles a component once per (component bytes, jco version) into .seam/jco/<key>/, beside which
 * — as `jco run` does — jco's own preview2-shim is linked, so the generated code imports the WASI shim
 * of the jco that made it (npm nests it under jco; the project's node_modules need not have it).
 */
export async function transpileOnce(jco: string, wasm: string, timeoutMs: number): Promise<string> {
  const pkgDir = jcoPackageDir(jco);
  let shim: string;
  try {
    shim = dirname(Bun.resolveSync("@bytecodealliance/preview2-shim/package.json", pkgDir));
  } catch {
    throw new SeamError(`jco's @bytecodealliance/preview2-shim is not installed beside ${pkgDir}`, {
      hint: "run `npm ci`",
      exitCode: 3,
    });
  }
  const key = sha256(`${sha256File(wasm)}\0${readFileSync(join(pkgDir, "package.json"), "utf8")}\0${shim}`);
  const dir = join(ROOT, ".seam", "jco", key.slice(0, 32));
  const js = join(dir, "component.js");
  if (existsSync(js)) return js;
  const tmp = `${dir}.${process.pid}.tmp`;
  const untrack = trackTemp(tmp);
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, "node_modules", "@bytecodealliance"), { recursive: true });
    const p = await runProcess([jco, "transpile", wasm, "-o", tmp, "--name", "component", "--no-typescript", "-q"], {
      timeoutMs,
    });
    if (p.code !== 0) {
      const c = classifyJco(p);
      throw new SeamError(`jco transpile failed: ${c.errorLine}`, { exitCode: 1 });
    }
    symlinkSync(shim, join(tmp, "node_modules", "@bytecodealliance", "preview2-shim"), "dir");
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
    try {
      renameSync(tmp, dir);
    } catch {
      /* a parallel run got there first */
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    untrack();
  }
  return js;
}

/**
 * The functions a component exports, by the names --invoke takes (`compute`,
 * `seam:fixtures/runner@0.1.0#compute`), or undefined when jco cannot tell. Read off the module jco
 * transpiles the component into, the one the jco engine calls: jco binds every exported function with
 * the component's own types, so the list is what can be called, nested components and all, where the
 * binary's export section alone names only `seam:fixtures/runner@0.1.0`. Remembered beside the transpiled
 * module (one transpile per content hash, shared with the jco engine's runs).
 */
export async function componentFunctions(jco: string, wasm: string, timeoutMs: number): Promise<string[] | undefined> {
  let js: string;
  try {
    js = await transpileOnce(jco, wasm, timeoutMs);
  } catch {
    return undefined;
  }
  const memo = join(dirname(js), "exports.json");
  if (existsSync(memo)) {
    try {
      return JSON.parse(readFileSync(memo, "utf8")) as string[];
    } catch {
      /* damaged: list again */
    }
  }
  const p = await runProcess([process.execPath, join(ROOT, "scripts", "lib", "jco-host.ts"), js, "--exports"], {
    timeoutMs,
    stdin: "",
  });
  if (p.code !== 0) return undefined;
  let names: string[];
  try {
    names = JSON.parse(p.stdout) as string[];
  } catch {
    return undefined;
  }
  try {
    atomicWriteJson(memo, names);
  } catch {
    /* a read-only cache: list again next time */
  }
  return names;
}

/**
 * The export name to give the engine for `invoke` on a component: a top-level function export as is,
 * else the one exported function whose name or part after `#` matches (`compute` →
 * `seam:fixtures/runner@0.1.0#compute`), on every engine. An error lists the names that work. Without jco
 * (or when it cannot read the component) the name goes to the engine as given.
 */
export async function componentInvoke(
  bytes: Uint8Array,
  wasm: string,
  invoke: string,
  timeoutMs: number,
  env?: Record<string, string | undefined>,
): Promise<{ name: string } | { error: string }> {
  const top = componentExports(bytes);
  if (top.some((e) => e.kind === "func" && e.name === invoke)) return { name: invoke };
  // A full name whose interface the component exports goes as is: the engine names a missing function.
  const at = invoke.lastIndexOf("#");
  if (at > 0 && top.some((e) => e.kind === "instance" && e.name === invoke.slice(0, at))) return { name: invoke };
  const jco = lookupTool("jco", { env }).found;
  const functions = jco && (await componentFunctions(jco.path, wasm, timeoutMs));
  if (!functions) return { name: invoke };
  const name = matchExport(functions, invoke);
  if (name) return { name };
  const fn = invoke.slice(invoke.lastIndexOf("#") + 1);
  const several = functions.filter((f) => f.slice(f.lastIndexOf("#") + 1) === fn);
  return {
    error: `${several.length > 1 ? `${invoke} names several exports` : `no exported function ${invoke}`} (exported functions: ${(several.length > 1 ? several : functions).join(", ") || "none"})`,
  };
}

const ENGINE_TOOL: Record<Engine, ToolName> = { kiln: "kilnd", jco: "jco", wasmtime: "wasmtime" };
const ENGINES = Object.keys(ENGINE_TOOL) as Engine[];

/** Runs the component or core module on the chosen engine and returns the classified record; never
 * throws for engine failures (they are verdicts), only for bad input (a missing or non-wasm file). */
export async function runComponent(o: RunOptions): Promise<RunRecord> {
  const { bytes, shape } = readWasm(o.wasm, "input");
  const form: Form = shape.kind;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lookup = lookupTool(ENGINE_TOOL[o.engine], { flag: o.enginePath, env: o.hostEnv });
  const base = {
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
  if (!lookup.found) {
    const err = missingToolError(lookup);
    return {
      ...base,
      engineVersion: "absent",
      enginePath: null,
      command: "",
      verdict: "missing-engine",
      errorLine: `${err.message}; fix: ${err.hint}`,
    };
  }
  const tool = lookup.found;
  const who = await identifyTool(tool);
  if (!who.ok) {
    return {
      ...base,
      engineVersion: "absent",
      enginePath: tool.path,
      command: "",
      verdict: "missing-engine",
      errorLine: `${tool.path} does not answer like ${tool.name}: it printed ${who.answer}`,
    };
  }
  const notRun = async (command: string, errorLine: string): Promise<RunRecord> => ({
    ...base,
    engineVersion: await toolVersion(tool),
    enginePath: tool.path,
    command,
    verdict: "failed",
    errorLine,
  });
  let fn: string | undefined;
  if (form === "core" && o.invoke && o.engine !== "jco") {
    const m = coreFunction(bytes, o.invoke);
    if ("error" in m) return notRun("", m.error);
    fn = m.fn;
  }
  if (form === "component" && o.invoke) {
    const m = await componentInvoke(bytes, o.wasm, o.invoke, timeoutMs, o.hostEnv);
    if ("error" in m) return notRun("", m.error);
    if (m.name !== o.invoke) {
      fn = m.name;
      o = { ...o, invoke: m.name };
    }
  }
  const env = { ...(o.hostEnv ?? process.env), ...(o.env ?? {}) };
  let argv: string[];
  let classify: (p: ProcResult, invoke?: string) => Classified;
  let stdoutFile: string | undefined;
  if (o.engine === "kiln") {
    argv = kilnArgv(tool.path, o, form, fn);
    classify = classifyKiln;
  } else if (o.engine === "wasmtime") {
    argv = wasmtimeArgv(tool.path, o, form, fn);
    classify = classifyWasmtime;
    env.RUST_BACKTRACE = "0";
  } else {
    // jco: transpile once per content hash, then run under Bun as `jco run` would (a command) or call
    // the export (--invoke). Spares `jco run`'s transpile on every run (≈0.7 s of CPU each).
    let js: string;
    try {
      js = await transpileOnce(tool.path, o.wasm, timeoutMs);
    } catch (e) {
      return notRun(shellLine([tool.path, "transpile", o.wasm]), (e as Error).message);
    }
    const host = [process.execPath, join(ROOT, "scripts", "lib", "jco-host.ts"), js];
    argv = o.invoke
      ? [...host, "--invoke", o.invoke]
      : [...host, "--run", basename(o.wasm).replace(/\.wasm$/, ""), ...(o.args ?? [])];
    classify = classifyJco;
    // preview2-shim writes stdout asynchronously; a file cannot lose what a pipe still held at exit.
    if (!o.invoke) stdoutFile = join(tmpdir(), `seam-jco-${process.pid}-${randomBytes(6).toString("hex")}.out`);
  }
  // kilnd's stdout mixes its banner with the guest's, and its stderr carries a trace line per WASI call:
  // keep far more of both, so the guest's own part can be split out and hashed whole; the record still
  // keeps at most GUEST_CAP of it.
  const maxCapture = o.engine === "kiln" ? KILN_CAPTURE : GUEST_CAP;
  const [p, version] = await Promise.all([
    runProcess(argv, { env, stdin: o.stdin, timeoutMs, stdoutFile, maxCapture }),
    toolVersion(tool),
  ]);
  const c = classify(p, o.invoke);
  const guest = o.engine === "kiln" ? Buffer.from(c.stdout) : undefined;
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
    // Sizes and hash describe the guest's stdout; for kiln that is the split-out part, not kilnd's banner.
    stdoutBytes: guest ? guest.length : p.stdoutBytes,
    stdoutSha256: guest ? sha256(guest) : p.stdoutSha256,
    stdoutTruncated: guest ? p.stdoutTruncated || guest.length > GUEST_CAP : p.stdoutTruncated,
    // kilnd's [WASI-TRACE] lines are counted (record.kiln.wasiCalls), not kept.
    stderr:
      o.engine === "kiln"
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
  --timeout SEC                kill the engine and its process tree after SEC seconds (default 60)
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

const EXIT_FOR: Record<RunVerdict, number> = {
  passed: 0,
  failed: 1,
  crashed: 1,
  timeout: 1,
  "missing-engine": 3,
  trapped: 4,
  "exit-nonzero": 5,
  "unsupported-form": 6,
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
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
  if (values.help) {
    console.log(HELP);
    return 0;
  }
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
  const fuel = values.fuel === undefined ? undefined : positiveNumber("--fuel", values.fuel);
  if (values.kilnd !== undefined && engine !== "kiln")
    throw usageError(`--kilnd applies to --engine kiln, not ${engine}`, "drop --kilnd, or use --engine kiln");
  if (values.wasmtime !== undefined && engine !== "wasmtime")
    throw usageError(
      `--wasmtime applies to --engine wasmtime, not ${engine}`,
      "drop --wasmtime, or use --engine wasmtime",
    );
  if (fuel !== undefined && engine === "jco")
    throw usageError("--fuel applies to kiln and wasmtime; jco has no fuel", "drop --fuel, or use --engine wasmtime");
  // Every input, then the engine, then the run: bad input is one line before anything starts.
  const wasm = positionals[0]!;
  const { bytes, shape } = readWasm(wasm, "input");
  if (shape.kind === "core" && engine === "jco")
    throw usageError(
      `${wasm} is a core module; jco runs components`,
      "use --engine wasmtime or kiln for a core module",
    );
  if (!values.invoke && !hasEntryPoint(bytes)) {
    const what =
      shape.kind === "core"
        ? coreExports(bytes)
            .filter((e) => e.kind === "func")
            .map((e) => e.name)
        : componentExports(bytes).map((e) => e.name);
    throw usageError(
      `${wasm} has nothing to run: no ${shape.kind === "core" ? "_start" : "wasi:cli/run"} export, and no --invoke (exports: ${what.join(", ") || "none"})`,
      "pass --invoke EXPORT to call one export, or a command (a wasi:cli program)",
    );
  }
  if (shape.kind === "core" && values.invoke && engine !== "jco") {
    const m = coreFunction(bytes, values.invoke);
    if ("error" in m) throw usageError(m.error, "pass one of those names to --invoke");
  }
  let stdin: Uint8Array | undefined;
  if (values.stdin !== undefined) {
    requireFile(values.stdin, "--stdin file");
    stdin = readFileSync(values.stdin);
  }
  const enginePath = engine === "kiln" ? values.kilnd : engine === "wasmtime" ? values.wasmtime : undefined;
  const tool = await checkTool(ENGINE_TOOL[engine], { flag: enginePath });
  if (!tool.found) throw missingToolError(tool);
  if (shape.kind === "component" && values.invoke) {
    const m = await componentInvoke(bytes, wasm, values.invoke, (timeout ?? DEFAULT_TIMEOUT_MS / 1000) * 1000);
    if ("error" in m)
      throw usageError(m.error, "pass one of those names to --invoke (a short name, when only one export has it)");
  }
  const rec = await runComponent({
    wasm,
    engine,
    invoke: values.invoke,
    args: values.arg,
    env,
    stdin,
    fuel,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    enginePath,
  });
  if (rec.verdict === "missing-engine")
    throw new SeamError(rec.errorLine ?? `${engine} is missing`, { exitCode: EXIT.missingTool });
  if (values.json) process.stdout.write(JSON.stringify(rec, null, 2) + "\n");
  else process.stdout.write(rec.invoke ? (rec.results ?? []).map((r) => r + "\n").join("") : rec.stdout);
  process.stderr.write(summarize(rec) + "\n");
  return EXIT_FOR[rec.verdict];
}

if (import.meta.main) process.exitCode = await runCli("run-kiln", main);
