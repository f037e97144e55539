/**
 * cache — a content-addressed result store: a key is the sha256 of everything a result depends on
 * (input bytes, flags, the tool binary's own hash, seam's own code), so a changed tool, input or script
 * simply misses. Every key is built here, one builder per cell kind (an engine run, a fusion, a repro
 * re-run, an ad hoc reference recording), all under one CACHE_VERSION. Tool digests (binary sha256 +
 * version) are remembered by path, size and mtime, so a warm run launches no tool at all.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Glob } from "bun";
import { atomicWrite, sha256, sha256File } from "../core/fsx.ts";
import { jsonText } from "../core/render.ts";
import {
  RUN_FAULTS,
  type Engine,
  type Form,
  type FuseRecord,
  type MemoryMode,
  type RunRecord,
} from "../engines/records.ts";
import { memoByBinary, toolVersion, type FoundTool } from "../tools/lookup.ts";
import { checkIdentity } from "../tools/identity.ts";
import { ROOT } from "../core/paths.ts";

export class ResultCache {
  constructor(
    readonly dir: string,
    /** When false, lookups always miss (results are still stored). */
    readonly reading = true,
  ) {}

  path(key: string, ext = "json"): string {
    return join(this.dir, key.slice(0, 2), `${key}.${ext}`);
  }

  get<T>(key: string): T | undefined {
    if (!this.reading) return undefined;
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(this.placed(readFileSync(p, "utf8"))) as T;
    } catch {
      return undefined; // a damaged entry is a miss, never a wrong answer
    }
  }

  put(key: string, value: unknown): void {
    atomicWrite(this.path(key), this.portable(jsonText(value)));
  }

  /** The cache folder and seam's root, as JSON writes them, and the names they are stored under: an entry
   * keeps no path of the machine (the cache sits in --out, beside what maintainers are sent). */
  private get prefixes(): [string, string][] {
    const json = (s: string) => JSON.stringify(s).slice(1, -1);
    return [
      [json(this.dir), "$SEAM_CACHE"],
      [json(ROOT), "$SEAM_ROOT"],
    ];
  }

  private portable(text: string): string {
    return this.prefixes.reduce((t, [path, name]) => t.split(path).join(name), text);
  }

  private placed(text: string): string {
    return this.prefixes.reduce((t, [path, name]) => t.split(name).join(path), text);
  }
}

export interface ToolDigest {
  path: string;
  sha256: string;
  version: string;
}

/** sha256 + version of a tool, remembered by binary (real path, size, mtime) in .seam/tool-digests.json. The
 * caller has checked that it answers like the tool (checkedDigest). */
export async function digestTool(tool: FoundTool): Promise<ToolDigest> {
  // Remembered by real path, so outside --out (whose files keep no path of the machine): in .seam/, with
  // jco's transpiles; a cache folder of its own per --out would only measure the same binaries again.
  const id = await memoByBinary(join(ROOT, ".seam", "tool-digests.json"), tool.path, async (real) => ({
    sha256: sha256File(real),
    version: await toolVersion(tool),
  }));
  return { path: tool.path, sha256: id.sha256, version: id.version };
}

/** A tool of a run, asked once whether it answers like itself (exit 3 if not), then digested: the runs
 * then take it as checked, and no run asks again. Used by the matrix's builds and ad hoc recording. */
export async function checkedDigest(tool: FoundTool): Promise<ToolDigest> {
  return digestTool(await checkIdentity(tool));
}

/** Whether an engine's runs may be cached: the one rule. Only a completed judgement is: a timeout, a missing
 * engine, or any fault (interrupted, over a cap, killed from outside, or one that needed a rerun) says
 * nothing lasting about the input, and a later run must try again. */
export function cacheable(records: RunRecord[]): boolean {
  return !records.some(
    (r) => r.verdict === "timeout" || r.verdict === "missing-engine" || RUN_FAULTS.includes(r.verdict) || r.fault,
  );
}

/** Whether a fusion may be cached: only when meld finished (fused, refused, crashed on its own). */
export function fuseCacheable(rec: FuseRecord): boolean {
  return rec.verdict !== "missing-tool" && rec.verdict !== "fault";
}

/** seam's own code: the scripts and their lib, not tests or test doubles (scripts/testing/), and the
 * package pins. What every cached result and pipeline stamp depends on besides its inputs and tools. */
export function codeFiles(root = ROOT): string[] {
  const found = ["scripts/**/*.ts", "package.json"].flatMap((p) => [
    ...new Glob(p).scanSync({ cwd: root, onlyFiles: true }),
  ]);
  return found
    .filter((f) => !f.endsWith(".test.ts") && !f.startsWith("scripts/testing/"))
    .sort()
    .map((f) => join(root, f));
}

/** The sha256 of codeFiles() as they are now: their names and contents. */
export function readCodeDigest(root = ROOT): string {
  return sha256(
    codeFiles(root)
      .map((f) => `${relative(root, f)}\0${readFileSync(f, "utf8")}`)
      .join("\0"),
  );
}

const digests = new Map<string, string>();

/** readCodeDigest(), read on first use, once per process, never at import time. */
export function codeDigest(root = ROOT): string {
  let id = digests.get(root);
  if (id === undefined) {
    id = readCodeDigest(root);
    digests.set(root, id);
  }
  return id;
}

/** One version for every key: bump it when a key's shape or a cached value's meaning changes, so the
 * entries written before miss instead of being misread. 4: the four kinds built here, named by `kind`. */
export const CACHE_VERSION = 4;

/** The kinds of cached result, one key builder each below. */
export type CellKind = "run" | "fuse" | "repro" | "reference-record";

/** A key: the version, seam's code, the cell kind and what that kind's result depends on. */
function cellKey(kind: CellKind, parts: object): string {
  return sha256(JSON.stringify({ v: CACHE_VERSION, code: codeDigest(), kind, ...parts }));
}

/** What an engine's runs of one wasm depend on: the engine binary, the file, and how it is called. */
export interface RunKeyInput {
  engine: Engine;
  tool: ToolDigest;
  wasmSha: string;
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array | undefined;
  /** The exports called, one run each; empty for a command. */
  invokes: string[];
  timeoutMs: number;
  /** --memory-limit: a pass under a higher cap says nothing about a lower one. */
  memoryLimitBytes: number;
}

function runParts(i: RunKeyInput) {
  const { engine, tool, wasmSha, args, env, stdin, invokes, timeoutMs, memoryLimitBytes } = i;
  const stdinSha = stdin ? sha256(stdin) : null;
  return { engine, tool: tool.sha256, wasmSha, args, env, stdin: stdinSha, invokes, timeoutMs, memoryLimitBytes };
}

/** A tier-c engine cell: one engine's runs of one wasm (the original or meld's output). */
export function engineRunKey(i: RunKeyInput & { fuel: number | undefined }): string {
  return cellKey("run", { ...runParts(i), fuel: i.fuel });
}

/** A fusion: meld's output of one input in one memory mode and form, with the flags meld got. */
export function fuseKey(i: {
  meld: ToolDigest;
  wasmSha: string;
  mode: MemoryMode;
  form: Form;
  flags: string[];
}): string {
  return cellKey("fuse", { meld: i.meld.sha256, wasmSha: i.wasmSha, mode: i.mode, form: i.form, flags: i.flags });
}

/** A repro bundle's re-run: the outcome it wants, on the fused file, with the builds that ran it. */
export function reproKey(i: {
  bundle: string;
  wanted: string;
  fusedSha: string | undefined;
  meld?: ToolDigest;
  kiln?: ToolDigest;
}): string {
  const { bundle, wanted, fusedSha, meld, kiln } = i;
  return cellKey("repro", { bundle, wanted, fusedSha, meld: meld?.sha256, kiln: kiln?.sha256 });
}

/** An ad hoc input's expectation: the reference engine's runs of the unfused original. */
export function referenceRecordKey(i: RunKeyInput & { engine: Exclude<Engine, "kiln"> }): string {
  return cellKey("reference-record", runParts(i));
}
