#!/usr/bin/env bun
/**
 * fake-kilnd — a TEST DOUBLE for kiln's CLI, never used in place of a real kilnd outside tests. It
 * checks seam's contract with what kilnd prints by REPLAYING the real kilnd 0.4.4's transcripts
 * (fixtures/kilnd-0.4.4/transcripts/: stdout, stderr and exit status as recorded over seam's corpus).
 * A run whose input (wasm sha256) and flags match a recorded case gets that case back byte for byte.
 * Scenarios replace that on purpose, each a recorded case used as a template (`e0bbb` is
 * hello_c_cli.fused-component, …), or a behaviour no transcript can show (`hang`, `flood`, `signal`).
 * `run` runs the guest for real on wasmtime and prints the outcome in kilnd 0.4.4's recorded format,
 * as a kilnd would that ran it: the stand-in for inputs nobody recorded. A core function that takes
 * parameters gets kilnd 0.4.4's own refusal ("kilnd cannot yet pass wasm function parameters"). `auto` replays what was
 * recorded and runs the rest.
 * Called by: scripts/*.test.ts, through a small shell wrapper named `kilnd` (see writeFakeKilnd).
 * Usage: kilnd <file.wasm> [--component] [--wasi] [--wasi-arg A]... [--wasi-env VAR]... [--invoke X | --function F]
 * Scenario: $FAKE_KILND_RULES (JSON file: [{"match": "<substring of the wasm path>", "scenario": "…"}],
 *   first match wins), else $FAKE_KILND_SCENARIO, else `replay`. Each launch appends a line to $FAKE_KILND_LOG.
 *   `replay` with no recorded case exits 99 saying so: a test must name what it expects of such an input.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { waveCall } from "../lib/engines/argv.ts";
import { parseWasmShape } from "../lib/core/wasm.ts";
import { shellWords } from "../lib/core/proc.ts";

export const TRANSCRIPTS = join(import.meta.dir, "..", "..", "fixtures", "kilnd-0.4.4", "transcripts");

/** Scenario → the recorded case whose transcript it replays, whatever the input. */
export const TEMPLATES = {
  refuse: "hello_c_cli.original", // [ERROR] … kiln runs core modules … (RFC #46), ✗ [Runtime][E07DA]
  e0bbb: "hello_c_cli.fused-component", // kiln#375
  e03ed: "compute_composed.0.original", // [Runtime][E03ED] No _start export found …
  e5dc2: "command_composed.original", // kiln#382's signature
  e2199: "trap_oob.fused-core", // [Runtime][E2199] out of bounds memory access
  trap: "trap_across.1.fused-core", // [Runtime][E2199] integer divide by zero
  e0fa0: "command_composed_c.fused-core", // [Memory][E0FA0] out of bounds memory access
  "exit-err": "exit_code.fused-core", // the guest's line, its wasi:cli/exit exit(err), no verdict line, exit 1
  "no-module": "edge.no-module", // [Resource][E2261] Failed to read module metadata
} as const;
export type Scenario = keyof typeof TEMPLATES | "replay" | "auto" | "run" | "hang" | "flood" | "signal" | "hog";

export interface RecordedCase {
  case: string;
  argv: string;
  exit: number;
  ms: number;
  wasm_sha256: string | null;
}

/** Writes an executable `kilnd` wrapper into `dir` that runs this fake under the current bun; `env`
 * fixes its scenario variables for this wrapper alone (two wrappers: two kilnd builds that differ). */
export function writeFakeKilnd(dir: string, env: Record<string, string> = {}, name = "kilnd"): string {
  const path = join(dir, name);
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'\n`)
    .join("");
  writeFileSync(
    path,
    `#!/bin/sh\n${exports}exec '${process.execPath}' '${join(import.meta.dir, "fake-kilnd.ts")}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** What decides which transcript a kilnd command line gets: its flags, with the file by content. */
export interface KilnCall {
  wasm?: string;
  component: boolean;
  wasi: boolean;
  args: string[];
  envNames: string[];
  invoke?: string;
  fn?: string;
  fuel?: string;
  help: boolean;
  version: boolean;
}

/** Reads kilnd's flags as kilnd does (unknown flags are ignored; `--component` may carry the path). */
export function parseKilnCall(argv: string[]): KilnCall {
  const c: KilnCall = { component: false, wasi: false, args: [], envNames: [], help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--wasi-arg") c.args.push(argv[++i] ?? "");
    else if (a === "--wasi-env") c.envNames.push(argv[++i] ?? "");
    else if (a === "--invoke") c.invoke = argv[++i];
    else if (a === "--function") c.fn = argv[++i];
    else if (a === "--fuel") c.fuel = argv[++i];
    else if (a === "--memory" || a === "--wasi-fs" || a === "--dir" || a === "--interface" || a === "--wasi-version")
      i++;
    else if (a === "--component") c.component = true;
    else if (a === "--wasi") c.wasi = true;
    else if (a === "--help") c.help = true;
    else if (a === "--version") c.version = true;
    else if (!a.startsWith("--")) c.wasm ??= a;
  }
  return c;
}

function callKey(c: KilnCall, sha: string | null): string {
  return JSON.stringify([
    sha,
    c.component,
    c.wasi,
    c.args,
    c.envNames,
    c.invoke ?? null,
    c.fn ?? null,
    c.fuel ?? null,
    c.help,
    c.version,
  ]);
}

export function recordedCases(dir = TRANSCRIPTS): RecordedCase[] {
  return JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as RecordedCase[];
}

/** The recorded case for this call and input, if any: the same input bytes and the same flags. */
export function findRecorded(c: KilnCall, sha: string | null, cases: RecordedCase[]): RecordedCase | undefined {
  const key = callKey(c, sha);
  return cases.find((r) => callKey(parseKilnCall(shellWords(r.argv).slice(1)), r.wasm_sha256) === key);
}

function replay(name: string): number {
  const rec = JSON.parse(readFileSync(join(TRANSCRIPTS, `${name}.json`), "utf8")) as RecordedCase;
  process.stdout.write(readFileSync(join(TRANSCRIPTS, `${name}.stdout`)));
  process.stderr.write(readFileSync(join(TRANSCRIPTS, `${name}.stderr`)));
  return rec.exit;
}

function pickScenario(wasm: string): Scenario {
  const rules = process.env.FAKE_KILND_RULES;
  if (rules && existsSync(rules)) {
    for (const r of JSON.parse(readFileSync(rules, "utf8")) as { match: string; scenario: Scenario }[]) {
      if (wasm.includes(r.match)) return r.scenario;
    }
  }
  return (process.env.FAKE_KILND_SCENARIO as Scenario) || "replay";
}

/** kilnd 0.4.4's banner up to `[INFO] Executing function`, as recorded, with this run's counts. */
function banner(c: KilnCall): string {
  const recorded = readFileSync(join(TRANSCRIPTS, "hello_c_cli.fused-core.stdout"), "utf8");
  const head = recorded.slice(
    0,
    recorded.indexOf("[INFO] Executing function\n") + "[INFO] Executing function\n".length,
  );
  return head
    .replace("Environment variables: 0", `Environment variables: ${c.envNames.length}`)
    .replace("Program arguments: 0", `Program arguments: ${c.args.length}`)
    .replace(
      /Set 1 global WASI args: .*/,
      `Set ${c.args.length + 1} global WASI args: ${JSON.stringify([basename(c.wasm ?? ""), ...c.args])}`,
    );
}

const SUCCESS_TAIL =
  "[INFO] Module execution completed successfully\n✓ Execution completed successfully\n  Modules executed: 1\n  Components executed: 0\n  Fuel consumed: 4242\n  Peak memory: 131072 bytes\n  Host functions registered: 3\n  WASI functions called: 0\n  Cross-component calls: 0\n";

/** wasmtime's text for a value → kilnd's typed form (an integer as its 32-bit two's complement). */
function typed(value: string): string {
  if (!/^-?\d+$/.test(value)) return `F64(${value})`;
  const n = BigInt(value);
  return n >= -(2n ** 31n) && n < 2n ** 32n ? `I32(${BigInt.asIntN(32, n)})` : `I64(${BigInt.asIntN(64, n)})`;
}

/** wasmtime's trap text → the message kilnd prints after `[Runtime][E2199]`. */
function trapMessage(stderr: string): string {
  if (/unreachable/.test(stderr)) return "unreachable";
  if (/divide by zero/.test(stderr)) return "integer divide by zero";
  if (/out of bounds memory/.test(stderr)) return "out of bounds memory access";
  return stderr.match(/wasm trap: (.*)/)?.[1]?.trim() ?? "trap";
}

/** How many parameters a core function takes: wasmtime, given that many zeros, is the first to call it. */
function wasmtimeParamCount(wasmtime: string, wasm: string, fn: string): number {
  for (let n = 1; n < 16; n++) {
    const r = spawnSync(wasmtime, ["run", "--invoke", fn, wasm, ...Array<string>(n).fill("0")], {
      env: { ...process.env, RUST_BACKTRACE: "0" },
    });
    if (!/not enough arguments/.test(r.stderr.toString())) return n;
  }
  return 16;
}

/** Runs the guest on wasmtime and prints what kilnd 0.4.4 prints for that outcome (recorded format). */
function runForReal(c: KilnCall, wasm: string): number {
  const wasmtime = process.env.WASMTIME || join(import.meta.dir, "..", "..", ".tools", "bin", "wasmtime");
  const core = parseWasmShape(readFileSync(wasm)).kind === "core";
  const call = c.fn ?? c.invoke;
  const argv = ["run", ...c.envNames.flatMap((k) => ["--env", k])];
  if (call) argv.push("--invoke", core ? call : waveCall(call));
  argv.push(wasm, ...c.args);
  const stdin = process.stdin.isTTY ? "" : readFileSync(0);
  const r = spawnSync(wasmtime, argv, {
    input: stdin,
    env: { ...process.env, RUST_BACKTRACE: "0" },
    maxBuffer: 64 << 20,
  });
  if (r.error) {
    process.stderr.write(`fake kilnd: wasmtime unavailable: ${r.error.message}\n`);
    return 99;
  }
  const out = r.stdout.toString();
  const err = r.stderr.toString();
  process.stdout.write(banner(c));
  if (/wasm trap/.test(err)) {
    process.stdout.write(out);
    process.stderr.write(`✗ Execution failed: [Runtime][E2199] ${trapMessage(err)}\n`);
    return 1;
  }
  const missing = core && call ? /not enough arguments for `(.*)`/.exec(err) : null;
  if (r.status !== 0 && missing) {
    // What kilnd 0.4.4 says when the function takes parameters (kilnd/src/lib.rs; recorded by hand on
    // upstream meld's leap-year component): it checks the declared count before it runs anything.
    const n = wasmtimeParamCount(wasmtime, wasm, call!);
    process.stderr.write(
      `Error: function '${call}' expects ${n} argument(s) but none were supplied; kilnd cannot yet pass wasm function parameters\n✗ Execution failed: [Runtime][E1771] exported function expects arguments but none were supplied; kilnd cannot yet pass wasm function parameters\n`,
    );
    return 1;
  }
  if (r.status !== 0 && /^Error: /m.test(err)) {
    process.stderr.write(
      `✗ Execution failed: fake kilnd: wasmtime could not run this input: ${err.match(/^Error: (.*)$/m)![1]}\n`,
    );
    return 1;
  }
  if (r.status !== 0) {
    process.stdout.write(out); // a guest's non-zero exit: no verdict line, status 1 (exit_code.fused-core)
    return 1;
  }
  if (call) {
    const values = out.split("\n").filter((l) => l.trim() !== "");
    process.stdout.write(
      `\n✓ Function '${call}' returned ${values.length} value(s):\n${values.map((v, i) => `  [${i}] ${typed(v)}\n`).join("")}`,
    );
  } else {
    process.stdout.write(`${out}\n✓ Function '_start' completed (no return values)\n`);
  }
  process.stdout.write(SUCCESS_TAIL);
  return 0;
}

/**
 * Blocks in a tagged grandchild ($FAKE_KILND_HANG_TAG), so a caller must kill the whole process group,
 * not just us; killing the tagged process also ends this fake. A caller that dies first (SIGKILLed
 * mid-run, as a test does on purpose) leaves us orphaned: then we end, child and all, so no hang outlives
 * the run that started it.
 */
async function hang(c: KilnCall): Promise<number> {
  process.stdout.write(banner(c));
  const tag = process.env.FAKE_KILND_HANG_TAG ?? "seam-fake-kilnd-hang";
  const child = spawn("bash", ["-c", `exec -a ${tag} sleep 3600`], { stdio: "ignore" });
  // The caller may have died before we even started: then our parent is init already.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid === parent && parent !== 1) return;
    child.kill("SIGKILL");
    process.exit(1);
  }, 200);
  await new Promise((done) => child.on("exit", done));
  clearInterval(orphaned);
  return 1;
}

/** $FAKE_KILND_FLOOD_MIB (default 20) MiB of guest output, then kilnd's own success lines: the verdict,
 * the size and the sha256 must survive the capture cap. Waits for the pipe to drain, as kilnd's writes do. */
async function flood(c: KilnCall): Promise<number> {
  process.stdout.write(banner(c));
  const chunk = ("x".repeat(1023) + "\n").repeat(1024);
  const mib = Number(process.env.FAKE_KILND_FLOOD_MIB ?? 20);
  for (let i = 0; i < mib; i++)
    if (!process.stdout.write(chunk)) await new Promise((done) => process.stdout.once("drain", done));
  process.stdout.write(`\n✓ Function '_start' completed (no return values)\n${SUCCESS_TAIL}`);
  return 0;
}

/** Takes resident memory, 16 MiB at a time, until something kills it (seam's --memory-limit, in a test). */
async function hog(c: KilnCall): Promise<number> {
  process.stdout.write(banner(c));
  const held: Buffer[] = [];
  for (;;) {
    held.push(Buffer.alloc(16 << 20, 1));
    await Bun.sleep(5);
  }
}

export async function fakeMain(argv: string[]): Promise<number> {
  if (process.env.FAKE_KILND_LOG) appendFileSync(process.env.FAKE_KILND_LOG, argv.join(" ") + "\n");
  const c = parseKilnCall(argv);
  const wasm = c.wasm ?? "";
  const sha = wasm && existsSync(wasm) ? createHash("sha256").update(readFileSync(wasm)).digest("hex") : null;
  const scenario = c.help || c.version ? "replay" : pickScenario(wasm);
  switch (scenario) {
    case "replay":
    case "auto": {
      const rec = findRecorded(c, sha, recordedCases());
      if (rec) return replay(rec.case);
      if (scenario === "auto") return runForReal(c, wasm);
      process.stderr.write(
        `fake kilnd (seam test double): no recorded kilnd 0.4.4 transcript for ${argv.join(" ")} (sha256 ${sha ?? "none"}); set FAKE_KILND_SCENARIO\n`,
      );
      return 99;
    }
    case "run":
      return runForReal(c, wasm);
    case "hang":
      return hang(c);
    case "signal":
      process.stdout.write(banner(c));
      process.kill(process.pid, "SIGSEGV");
      await new Promise(() => {});
      return 0;
    case "flood":
      return flood(c);
    case "hog":
      return hog(c);
    default: {
      const template = TEMPLATES[scenario as keyof typeof TEMPLATES];
      if (!template) {
        process.stderr.write(`fake kilnd: unknown scenario ${scenario}\n`);
        return 99;
      }
      return replay(template);
    }
  }
}

if (import.meta.main) process.exitCode = await fakeMain(process.argv.slice(2));
