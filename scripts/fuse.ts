#!/usr/bin/env bun
/**
 * fuse — fuses component(s) with real meld and records what ran: meld's path and version, the exact
 * command line, input/output sha256 and sizes, and the time it took.
 * Called by: scripts/tier-c.ts (imports fuse), scripts/all.ts, people reproducing a fusion.
 * Usage: bun scripts/fuse.ts <component.wasm>... -o <out.wasm> [--memory multi|shared]
 *          [--component|--core] [--meld PATH] [--json] [-- <extra meld args>]
 */
import { readFileSync, renameSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { enumValue, parseCli, runCli, splitPassthrough } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { atomicWriteJson, checkOutputs, sha256, trackTemp, type OutputPath } from "./lib/core/fsx.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/core/proc.ts";
import { lookupTool, missingToolError, toolVersion } from "./lib/tools/lookup.ts";
import { checkTool, identifyTool } from "./lib/tools/identity.ts";
import { parseWasmShape, readWasm } from "./lib/core/wasm.ts";
import {
  MEMORY_MODES,
  type FileDigest,
  type FuseRecord,
  type FuseVerdict,
  type MemoryMode,
} from "./lib/engines/records.ts";
import { jsonText } from "./lib/core/render.ts";

export interface FuseOptions {
  inputs: string[];
  output: string;
  memory?: MemoryMode;
  mode?: "component" | "core";
  extraArgs?: string[];
  /** Explicit meld binary (the --meld flag); otherwise the usual lookup. */
  meld?: string;
  /** Environment the lookup reads and meld inherits; defaults to process.env. */
  hostEnv?: Record<string, string | undefined>;
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
  if (p.timedOut) return { verdict: "crashed", message: `meld killed after ${p.ms} ms (timeout)` };
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

/**
 * Fuses with real meld. meld writes to a temp file beside the output, renamed into place only once it
 * parses, so a failed or killed fusion never leaves a partial output. Bad input throws (exit 2); every
 * tool outcome, a missing meld included, is a verdict in the returned record.
 */
export async function fuse(o: FuseOptions): Promise<FuseRecord> {
  const inputs = checkInputs(o.inputs);
  const output = resolve(o.output);
  checkOutputs(inputPaths(o.inputs), [["-o", o.output]]);
  const lookup = lookupTool("meld", { flag: o.meld, env: o.hostEnv });
  const record: FuseRecord = {
    schema: "seam.fuse/1",
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
  if (!lookup.found) {
    const err = missingToolError(lookup);
    return { ...record, message: `${err.message}; fix: ${err.hint}` };
  }
  const meld = lookup.found;
  const who = await identifyTool(meld);
  if (!who.ok)
    return { ...record, message: `${meld.path} does not answer like meld: \`meld --version\` printed ${who.answer}` };
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
function inputPaths(inputs: string[]): [string, string][] {
  return inputs.map((p) => [inputs.length === 1 ? "the input" : `the input ${p}`, p]);
}

const HELP = `fuse — fuse component(s) with real meld and record what ran

Usage: bun scripts/fuse.ts <component.wasm>... -o <out.wasm> [options] [-- <extra meld args>]
  -o, --output FILE     fused output (written only when meld succeeds and it parses); neither it nor
                        its record (FILE.json) may be an input, and it is a file, not a folder
  --memory multi|shared meld's memory strategy (default ${FUSE_DEFAULTS.memory}, as upstream's Tier C)
  --component | --core  output a P2 component (default) or a core module
  --meld PATH           meld binary (else $MELD, .tools/bin/meld, PATH, ../meld/target/*/meld)
  --json                print the record on stdout instead of writing <out>.json
The record: meld path and version, the command as one shell line, sha256 and size of every input and
the output, milliseconds, and the verdict: fused | refused (meld declined the input; its own error
line is kept; upstream treats this as a skip) | crashed (signal, panic, timeout) | missing-tool.

Exit: 0 fused; 1 meld crashed; 2 usage error or bad input; 3 meld missing, or MELD/--meld names
      nothing or a program that does not say \`meld X.Y.Z\` to --version; 4 meld refused the input`;

/** fuse's own exit code beyond EXIT's. */
export const FUSE_EXIT = { refused: 4 } as const;

const EXIT_FOR: Record<FuseVerdict, number> = {
  fused: EXIT.ok,
  crashed: EXIT.fail,
  "missing-tool": EXIT.missingTool,
  refused: FUSE_EXIT.refused,
};

function parseFuseFlags(argv: string[]) {
  const [own, extra] = splitPassthrough(argv);
  const parsed = parseCli(own, {
    output: { type: "string", short: "o" },
    memory: { type: "string", default: FUSE_DEFAULTS.memory },
    component: { type: "boolean", default: false },
    core: { type: "boolean", default: false },
    meld: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  return { ...parsed, extra };
}

/** The fusion the flags ask for. Every input, then every output: bad input is found before anything runs
 * or is made (the tool comes after). */
function fuseOptions({
  values,
  positionals,
  extra,
}: ReturnType<typeof parseFuseFlags>): FuseOptions & { output: string } {
  if (!values.output) throw usageError("missing -o <out.wasm>", "bun scripts/fuse.ts app.wasm -o fused.wasm");
  const memory = enumValue("--memory", values.memory, MEMORY_MODES);
  if (values.component && values.core)
    throw usageError(
      "--component and --core exclude each other",
      "pick one: --component (meld's P2 component, the default) or --core (a core module)",
    );
  checkInputs(positionals);
  const outputs: OutputPath[] = [
    ["-o", values.output],
    ...(values.json ? [] : [["the record (-o's name + .json)", `${values.output}.json`] as OutputPath]),
  ];
  checkOutputs(inputPaths(positionals), outputs);
  const mode = values.core ? "core" : "component";
  return { inputs: positionals, output: values.output, memory, mode, extraArgs: extra, meld: values.meld };
}

/** The one line a person reads on stdout: the output made, or why not. */
export function fuseSummary(rec: FuseRecord): string {
  const what =
    rec.verdict === "fused"
      ? `${rec.output!.path} (${rec.output!.bytes} bytes, sha256 ${rec.output!.sha256.slice(0, 12)})`
      : rec.message;
  return `${rec.verdict}: ${what}\n`;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFuseFlags(argv);
  if (flags.values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const o = fuseOptions(flags);
  await checkTool("meld", { flag: o.meld });
  const rec = await fuse(o);
  if (rec.verdict === "missing-tool") throw missingToolError(lookupTool("meld", { flag: o.meld }));
  if (flags.values.json) process.stdout.write(jsonText(rec));
  else {
    atomicWriteJson(`${resolve(o.output)}.json`, rec);
    process.stdout.write(fuseSummary(rec));
  }
  process.stderr.write(`$ ${rec.command}\n${rec.verdict} by meld ${rec.meld?.version} in ${rec.ms} ms\n`);
  if (rec.verdict !== "fused")
    throw new SeamError(`meld ${rec.verdict === "refused" ? "refused the input" : "crashed"}: ${rec.message}`, {
      exitCode: EXIT_FOR[rec.verdict],
    });
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("fuse", main);
