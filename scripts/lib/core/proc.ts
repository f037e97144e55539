/**
 * proc — the one way seam runs another program: a timeout that kills the whole process group, bounded
 * capture (the full stream is still hashed), optional stdin, and a record of what happened.
 * Every tool call (meld, kilnd, jco, cargo, wasmtime) goes through runProcess.
 *
 * Every process group started here is seam's to end (README, Troubleshooting, rule 6):
 * - interruptAll (SIGINT, SIGTERM, SIGHUP: lib/core/cli.ts, all.ts) kills every live group, and from then on
 *   runProcess starts nothing: it answers `fault: "interrupted"` at once, so a matrix in flight drains in
 *   milliseconds instead of launching its remaining cells;
 * - a parent that dies without a word (SIGKILL, a crash) cannot run handlers, and a child in a group of its
 *   own is out of reach of the terminal: each program is started under a tiny sh guard that polls the
 *   parent with `kill -0` every second and kills its own group when the parent is gone (no prctl in Bun);
 * - a memory cap (memoryLimitBytes) is watched by sampling the group's resident memory from /proc every
 *   150 ms and killing the group over it: RLIMIT_AS cannot be used, wasmtime reserves terabytes of address
 *   space up front; an output cap (outputLimitBytes) kills a group that prints more than it allows.
 * A run ended for any of these says so (`fault`), so no caller can mistake it for the program's verdict.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readdirSync, readFileSync } from "node:fs";
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
  /** Set when seam ended the run before the program did (never the program's own verdict). */
  fault?: ProcFault;
  /** What the fault was, in words: the signal, the cap and how far over it the run went. */
  faultDetail?: string;
  /** The largest resident memory of the group that the watchdog saw (only with memoryLimitBytes). */
  peakRssBytes?: number;
}

/** Why seam ended a run: an interruption (a signal to seam), or one of its caps. The timeout is `timedOut`. */
export type ProcFault = "interrupted" | "memory-limit" | "output-limit";

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
  /** Resident memory the whole process group may use before it is killed (fault "memory-limit"). */
  memoryLimitBytes?: number;
  /** Bytes of stdout and stderr together the program may print before it is killed (fault "output-limit"). */
  outputLimitBytes?: number;
  /** Called with each stdout chunk as it arrives (a caller that digests the whole stream its own way). */
  onStdout?: (chunk: Buffer) => void;
}

export const DEFAULT_CAPTURE = 1 << 20;
const TAIL = 64 << 10;

/** Process groups still running, so an interrupted caller can kill every tree it started. */
const live = new Set<number>();
/** Groups seam ended, and why: read when each one closes. */
const ended = new Map<number, { fault: ProcFault; detail: string }>();
let launched = 0;
/** Set by interruptAll: what stopped this process; no program is started after it. */
let stoppedBy: string | undefined;

/** How many programs this process has started (benchmarks check a warm run starts none). */
export function launchCount(): number {
  return launched;
}

export function killAllRunning(signal: NodeJS.Signals = "SIGKILL"): number {
  for (const pgid of live) killGroup(pgid, signal);
  return live.size;
}

/** Stops this process's work: every running group is killed, each run answers `fault: "interrupted"`,
 * and runProcess starts nothing more. `why` is the signal's name. Returns how many groups were running. */
export function interruptAll(why: string): number {
  stoppedBy ??= why;
  for (const pgid of live) endGroup(pgid, "interrupted", `interrupted by ${why}`);
  return live.size;
}

/** What interrupted this process (interruptAll), or undefined while it runs on. */
export function interruptedBy(): string | undefined {
  return stoppedBy;
}

/** Kills a group and remembers why, so its result carries the fault instead of a bare SIGKILL. */
function endGroup(pgid: number, fault: ProcFault, detail: string): void {
  if (!ended.has(pgid)) ended.set(pgid, { fault, detail });
  killGroup(pgid, "SIGKILL");
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

/** The parent-death guard: sh starts a watcher that polls seam's pid and, once it is gone, kills its own
 * group (the program's, which sh then becomes by exec). The watcher is a sh of its own, so its command line
 * holds only the pid (pgrep -f for the program never finds it), and its stdio is /dev/null so it never
 * holds the program's pipes. */
const WATCHER = `while kill -0 "$0" 2>/dev/null; do sleep 1; done; kill -KILL 0`;
const GUARD = `sh -c '${WATCHER}' "$1" </dev/null >/dev/null 2>&1 & shift; exec "$@"`;

/** argv under the guard; a program that cannot be found or run is started bare, so its spawn error is the
 * program's own (ENOENT, EACCES), not sh's. */
function guarded(argv: string[], env: Env, cwd: string | undefined): string[] {
  const found = Bun.which(argv[0]!, { PATH: env.PATH ?? "", cwd });
  return found === null ? argv : ["/bin/sh", "-c", GUARD, "seam-guard", String(process.pid), ...argv];
}

/** Starts argv[0] in a process group of its own (so a timeout kills grandchildren too), its stdout a
 * pipe or `stdoutFile`; the environment is `env` without its unset entries, else ours. */
function spawnInGroup(argv: string[], opts: ProcOptions): ChildProcess {
  const env = opts.env
    ? (Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as Record<string, string>)
    : process.env;
  const outFd = opts.stdoutFile === undefined ? undefined : openSync(opts.stdoutFile, "w");
  if (opts.stdoutFile !== undefined) trackTemp(opts.stdoutFile);
  const [file, ...args] = guarded(argv, env, opts.cwd);
  const child = spawn(file!, args, {
    cwd: opts.cwd,
    env,
    detached: true,
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", outFd ?? "pipe", "pipe"],
  });
  if (outFd !== undefined) closeSync(outFd);
  return child;
}

/** Resident memory per process group, summed over its processes, read from /proc (Linux only: elsewhere
 * nothing is read and no cap applies). */
export function groupRss(pgids: Set<number>): Map<number, number> {
  const sums = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return sums;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    } catch {
      continue; // gone between the listing and the read
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp … rss is field 24 overall.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgrp = Number(f[2]);
    if (pgids.has(pgrp)) sums.set(pgrp, (sums.get(pgrp) ?? 0) + Number(f[21]) * PAGE);
  }
  return sums;
}

const PAGE = 4096;
/** How often the memory watchdog samples; a run may overshoot its cap by what it allocates in this time. */
export const MEMORY_SAMPLE_MS = 150;
/** Groups with a memory cap: their cap and the peak seen. */
const capped = new Map<number, { limit: number; peak: number }>();
let sampler: ReturnType<typeof setInterval> | undefined;

function sampleMemory(): void {
  const rss = groupRss(new Set(capped.keys()));
  for (const [pgid, c] of capped) {
    const now = rss.get(pgid) ?? 0;
    c.peak = Math.max(c.peak, now);
    if (now > c.limit)
      endGroup(pgid, "memory-limit", `resident memory ${mib(now)} over the memory limit of ${mib(c.limit)}`);
  }
}

function watchMemory(pgid: number, limit: number): void {
  capped.set(pgid, { limit, peak: 0 });
  sampler ??= setInterval(sampleMemory, MEMORY_SAMPLE_MS);
  sampler.unref?.();
}

function unwatchMemory(pgid: number): number | undefined {
  const peak = capped.get(pgid)?.peak;
  capped.delete(pgid);
  if (capped.size === 0 && sampler) (clearInterval(sampler), (sampler = undefined));
  return peak;
}

/** Bytes as MiB or GiB, the way the caps are written. */
export function mib(bytes: number): string {
  return bytes >= 1 << 30 && bytes % (1 << 30) === 0
    ? `${bytes / (1 << 30)} GiB`
    : `${Math.round(bytes / (1 << 20))} MiB`;
}

/** How a run ended, beside what it printed. */
interface RunEnd {
  code: number | null;
  signal: string | null;
  ms: number;
  timedOut: boolean;
  spawnError?: string;
  fault?: { fault: ProcFault; detail: string };
  peakRssBytes?: number;
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
    ...(end.fault ? { fault: end.fault.fault, faultDetail: end.fault.detail } : {}),
    ...(end.peakRssBytes !== undefined ? { peakRssBytes: end.peakRssBytes } : {}),
  };
}

/** The answer to a run asked for after interruptAll: nothing started. */
function notStarted(argv: string[]): ProcResult {
  const none = new Capture(0);
  return procResult(argv, none, none, {
    code: null,
    signal: null,
    ms: 0,
    timedOut: false,
    fault: { fault: "interrupted", detail: `not started: interrupted by ${stoppedBy}` },
  });
}

/** Runs argv[0] with argv[1..]; never throws for a failing program — the result says what happened. */
export function runProcess(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  if (stoppedBy !== undefined) return Promise.resolve(notStarted(argv));
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
    if (pgid !== undefined && opts.memoryLimitBytes !== undefined) watchMemory(pgid, opts.memoryLimitBytes);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid, "SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    const overOutput = () => {
      const limit = opts.outputLimitBytes;
      if (pgid !== undefined && limit !== undefined && out.bytes + err.bytes > limit)
        endGroup(pgid, "output-limit", `printed more than the output limit of ${mib(limit)}`);
    };
    child.stdout?.on("data", (c: Buffer) => {
      out.push(c);
      opts.onStdout?.(c);
      overOutput();
    });
    child.stderr!.on("data", (c: Buffer) => {
      err.push(c);
      opts.onStderr?.(c);
      overOutput();
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
      const fault = pgid === undefined ? undefined : ended.get(pgid);
      const peakRssBytes = pgid === undefined ? undefined : unwatchMemory(pgid);
      if (pgid !== undefined) (live.delete(pgid), ended.delete(pgid));
      if (opts.stdoutFile !== undefined) {
        for await (const c of createReadStream(opts.stdoutFile)) (out.push(c as Buffer), opts.onStdout?.(c as Buffer));
        removeTemp(opts.stdoutFile);
      }
      const ms = Math.round(performance.now() - started);
      const end = { code, signal: signal ?? null, ms, timedOut, spawnError, fault, peakRssBytes };
      resolve(procResult(argv, out, err, end));
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
