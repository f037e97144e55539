#!/usr/bin/env bun
/**
 * run-kiln — runs one component on kilnd (or a reference engine: jco, wasmtime) and classifies the
 * outcome the way upstream judges it: by what kilnd prints, not by its exit status.
 * Called by: scripts/tier-c.ts (imports runComponent), CI steps, people writing a kiln bug report.
 * Usage: bun scripts/run-kiln.ts <component.wasm> [--engine kiln|jco|wasmtime] [--invoke EXPORT]
 *          [--arg A]... [--env K=V]... [--stdin FILE] [--fuel N] [--timeout SEC] [--kilnd PATH] [--json]
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { parseCli, runCli } from "./lib/cli.ts";
import { SeamError, usageError } from "./lib/errors.ts";
import { sha256, sha256File, requireFile } from "./lib/fsx.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/proc.ts";
import { lookupTool, missingToolError, toolVersion, ROOT, type ToolName } from "./lib/tools.ts";
import type { Engine, RunRecord, RunVerdict, Signature } from "./lib/records.ts";
import { formatSignature } from "./lib/records.ts";
import { waveCall } from "./lib/wasm.ts";

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

const SIGNATURE = /\[([A-Za-z][A-Za-z0-9]*)\]\[(E[0-9A-Fa-f]{4})\](?:\[([A-Za-z0-9_-]+)\])?\s*(.*)/;

/** Parses kiln's `[Category][Ecode] message` (optional third bracket) out of a line of text. */
export function parseSignature(text: string): Signature | undefined {
  const m = SIGNATURE.exec(text);
  if (!m) return undefined;
  const sig: Signature = { category: m[1]!, code: m[2]!.toUpperCase(), message: m[4]!.trim() };
  if (m[3]) sig.asil = m[3];
  return sig;
}

const TRAP_WORDS = /out of bounds|divide by zero|call stack exhausted|unreachable|integer overflow|wasm trap|indirect call type mismatch|undefined element/i;

/** kilnd's own lines: the banner, `[LEVEL]` log lines, ✓/✗ status lines and the stats block. */
const KILN_LOG = /^\[(INFO|WARN|ERROR|DEBUG|TRACE)\] /;
/** Lines that make up kilnd's banner before any guest output. */
const KILN_BANNER = /^(WebAssembly Runtime Daemon|=+$|✓ |  - |\[(INFO|WARN|ERROR|DEBUG|TRACE)\] |Error: No module specified)/;
const KILN_TRAILER = /^(\[INFO\] Component executed successfully|\[ERROR\] Component execution failed|✓ Execution completed successfully|✗ Execution failed)/;

export interface KilnSplit {
  /** What the guest itself wrote to stdout. */
  guest: string;
  /** kilnd's banner, log and stats lines, in order. */
  kiln: string[];
}

/**
 * Separates the guest's stdout from kilnd's banner, `[INFO]` lines and stats. The banner ends at the
 * "Calling wasi:cli/run" (or first `[INFO]`) line; the trailer starts at the success/failure line.
 * A guest line without a trailing newline that kilnd's next log line was glued to is split apart.
 */
export function splitKilnOutput(stdout: string): KilnSplit {
  // kilnd's log lines start a line; a guest's unterminated last line can carry one glued to its end.
  // Such a line is marked (\u0001) so the guest's text is given back without a newline it never wrote.
  const lines = stdout.replace(/(?<=[^\n])(\[(?:INFO|WARN|ERROR|DEBUG|TRACE)\] )/g, "\u0001\n$1").split("\n");
  if (stdout.endsWith("\n")) lines.pop();
  const calling = lines.findIndex((l) => /^\[INFO\] Calling /.test(l));
  let bodyStart = calling + 1;
  if (calling < 0) {
    bodyStart = 0;
    while (bodyStart < lines.length && KILN_BANNER.test(lines[bodyStart]!)) bodyStart++;
  }
  const kiln = lines.slice(0, bodyStart);
  let guest = "";
  let trailer = false;
  for (const line of lines.slice(bodyStart)) {
    trailer ||= KILN_TRAILER.test(line);
    if (trailer || KILN_LOG.test(line)) kiln.push(line);
    else guest += line.endsWith("\u0001") ? line.slice(0, -1) : `${line}\n`;
  }
  return { guest, kiln };
}

type Classified = Pick<RunRecord, "verdict" | "signature" | "errorLine"> & { stdout: string; results?: string[] };

/** A clean run: the guest's stdout, and for --invoke its result lines. */
function passed(stdout: string, invoke?: string): Classified {
  return invoke ? { verdict: "passed", stdout, results: stdout.split("\n").filter((l) => l.trim() !== "") } : { verdict: "passed", stdout };
}

function firstMeaningfulLine(text: string): string | undefined {
  return text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !/^(at |Stack backtrace|Caused by:|\d+: )/.test(l));
}

function killedOrTimedOut(p: ProcResult): Classified | undefined {
  if (p.spawnError) return { verdict: "missing-engine", errorLine: p.spawnError, stdout: "" };
  if (p.timedOut) return { verdict: "timeout", errorLine: `killed after ${p.ms} ms (timeout)`, stdout: p.stdout };
  if (p.signal) return { verdict: "crashed", errorLine: `engine died by ${p.signal}`, stdout: p.stdout };
  return undefined;
}

/**
 * Classifies a kilnd run from its transcript, as upstream does: success means the combined output says
 * "executed successfully" and not "Execution failed"; the exit status is recorded, never trusted.
 */
export function classifyKiln(p: ProcResult, invoke?: string): Classified {
  const early = killedOrTimedOut(p);
  const split = splitKilnOutput(p.stdout);
  if (early) return { ...early, stdout: split.guest };
  // A flood of guest output pushes kilnd's verdict line past the capture: read the kept tails too.
  const all = `${p.stdout}\n${p.stdoutTail}\n${p.stderr}\n${p.stderrTail}`;
  if (/panicked at/.test(all)) {
    return { verdict: "crashed", errorLine: firstMeaningfulLine(all.slice(all.indexOf("panicked at"))), stdout: split.guest };
  }
  const ok = /executed successfully/.test(all) && !/Execution failed/.test(all);
  if (ok) return passed(split.guest, invoke);
  const errLine =
    all.match(/✗ Execution failed: (.*)/)?.[1] ??
    all.match(/Component execution error: (.*)/)?.[1] ??
    all.match(/^Error: (.*)$/m)?.[1] ??
    firstMeaningfulLine(p.stderr) ??
    "no success line in kilnd output";
  const signature = parseSignature(errLine) ?? parseSignature(all);
  const exitMatch = errLine.match(/exit(?:ed)?(?: with)? (?:code|status) (-?\d+)/i);
  let verdict: RunVerdict = "failed";
  if (exitMatch && exitMatch[1] !== "0") verdict = "exit-nonzero";
  else if ((signature && signature.code === "E2199") || TRAP_WORDS.test(signature?.message ?? errLine)) verdict = "trapped";
  return { verdict, signature, errorLine: signature ? formatSignature(signature) : errLine.trim(), stdout: split.guest };
}

/** Classifies a jco run (lib/jco-host.ts, `jco run`-alike, or --invoke): a JS trap is the guest's trap, not a crash of the engine. */
export function classifyJco(p: ProcResult, invoke?: string): Classified {
  const early = killedOrTimedOut(p);
  if (early) return early;
  if (p.code === 0) return passed(p.stdout, invoke);
  const err = p.stderr;
  const trap = err.match(/RuntimeError: (.*)/);
  if (trap) return { verdict: "trapped", errorLine: `RuntimeError: ${trap[1]}`, stdout: p.stdout };
  if (err.trim() === "") return { verdict: "exit-nonzero", errorLine: `guest exited non-zero (jco reports status ${p.code})`, stdout: p.stdout };
  // jco's first line says only "Unable to transpile"; the reason follows on a `[cause]:` line and,
  // deeper, under "Caused by:". Keep the most specific one.
  const cause = (err.match(/Caused by:\s*\n\s*(.+)/)?.[1] ?? err.match(/\[cause\]: (?:\w*Error: )?(.+)/)?.[1])?.trim();
  const first = firstMeaningfulLine(err) ?? `jco exited ${p.code}`;
  return { verdict: "failed", errorLine: cause && !first.includes(cause) ? `${first}: ${cause}` : first, stdout: p.stdout };
}

/** Classifies a wasmtime run: exit 0 passed; a `wasm trap` is a trap; other errors fail to load/run. */
export function classifyWasmtime(p: ProcResult, invoke?: string): Classified {
  const early = killedOrTimedOut(p);
  if (early) return early;
  if (p.code === 0) return passed(p.stdout, invoke);
  const trap = p.stderr.match(/wasm trap: (.*)/);
  if (trap) return { verdict: "trapped", errorLine: `wasm trap: ${trap[1]}`, stdout: p.stdout };
  if (!/^Error: /m.test(p.stderr)) return { verdict: "exit-nonzero", errorLine: `guest exited with status ${p.code}`, stdout: p.stdout };
  const cause = p.stderr.match(/Caused by:\s*\n\s*(?:\d+: )?(.+)/)?.[1]?.trim();
  const first = p.stderr.match(/^Error: (.*)$/m)![1]!;
  return { verdict: "failed", errorLine: cause ? `${first}: ${cause}` : first, stdout: p.stdout };
}

/** kilnd's argv for a run; fixture env is exposed by name, since --wasi-env passes a host variable. */
export function kilnArgv(kilnd: string, o: RunOptions): string[] {
  const argv = [kilnd, o.wasm, "--component", "--wasi"];
  for (const a of o.args ?? []) argv.push("--wasi-arg", a);
  for (const k of Object.keys(o.env ?? {})) argv.push("--wasi-env", k);
  if (o.fuel !== undefined) argv.push("--fuel", String(o.fuel));
  if (o.invoke) argv.push("--invoke", o.invoke);
  return argv;
}

export function wasmtimeArgv(wasmtime: string, o: RunOptions): string[] {
  const argv = [wasmtime, "run"];
  for (const [k, v] of Object.entries(o.env ?? {})) argv.push("--env", `${k}=${v}`);
  if (o.fuel !== undefined) argv.push("-W", `fuel=${o.fuel}`);
  if (o.invoke) argv.push("--invoke", waveCall(o.invoke));
  argv.push(o.wasm, ...(o.args ?? []));
  return argv;
}


/** The jco package folder behind a jco binary (node_modules/.bin/jco → …/@bytecodealliance/jco). */
function jcoPackageDir(jcoBin: string): string {
  let dir = dirname(realpathSync(jcoBin));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@bytecodealliance/jco") return dir;
  }
  throw new SeamError(`cannot find the @bytecodealliance/jco package behind ${jcoBin}`, { hint: "run `npm ci`, or point JCO at node_modules/.bin/jco of an npm install of jco", exitCode: 3 });
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
    throw new SeamError(`jco's @bytecodealliance/preview2-shim is not installed beside ${pkgDir}`, { hint: "run `npm ci`", exitCode: 3 });
  }
  const key = sha256(`${sha256File(wasm)}\0${readFileSync(join(pkgDir, "package.json"), "utf8")}\0${shim}`);
  const dir = join(ROOT, ".seam", "jco", key.slice(0, 32));
  const js = join(dir, "component.js");
  if (existsSync(js)) return js;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "node_modules", "@bytecodealliance"), { recursive: true });
  const p = await runProcess([jco, "transpile", wasm, "-o", tmp, "--name", "component", "--no-typescript", "-q"], { timeoutMs });
  if (p.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const c = classifyJco(p);
    throw new SeamError(`jco transpile failed: ${c.errorLine}`, { exitCode: 1 });
  }
  symlinkSync(shim, join(tmp, "node_modules", "@bytecodealliance", "preview2-shim"), "dir");
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // a parallel run got there first
  }
  return js;
}

const ENGINE_TOOL: Record<Engine, ToolName> = { kiln: "kilnd", jco: "jco", wasmtime: "wasmtime" };

/** Runs the component on the chosen engine and returns the classified record; never throws for engine
 * failures (they are verdicts), only for bad input (missing wasm file). */
export async function runComponent(o: RunOptions): Promise<RunRecord> {
  requireFile(o.wasm, "component");
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lookup = lookupTool(ENGINE_TOOL[o.engine], { flag: o.enginePath, env: o.hostEnv });
  const base = {
    schema: "seam.run/1" as const,
    engine: o.engine,
    wasm: o.wasm,
    invoke: o.invoke,
    stdoutBytes: 0,
    stdoutSha256: "",
    stdoutTruncated: false,
    stderr: "",
  };
  if (!lookup.found) {
    const err = missingToolError(lookup);
    return { ...base, engineVersion: "absent", enginePath: null, command: "", verdict: "missing-engine", exitCode: null, signal: null, errorLine: `${err.message}; fix: ${err.hint}`, stdout: "", ms: 0 };
  }
  const tool = lookup.found;
  const env = { ...(o.hostEnv ?? process.env), ...(o.env ?? {}) };
  let argv: string[];
  let classify: (p: ProcResult, invoke?: string) => Classified;
  let stdoutFile: string | undefined;
  if (o.engine === "kiln") {
    argv = kilnArgv(tool.path, o);
    classify = classifyKiln;
  } else if (o.engine === "wasmtime") {
    argv = wasmtimeArgv(tool.path, o);
    classify = classifyWasmtime;
    env.RUST_BACKTRACE = "0";
  } else {
    // jco: transpile once per content hash, then run under Bun as `jco run` would (a command) or call
    // the export (--invoke). Spares `jco run`'s transpile on every run (≈0.7 s of CPU each).
    let js: string;
    try {
      js = await transpileOnce(tool.path, o.wasm, timeoutMs);
    } catch (e) {
      const errorLine = (e as Error).message;
      return { ...base, engineVersion: await toolVersion(tool), enginePath: tool.path, command: shellLine([tool.path, "transpile", o.wasm]), verdict: "failed", exitCode: null, signal: null, errorLine, stdout: "", ms: 0 };
    }
    const host = [process.execPath, join(ROOT, "scripts", "lib", "jco-host.ts"), js];
    argv = o.invoke ? [...host, "--invoke", o.invoke] : [...host, "--run", basename(o.wasm).replace(/\.wasm$/, ""), ...(o.args ?? [])];
    classify = classifyJco;
    // preview2-shim writes stdout asynchronously; a file cannot lose what a pipe still held at exit.
    if (!o.invoke) stdoutFile = join(tmpdir(), `seam-jco-${process.pid}-${randomBytes(6).toString("hex")}.out`);
  }
  // kilnd's stdout mixes its banner with the guest's: keep far more of it, so the guest's own part can
  // be split out and hashed whole; the record still keeps at most GUEST_CAP of it.
  const maxCapture = o.engine === "kiln" ? KILN_CAPTURE : GUEST_CAP;
  const [p, version] = await Promise.all([runProcess(argv, { env, stdin: o.stdin, timeoutMs, stdoutFile, maxCapture }), toolVersion(tool)]);
  const c = classify(p, o.invoke);
  const guest = o.engine === "kiln" ? Buffer.from(c.stdout) : undefined;
  const rec: RunRecord = {
    ...base,
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
    stderr: p.stderr,
    ms: p.ms,
  };
  if (c.signature) rec.signature = c.signature;
  if (c.errorLine) rec.errorLine = c.errorLine;
  if (c.results) rec.results = c.results;
  if (rec.stdoutTruncated) rec.stdout += `\n[seam: stdout truncated: kept ${GUEST_CAP} of ${rec.stdoutBytes} bytes; full sha256 ${rec.stdoutSha256}]\n`;
  return rec;
}

/** The one-line human summary of a record. */
export function summarize(r: RunRecord): string {
  const what = r.invoke ? `${r.invoke} → ${(r.results ?? []).join(", ") || "(no result)"}` : `${r.stdoutBytes} bytes of guest stdout`;
  const why = r.verdict === "passed" ? what : r.errorLine ?? "";
  return `${r.verdict} on ${r.engine} ${r.engineVersion} in ${r.ms} ms: ${why}`;
}

const HELP = `run-kiln — run a component on kilnd or a reference engine and classify the outcome

Usage: bun scripts/run-kiln.ts <component.wasm> [options]
  --engine kiln|jco|wasmtime   engine (default kiln); kilnd from --kilnd, $KILND, $MELD_KILND, .tools/, PATH, ../kiln/target
  --invoke EXPORT              call one export and print its result(s), one per line
  --arg A                      guest argument (repeatable)
  --env K=V                    guest environment variable (repeatable)
  --stdin FILE                 feed FILE to the guest's stdin
  --fuel N                     fuel limit (kiln, wasmtime)
  --timeout SEC                kill the engine and its process tree after SEC seconds (default 60)
  --kilnd PATH / --wasmtime PATH   explicit engine binary
  --json                       print the full record as JSON on stdout
Prints the guest's own stdout (kilnd's banner and stats removed), then a summary line on stderr.

Exit: 0 passed; 1 engine failed, crashed or timed out; 2 usage error or bad input;
      3 engine missing; 4 guest trapped; 5 guest exited non-zero`;

const EXIT_FOR: Record<RunVerdict, number> = { passed: 0, failed: 1, crashed: 1, timeout: 1, "missing-engine": 3, trapped: 4, "exit-nonzero": 5 };

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
  if (positionals.length !== 1) throw usageError("expected exactly one component.wasm", "bun scripts/run-kiln.ts app.wasm [--engine jco]");
  const engine = values.engine as Engine;
  if (!["kiln", "jco", "wasmtime"].includes(engine)) throw usageError(`unknown engine: ${engine}`, "use kiln, jco or wasmtime");
  const env: Record<string, string> = {};
  for (const kv of values.env) {
    const at = kv.indexOf("=");
    if (at <= 0) throw usageError(`--env expects K=V, got: ${kv}`);
    env[kv.slice(0, at)] = kv.slice(at + 1);
  }
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--${name} expects a positive number, got: ${v}`);
    return n;
  };
  const wasm = positionals[0]!;
  requireFile(wasm, "component");
  let stdin: Uint8Array | undefined;
  if (values.stdin !== undefined) {
    requireFile(values.stdin, "--stdin file");
    stdin = readFileSync(values.stdin);
  }
  const timeout = num("timeout", values.timeout);
  const rec = await runComponent({
    wasm,
    engine,
    invoke: values.invoke,
    args: values.arg,
    env,
    stdin,
    fuel: num("fuel", values.fuel),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    enginePath: engine === "kiln" ? values.kilnd : engine === "wasmtime" ? values.wasmtime : undefined,
  });
  if (rec.verdict === "missing-engine") {
    const l = lookupTool(ENGINE_TOOL[engine], { flag: engine === "kiln" ? values.kilnd : values.wasmtime });
    throw missingToolError(l);
  }
  if (values.json) process.stdout.write(JSON.stringify(rec, null, 2) + "\n");
  else process.stdout.write(rec.invoke ? (rec.results ?? []).map((r) => r + "\n").join("") : rec.stdout);
  process.stderr.write(summarize(rec) + "\n");
  return EXIT_FOR[rec.verdict];
}

if (import.meta.main) process.exitCode = await runCli("run-kiln", main);
