/**
 * fuse core — fuses component(s) with real meld and records what ran: meld's path and version, the exact
 * command line, input/output sha256 and sizes, and the time it took. Every tool outcome, a missing meld
 * included, is a verdict in the record; bad input throws (exit 2).
 * Used by: scripts/fuse.ts (its CLI), lib/tierc/cells.ts (the matrix's fuse cells), lib/fixtures/verify.ts,
 * scripts/all.ts (its fuse step), tests.
 */
import { readFileSync, renameSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { usageError } from "../core/errors.ts";
import { checkOutputs, sha256, trackTemp } from "../core/fsx.ts";
import { runProcess, shellLine, type ProcResult, type Env } from "../core/proc.ts";
import { lookupTool, missingToolError, toolVersion, type FoundTool } from "../tools/lookup.ts";
import { identifyTool } from "../tools/identity.ts";
import { parseWasmShape, readWasm } from "../core/wasm.ts";
import { SCHEMAS, type FileDigest, type FuseRecord, type FuseVerdict, type MemoryMode } from "./records.ts";

export interface FuseOptions {
  inputs: string[];
  output: string;
  memory?: MemoryMode;
  mode?: "component" | "core";
  extraArgs?: string[];
  /** meld as the caller found it and checked it answers like meld (a main's checkTool, a matrix run's
   * builds): used as is. Without it, fuse looks meld up itself and asks it who it is. */
  tool?: FoundTool;
  /** Explicit meld binary for fuse's own lookup (when no `tool` is given). */
  meld?: string;
  /** Environment the lookup reads and meld inherits; defaults to process.env. */
  hostEnv?: Env;
  timeoutMs?: number;
}

/** What fuse does when FuseOptions leaves it open: upstream Tier C's memory strategy, meld's P2 component
 * output, and five minutes for meld. */
export const FUSE_DEFAULTS = { memory: "multi", mode: "component", timeoutMs: 300_000 } as const;

function digest(path: string, bytes: Uint8Array = readFileSync(path)): FileDigest {
  return { path, sha256: sha256(bytes), bytes: bytes.length };
}

/** Checks the inputs before meld runs, so a bad input is one clear line, not a meld backtrace. */
export function checkInputs(inputs: string[]): FileDigest[] {
  if (inputs.length === 0) throw usageError("no input component given", "bun scripts/fuse.ts app.wasm -o fused.wasm");
  return inputs.map((path) => {
    const { bytes, shape } = readWasm(path, "input");
    if (shape.kind !== "component") {
      throw usageError(
        `${path} is a core module, but meld fuses components`,
        "wrap it first: `jco new core.wasm --wasi-command -o app.wasm`",
      );
    }
    return digest(path, bytes);
  });
}

/** meld's own explanation of a failure: the `Error:` line joined with its first `Caused by:` line. */
export function meldErrorLine(stderr: string): string | undefined {
  const text = stderr.split(/\n\s*Stack backtrace:/)[0]!;
  const err = text.match(/^Error: (.*)$/m)?.[1]?.trim();
  if (!err) return undefined;
  const cause = text.match(/Caused by:\s*\n\s*(?:\d+: )?(.+)/)?.[1]?.trim();
  return cause ? `${err}: ${cause}` : err;
}

/** Judges a finished meld run. `fused` only when the output exists and parses as wasm. */
export function classifyFuse(
  p: ProcResult,
  outputBytes: Uint8Array | undefined,
): { verdict: FuseVerdict; message?: string } {
  if (p.spawnError) return { verdict: "missing-tool", message: p.spawnError };
  if (p.fault) return { verdict: "fault", message: `meld did not finish: ${p.faultDetail}` };
  if (p.timedOut) return { verdict: "fault", message: `meld killed after ${p.ms} ms (seam's fuse timeout)` };
  if (p.signal) return { verdict: "crashed", message: `meld died by ${p.signal}` };
  const panic = p.stderr.match(/panicked at[^\n]*\n?([^\n]*)/);
  if (panic) return { verdict: "crashed", message: `meld panicked: ${panic[0].replace(/\n/g, " ").trim()}` };
  if (p.code !== 0) return { verdict: "refused", message: meldErrorLine(p.stderr) ?? `meld exited ${p.code}` };
  if (!outputBytes) return { verdict: "crashed", message: "meld exited 0 but wrote no output" };
  try {
    parseWasmShape(outputBytes);
  } catch (e) {
    return { verdict: "crashed", message: `meld exited 0 but its output does not parse: ${(e as Error).message}` };
  }
  return { verdict: "fused" };
}

/** The meld argv for these options, naming `output` (what a person would type). */
export function meldArgv(meld: string, o: FuseOptions, output = o.output): string[] {
  const argv = [meld, "fuse", ...o.inputs, "-o", output, "--memory", o.memory ?? FUSE_DEFAULTS.memory];
  if ((o.mode ?? FUSE_DEFAULTS.mode) === "component") argv.push("--component");
  return [...argv, ...(o.extraArgs ?? [])];
}

/** meld, looked up and asked who it is, for a caller that hands in no tool; or why there is none to run. */
async function findMeld(o: FuseOptions): Promise<FoundTool | { message: string }> {
  const lookup = lookupTool("meld", { flag: o.meld, env: o.hostEnv });
  if (!lookup.found) {
    const err = missingToolError(lookup);
    return { message: `${err.message}; fix: ${err.hint}` };
  }
  const meld = lookup.found;
  const who = await identifyTool(meld);
  if (!who.ok) return { message: `${meld.path} does not answer like meld: \`meld --version\` printed ${who.answer}` };
  return meld;
}

/**
 * Fuses with real meld. meld writes to a temp file beside the output, renamed into place only once it
 * parses, so a failed or killed fusion never leaves a partial output. Bad input throws (exit 2); every
 * tool outcome, a missing meld included, is a verdict in the returned record.
 */
export async function fuse(o: FuseOptions): Promise<FuseRecord> {
  const inputs = checkInputs(o.inputs);
  const output = resolve(o.output);
  checkOutputs(fuseInputPaths(o.inputs), [["-o", o.output]]);
  const record: FuseRecord = {
    schema: SCHEMAS.fuse,
    verdict: "missing-tool",
    meld: null,
    argv: [],
    command: "",
    memory: o.memory ?? FUSE_DEFAULTS.memory,
    mode: o.mode ?? FUSE_DEFAULTS.mode,
    inputs,
    output: null,
    ms: 0,
  };
  const meld = o.tool ?? (await findMeld(o));
  if (!("path" in meld)) return { ...record, message: meld.message };
  record.argv = meldArgv(meld.path, o);
  record.command = shellLine(record.argv);
  record.meld = { path: meld.path, version: await toolVersion(meld), source: meld.source };
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.meld.tmp`);
  const untrack = trackTemp(tmp);
  rmSync(tmp, { force: true });
  mkdirSync(dirname(output), { recursive: true });
  const p = await runProcess(meldArgv(meld.path, o, tmp), {
    timeoutMs: o.timeoutMs ?? FUSE_DEFAULTS.timeoutMs,
    env: { ...(o.hostEnv ?? process.env), RUST_BACKTRACE: "0" },
  });
  const outBytes = existsSync(tmp) ? readFileSync(tmp) : undefined;
  const c = classifyFuse(p, outBytes);
  record.verdict = c.verdict;
  record.ms = p.ms;
  if (c.message) record.message = c.message;
  if (c.verdict === "fused" && outBytes) {
    renameSync(tmp, output);
    record.output = digest(output, outBytes);
  } else {
    rmSync(tmp, { force: true });
  }
  untrack();
  return record;
}

/** fuse's inputs as checkOutputs names them. */
export function fuseInputPaths(inputs: string[]): [string, string][] {
  return inputs.map((p) => [inputs.length === 1 ? "the input" : `the input ${p}`, p]);
}
