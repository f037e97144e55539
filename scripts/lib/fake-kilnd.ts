#!/usr/bin/env bun
/**
 * fake-kilnd — a TEST DOUBLE for kiln's CLI. It is never used in place of a real kilnd outside tests: it
 * exists to check seam's contract with kilnd's output (banner, [INFO] lines, error signatures, exit
 * status), with the transcripts from ../shared/UPSTREAM.md. In the `pass` scenario the guest really runs,
 * on wasmtime, and its output is wrapped in kilnd's banner and stats, so expectations can be met.
 * Called by: scripts/*.test.ts, through a small shell wrapper named `kilnd` (see writeFakeKilnd).
 * Usage: kilnd <file.wasm> --component --wasi [--wasi-arg A]... [--wasi-env VAR]... [--invoke EXPORT]
 * Scenario: $FAKE_KILND_RULES (JSON file: [{"match": "<substring of the wasm path>", "scenario": "…"}],
 *   first match wins), else $FAKE_KILND_SCENARIO, else "pass". Each launch appends a line to $FAKE_KILND_LOG.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waveCall } from "./wasm.ts";
import { spawnSync } from "node:child_process";

export const SCENARIOS = {
  pass: "",
  e0bbb: "[Runtime][E0BBB] Export not found",
  "e0bbb-asil": "[Runtime][E0BBB][ASIL-C] Export not found",
  e03ed: "[Runtime][E03ED] No core instance exports _start - module exports not properly loaded",
  e5dc2: "[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index",
  e2199: "[Runtime][E2199] out of bounds memory access",
  trap: "[Runtime][E2199] integer divide by zero",
  "fail-exit0": "[Runtime][E0BBB] Export not found",
  "no-module": "",
  hang: "",
  flood: "",
  signal: "",
} as const;
export type Scenario = keyof typeof SCENARIOS;

const ROOT = join(import.meta.dir, "..", "..");

/** Writes an executable `kilnd` wrapper into `dir` that runs this fake under the current bun. */
export function writeFakeKilnd(dir: string): string {
  const path = join(dir, "kilnd");
  writeFileSync(path, `#!/bin/sh\nexec '${process.execPath}' '${join(import.meta.dir, "fake-kilnd.ts")}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

function banner(args: string[], envCount: number): string {
  return [
    "WebAssembly Runtime Daemon (kilnd)",
    "===================================",
    "✓ WASI enabled:",
    "  - Version: Preview2",
    "  - Filesystem paths: 0",
    `  - Environment variables: ${envCount}`,
    `  - Program arguments: ${args.length}`,
    "✓ Component model enabled with 0 interfaces",
    `  - Set ${args.length + 1} global WASI args: ${JSON.stringify(["app.wasm", ...args])}`,
    "[INFO] Component initialized and running successfully",
    "[INFO] Calling wasi:cli/run entry point",
    "",
  ].join("\n");
}

const STATS = ["[INFO] Component executed successfully", "✓ Execution completed successfully", "  Modules executed: 0", "  Components executed: 1", "  Fuel consumed: 12345", "  Peak memory: 65536 bytes", "  Host functions registered: 0", "  WASI functions called: 3", "  Cross-component calls: 0", ""].join("\n");

function fail(error: string): number {
  process.stderr.write(`Component execution error: ${error}\n`);
  process.stdout.write("[ERROR] Component execution failed\n");
  process.stderr.write(`✗ Execution failed: ${error}\n`);
  return 1;
}

function pickScenario(wasm: string): Scenario {
  const rules = process.env.FAKE_KILND_RULES;
  if (rules && existsSync(rules)) {
    for (const r of JSON.parse(readFileSync(rules, "utf8")) as { match: string; scenario: Scenario }[]) {
      if (wasm.includes(r.match)) return r.scenario;
    }
  }
  return (process.env.FAKE_KILND_SCENARIO as Scenario) || "pass";
}

/** Runs the guest for real on wasmtime and returns its stdout, or the trap text. */
function runGuest(wasm: string, args: string[], envNames: string[], invoke?: string): { stdout: string; trap?: string } {
  const wasmtime = process.env.WASMTIME || join(ROOT, ".tools", "bin", "wasmtime");
  const argv = ["run", ...envNames.flatMap((k) => ["--env", k])];
  if (invoke) argv.push("--invoke", waveCall(invoke));
  argv.push(wasm, ...args);
  const r = spawnSync(wasmtime, argv, { input: process.stdin.isTTY ? "" : readStdin(), env: { ...process.env, RUST_BACKTRACE: "0" }, maxBuffer: 64 << 20 });
  const stderr = r.stderr?.toString() ?? "";
  if (r.error) return { stdout: "", trap: `wasmtime unavailable for the fake: ${r.error.message}` };
  if (/wasm trap/.test(stderr)) return { stdout: r.stdout.toString(), trap: "[Runtime][E2199] wasm trap: unreachable" };
  if (r.status !== 0) return { stdout: r.stdout.toString(), trap: `component exited with status ${r.status}` };
  return { stdout: r.stdout.toString() };
}

function readStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

export async function fakeMain(argv: string[]): Promise<number> {
  if (process.env.FAKE_KILND_LOG) appendFileSync(process.env.FAKE_KILND_LOG, argv.join(" ") + "\n");
  if (argv.includes("--version")) {
    process.stdout.write("kilnd 0.4.4-fake (seam test double)\n");
    return 0;
  }
  const args: string[] = [];
  const envNames: string[] = [];
  let wasm: string | undefined;
  let invoke: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--wasi-arg") args.push(argv[++i]!);
    else if (a === "--wasi-env") envNames.push(argv[++i]!);
    else if (a === "--invoke") invoke = argv[++i];
    else if (a === "--fuel" || a === "--function" || a === "--memory") i++;
    else if (!a.startsWith("--")) wasm ??= a;
  }
  if (!wasm) {
    process.stdout.write("Error: No module specified\n");
    return 1;
  }
  const scenario = pickScenario(wasm);
  if (scenario === "no-module") {
    process.stdout.write("Error: No module specified\n");
    return 1;
  }
  process.stdout.write(banner(args, envNames.length));
  switch (scenario) {
    case "hang": {
      // Blocks in a tagged grandchild ($FAKE_KILND_HANG_TAG), so a caller must kill the whole process
      // group, not just us; killing the tagged process also ends this fake (no orphan keeps spinning).
      const tag = process.env.FAKE_KILND_HANG_TAG ?? "seam-fake-kilnd-hang";
      spawnSync("bash", ["-c", `exec -a ${tag} sleep 3600`], { stdio: "ignore" });
      return fail("[Runtime][E0000] fake hang ended");
    }
    case "signal":
      process.kill(process.pid, "SIGSEGV");
      await new Promise(() => {});
      return 0;
    case "flood": {
      const line = "x".repeat(1023) + "\n";
      const chunk = line.repeat(1024); // 1 MiB
      for (let i = 0; i < 20; i++) process.stdout.write(chunk);
      process.stdout.write(STATS);
      return 0;
    }
    case "fail-exit0":
      fail(SCENARIOS[scenario]);
      return 0; // kilnd said it failed but exits 0: the verdict must still be "failed"
    case "pass": {
      const g = runGuest(wasm, args, envNames, invoke);
      process.stdout.write(g.stdout);
      if (g.trap) return fail(g.trap);
      process.stdout.write(STATS);
      return 0;
    }
    default:
      return fail(SCENARIOS[scenario] || `unknown fake scenario ${scenario}`);
  }
}

if (import.meta.main) process.exitCode = await fakeMain(process.argv.slice(2));
