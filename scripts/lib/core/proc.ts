/**
 * proc — the one way seam runs another program: a timeout that kills the whole process group, bounded
 * capture (the full stream is still hashed), optional stdin, and a record of what happened.
 * Every tool call (meld, kilnd, jco, cargo, wasmtime) goes through runProcess.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync } from "node:fs";
import { usageError } from "./errors.ts";
import { removeTemp, trackTemp } from "./fsx.ts";

/** A process environment: the host's (process.env) or one made for a child. */
export type Env = Record<string, string | undefined>;

export interface ProcResult {
  argv: string[];
  /** Exit status, or null when killed by a signal or never started. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutSha256: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The last bytes of a truncated stream (a tool's verdict line comes last); "" when not truncated. */
  stdoutTail: string;
  stderrTail: string;
  ms: number;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

/** How runProcess runs a program. */
export interface ProcOptions {
  cwd?: string;
  env?: Env;
  stdin?: string | Uint8Array;
  /** Milliseconds before the whole process group is killed; default 120 s. */
  timeoutMs?: number;
  /** Bytes kept of each stream; the rest is counted and hashed, not kept. Default 1 MiB. */
  maxCapture?: number;
  /** Called with each stderr chunk as it arrives (for live progress). */
  onStderr?: (chunk: Buffer) => void;
  /** Give the program this file as its stdout instead of a pipe, then capture the file as usual
   * (jco run loses piped output past 64 KiB when it exits before the pipe drains). */
  stdoutFile?: string;
}

export const DEFAULT_CAPTURE = 1 << 20;
const TAIL = 64 << 10;

/** Process groups still running, so an interrupted caller can kill every tree it started. */
const live = new Set<number>();
let launched = 0;

/** How many programs this process has started (benchmarks check a warm run starts none). */
export function launchCount(): number {
  return launched;
}

export function killAllRunning(signal: NodeJS.Signals = "SIGKILL"): number {
  for (const pgid of live) killGroup(pgid, signal);
  return live.size;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

class Capture {
  private chunks: Buffer[] = [];
  private kept = 0;
  private tail: Buffer = Buffer.alloc(0);
  bytes = 0;
  private hash = createHash("sha256");
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.kept < this.cap) {
      const take = chunk.subarray(0, this.cap - this.kept);
      this.chunks.push(take);
      this.kept += take.length;
      if (take.length === chunk.length) return;
    }
    const t = Buffer.concat([this.tail, chunk]);
    this.tail = t.length > TAIL ? t.subarray(t.length - TAIL) : t;
  }
  tailText(): string {
    return this.truncated ? this.tail.toString("utf8") : "";
  }
  get truncated(): boolean {
    return this.bytes > this.kept;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}

/** Starts argv[0] in a process group of its own (so a timeout kills grandchildren too), its stdout a
 * pipe or `stdoutFile`; the environment is `env` without its unset entries, else ours. */
function spawnInGroup(argv: string[], opts: ProcOptions): ChildProcess {
  const env = opts.env
    ? (Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as Record<string, string>)
    : process.env;
  const outFd = opts.stdoutFile === undefined ? undefined : openSync(opts.stdoutFile, "w");
  if (opts.stdoutFile !== undefined) trackTemp(opts.stdoutFile);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env,
    detached: true,
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", outFd ?? "pipe", "pipe"],
  });
  if (outFd !== undefined) closeSync(outFd);
  return child;
}

/** How a run ended, beside what it printed. */
interface RunEnd {
  code: number | null;
  signal: string | null;
  ms: number;
  timedOut: boolean;
  spawnError?: string;
}

function procResult(argv: string[], out: Capture, err: Capture, end: RunEnd): ProcResult {
  return {
    argv,
    code: end.spawnError ? null : end.code,
    signal: end.signal,
    stdout: out.text(),
    stderr: err.text(),
    stdoutBytes: out.bytes,
    stderrBytes: err.bytes,
    stdoutSha256: out.digest(),
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    stdoutTail: out.tailText(),
    stderrTail: err.tailText(),
    ms: end.ms,
    timedOut: end.timedOut,
    spawnError: end.spawnError,
  };
}

/** Runs argv[0] with argv[1..]; never throws for a failing program — the result says what happened. */
export function runProcess(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const started = performance.now();
  const cap = opts.maxCapture ?? DEFAULT_CAPTURE;
  const out = new Capture(cap);
  const err = new Capture(cap);
  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: string | undefined;
    launched++;
    const child = spawnInGroup(argv, opts);
    const pgid = child.pid;
    if (pgid !== undefined) live.add(pgid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid, "SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c: Buffer) => {
      err.push(c);
      opts.onStderr?.(c);
    });
    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // the program may exit without reading stdin
      child.stdin.end(opts.stdin);
    }
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = `${e.code ?? "error"}: ${e.message}`;
    });
    // When the leader exits, anything it left behind in its group is killed: no orphans, no held pipes.
    child.on("exit", () => {
      if (pgid !== undefined) killGroup(pgid, "SIGKILL");
    });
    child.on("close", async (code, signal) => {
      clearTimeout(timer);
      if (pgid !== undefined) live.delete(pgid);
      if (opts.stdoutFile !== undefined) {
        for await (const c of createReadStream(opts.stdoutFile)) out.push(c as Buffer);
        removeTemp(opts.stdoutFile);
      }
      const ms = Math.round(performance.now() - started);
      resolve(procResult(argv, out, err, { code, signal: signal ?? null, ms, timedOut, spawnError }));
    });
  });
}

/** Quotes one argument for a POSIX shell only when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv as one copy-pasteable shell line. */
export function shellLine(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** A shell line read back into words (single quotes, double quotes, backslash), as sh would: the inverse of
 * shellLine, for the lines seam and its recordings write. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " && !started) continue;
    if (c === " ") ((words.push(word), (word = "")), (started = false));
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw usageError(`an unclosed ' in: ${line}`, "close the quote");
      ((word += line.slice(i + 1, end)), (i = end), (started = true));
    } else if (c === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === "\\" ? (line[++i] ?? "") : line[i];
      if (i >= line.length) throw usageError(`an unclosed " in: ${line}`, "close the quote");
      started = true;
    } else ((word += c === "\\" ? (line[++i] ?? "") : c), (started = true));
  }
  if (started) words.push(word);
  return words;
}
