/**
 * testkit — helpers the test files share: a temp dir per test, running a seam CLI as a subprocess,
 * and turning component-model WAT into a binary with the real jco. Tests only; no script imports it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess, type ProcResult } from "../lib/core/proc.ts";
import { requireTool } from "../lib/tools/lookup.ts";
import { ROOT } from "../lib/core/paths.ts";

const made = new Set<string>();

/** A fresh folder in TMPDIR, removed when the test run ends (testing/preload.ts) if the test did not. */
export function tempDir(tag = "seam"): string {
  const dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made; returns how many were still there. */
export function removeTempDirs(): number {
  let left = 0;
  for (const dir of made) {
    if (existsSync(dir)) (left++, rmSync(dir, { recursive: true, force: true }));
    made.delete(dir);
  }
  return left;
}

/** A copy of seam in `parent`/seam: the named parts of the checkout (build output left out), with
 * node_modules and .tools linked in, so the copy runs seam's scripts without installing anything. */
export function copySeam(parent: string, parts: string[]): string {
  const copy = join(parent, "seam");
  mkdirSync(copy);
  for (const p of parts)
    cpSync(join(ROOT, p), join(copy, p), { recursive: true, filter: (src) => !src.includes("/target") });
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  symlinkSync(join(ROOT, ".tools"), join(copy, ".tools"));
  return copy;
}

/** The pids of processes whose command line contains `marker` ("" when none). pgrep runs bare, not through
 * runProcess: seam's parent-death guard is a sh whose command line holds the whole argv for a moment, so a
 * guarded pgrep could find its own guard. */
export function pgrep(marker: string): string {
  return new TextDecoder().decode(Bun.spawnSync(["pgrep", "-f", marker]).stdout);
}

/** The processes whose command line contains `marker` still there once they had `withinMs` to go (pgrep's
 * pids, "" when none). A killed group leaves the process table a moment after its killer returns, later
 * under load: a test waits for it with a deadline (the 2 s seam gives itself to stop every child) instead
 * of sampling once. */
export async function processesLeft(marker: string, withinMs = 2_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = pgrep(marker);
    if (left === "" || Date.now() >= deadline) return left;
    await Bun.sleep(20);
  }
}

/** Waits up to `withinMs` for a process whose command line holds `marker` to appear. */
export async function appears(marker: string, withinMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (pgrep(marker) !== "") return true;
    await Bun.sleep(50);
  }
  return false;
}

/** Runs `bun scripts/<script> ...args` the way a user would; returns the full process result. */
export function runScript(
  script: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string } = {},
): Promise<ProcResult> {
  return runProcess([process.execPath, join(ROOT, "scripts", script), ...args], {
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin,
    timeoutMs: 300_000,
  });
}

/** Compiles WAT (core or component) to a binary with `jco parse`; throws with jco's error. */
export async function watToWasm(dir: string, name: string, wat: string): Promise<string> {
  const src = join(dir, `${name}.wat`);
  const out = join(dir, `${name}.wasm`);
  writeFileSync(src, wat);
  const p = await runProcess([requireTool("jco").path, "parse", src, "-o", out], { timeoutMs: 60_000 });
  if (p.code !== 0) throw new Error(`jco parse ${name}: ${p.stderr || p.stdout}`);
  return out;
}

/**
 * A component whose exports cross from one core module into another (the consumer imports the
 * provider's `add`), with cabi_realloc as meld requires: compute() = add(20, 22) = 42, greet() = 7.
 * `bias` shifts add's result so tests can make a component no test has seen before.
 */
export function providerConsumerWat(bias = 0): string {
  return `(component
  (core module $provider
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      global.get $bump local.set $p global.get $bump local.get 3 i32.add global.set $bump local.get $p)
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add i32.const ${bias} i32.add))
  (core module $consumer
    (import "provider" "add" (func $add (param i32 i32) (result i32)))
    (func (export "compute") (result i32) i32.const 20 i32.const 22 call $add)
    (func (export "greet") (result i32) i32.const 3 i32.const 4 call $add))
  (core instance $p (instantiate $provider))
  (core instance $c (instantiate $consumer (with "provider" (instance $p))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $p "add")))
  (func (export "compute") (result u32) (canon lift (core func $c "compute")))
  (func (export "greet") (result u32) (canon lift (core func $c "greet")))
)`;
}
