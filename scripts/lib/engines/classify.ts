/**
 * classify — turns an engine's finished process into a run verdict: kilnd by its transcript, jco and
 * wasmtime by their exit status and error text. Pure; used by lib/engines/run.ts and tier-c's repro check.
 *
 * kilnd: seam's contract with what it prints, read off the real kilnd 0.4.4 (fixtures/kilnd-0.4.4/:
 * 178 recorded cases, stdout and stderr apart).
 * The shape, as recorded: a banner; `[INFO] Executing function`; the guest's stdout; a blank line;
 * `✓ Function 'NAME' completed (no return values)` or `✓ Function 'NAME' returned N value(s):` with one
 * `  [i] I32(42)` line per value; `✓ Execution completed successfully` and a stats block. A failure is
 * `✗ Execution failed: [Category][Ecode] message` on stderr, which also carries one `[WASI-TRACE]` line
 * per WASI call. kilnd 0.4.4 prints its RFC #46 line ("kiln runs core modules; lower it first") after any
 * component failure, including components it ran: a component that printed guest bytes or returned a
 * value is judged by what it did; only one that ran nothing is `unsupported-form`. A guest that exits
 * non-zero ends the transcript with no verdict line, its last WASI call `wasi:cli/exit::exit
 * args=[I32(1)]` (the err case), and kilnd exits 1: status 1, as on every host, since a P2 `exit`
 * carries only ok or err. A component kilnd runs answers `--invoke` after `[INFO] Invoking requested
 * component export` with its result alone on a line, untyped; a command component's output follows
 * `[INFO] Calling wasi:cli/run entry point`.
 */
import type { ProcResult } from "../core/proc.ts";
import { formatSignature, type KilnFacts, type RunRecord, type Signature, type TypedValue } from "./records.ts";

const SIGNATURE = /\[([A-Za-z][A-Za-z0-9]*)\]\[(E[0-9A-Fa-f]{4})\](?:\[([A-Za-z0-9_-]+)\])?\s*(.*)/;

/** Parses kiln's `[Category][Ecode] message` (optional third bracket) out of a line of text. */
export function parseSignature(text: string): Signature | undefined {
  const m = SIGNATURE.exec(text);
  if (!m) return undefined;
  const sig: Signature = { category: m[1]!, code: m[2]!.toUpperCase(), message: m[4]!.trim() };
  if (m[3]) sig.asil = m[3];
  return sig;
}

const STARTED = "[INFO] Executing function\n";
/** Where a command component's guest output starts (kilnd prints no `Executing function` for it). */
const STARTED_COMPONENT = "[INFO] Calling wasi:cli/run entry point\n";
/** The guest's call of `wasi:cli/exit` `exit`: I32(0) is ok, I32(1) err. */
const EXIT_CALL = /^\[WASI-TRACE\] wasi:cli\/exit::exit args=\[I32\((\d+)\)\]/m;
const INVOKING = "[INFO] Invoking requested component export\n";
/** kilnd's blank line, then its completion line: the guest's output ends right before the newline. */
const COMPLETION = /\n✓ Function '([^'\n]*)' (?:completed \(no return values\)|returned (\d+) value\(s\):)\n/g;
const VALUE = /^ {2}\[(\d+)\] ([A-Za-z0-9]+)\((.*)\)$/;
const LOG_LINE = /^\[(?:INFO|WARN|ERROR|DEBUG|TRACE)\] /;
/** kiln's RFC #46 refusal of a component, printed as an `[ERROR]` line. */
export const REFUSES_COMPONENTS = /This file is a WebAssembly Component Model component\. kiln runs core modules/;

export interface KilnTranscript {
  /** The guest's stdout, byte-exact (an unterminated last line stays unterminated). */
  guest: string;
  /** kilnd reached `[INFO] Executing function`. */
  started: boolean;
  /** The completion line: the function kilnd called and what it returned ([] for no return values). */
  completion?: { fn: string; values: TypedValue[] };
  /** A component export's results as `--invoke` prints them: one per line, untyped. */
  invoked?: string[];
  /** `✓ Execution completed successfully` and no `✗` line. */
  succeeded: boolean;
  /** The status of the guest's `wasi:cli/exit` call (0 ok, 1 err), when it made one. */
  exitCall?: number;
  /** The text after `✗ Execution failed:` (or `Component execution error:`). */
  failure?: string;
  refusesComponents: boolean;
  noModule: boolean;
  facts: KilnFacts;
  /** stderr without its `[WASI-TRACE]` lines. */
  stderr: string;
}

function statNumber(text: string, label: string): number | undefined {
  const m = new RegExp(`^ {2}${label}: (\\d+)`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Splits a kilnd transcript. `tail` is what was kept past a truncated capture (a flood of guest output
 * pushes kilnd's verdict lines out of the kept part): verdicts are looked for there too.
 */
export function parseKilnTranscript(stdout: string, stderr: string, tail = ""): KilnTranscript {
  const traces: string[] = [];
  const kept: string[] = [];
  for (const line of stderr.split("\n")) (line.startsWith("[WASI-TRACE] ") ? traces : kept).push(line);
  const err = kept.join("\n");
  const all = `${stdout}\n${tail}\n${err}`;
  const core = stdout.indexOf(STARTED);
  const at = core >= 0 ? core : stdout.indexOf(STARTED_COMPONENT);
  const body = at < 0 ? "" : stdout.slice(at + (core >= 0 ? STARTED : STARTED_COMPONENT).length);
  let end = body.length;
  let completion: KilnTranscript["completion"];
  for (const m of body.matchAll(COMPLETION)) {
    end = m.index;
    const values: TypedValue[] = [];
    for (const line of body
      .slice(m.index + m[0].length)
      .split("\n")
      .slice(0, Number(m[2] ?? 0))) {
      const v = VALUE.exec(line);
      if (v) values.push({ type: v[2]!, text: v[3]! });
    }
    completion = { fn: m[1]!, values };
  }
  const invoked = invokedResults(stdout);
  const errors = all
    .split("\n")
    .filter((l) => l.startsWith("[ERROR] "))
    .map((l) => l.slice(8));
  const failure = (all.match(/✗ Execution failed: (.*)/) ?? all.match(/Component execution error: (.*)/))?.[1]?.trim();
  const facts: KilnFacts = { wasiCalls: traces.length, errors: [...new Set(errors)] };
  const exitCall = EXIT_CALL.exec(traces.join("\n"))?.[1];
  const fuel = statNumber(all, "Fuel consumed");
  const peak = statNumber(all, "Peak memory");
  if (fuel !== undefined) facts.fuel = fuel;
  if (peak !== undefined) facts.peakMemoryBytes = peak;
  return {
    guest: guestText(body.slice(0, end)),
    started: at >= 0,
    ...(completion ? { completion } : {}),
    ...(invoked ? { invoked } : {}),
    succeeded: /✓ Execution completed successfully/.test(all) && failure === undefined,
    ...(failure !== undefined ? { failure } : {}),
    ...(exitCall !== undefined ? { exitCall: Number(exitCall) } : {}),
    refusesComponents: REFUSES_COMPONENTS.test(all),
    noModule: /^Error: No module specified/m.test(all),
    facts,
    stderr: err,
  };
}

/** The result lines after `[INFO] Invoking requested component export`, up to kilnd's next own line. */
function invokedResults(stdout: string): string[] | undefined {
  const at = stdout.indexOf(INVOKING);
  if (at < 0) return undefined;
  const results: string[] = [];
  for (const line of stdout.slice(at + INVOKING.length).split("\n")) {
    if (line === "" || LOG_LINE.test(line) || line.startsWith("✓ ") || line.startsWith("✗ ")) break;
    results.push(line);
  }
  return results;
}

/**
 * The guest's part of kilnd's stdout after `[INFO] Executing function`: kilnd's own log lines there
 * (`[ERROR] No entry point found …`) are removed. A log line glued to an unterminated guest line is
 * split off, and the guest's text is given back without a newline it never wrote.
 */
function guestText(section: string): string {
  if (!section) return "";
  const lines = section.replace(/(?<=[^\n])(\[(?:INFO|WARN|ERROR|DEBUG|TRACE)\] )/g, "\u0001\n$1").split("\n");
  const last = lines.pop()!; // text after the final newline: the unterminated end, or ""
  let guest = "";
  for (const line of lines) {
    if (LOG_LINE.test(line)) continue;
    guest += line.endsWith("\u0001") ? line.slice(0, -1) : `${line}\n`;
  }
  return LOG_LINE.test(last) ? guest : guest + last;
}

/** A clean run: the guest's stdout, and for --invoke its result lines. */
function passed(stdout: string, invoke?: string): Classified {
  return invoke
    ? { verdict: "passed", stdout, results: stdout.split("\n").filter((l) => l.trim() !== "") }
    : { verdict: "passed", stdout };
}

/** A typed kilnd value as the plain number other engines print (`I32(42)` → `42`). */
export function plainValue(v: TypedValue): string {
  return v.text;
}

export type Classified = Pick<
  RunRecord,
  "verdict" | "signature" | "errorLine" | "results" | "values" | "guestExit" | "kiln" | "fault"
> & { stdout: string };

const TRAP_WORDS =
  /out of bounds|divide by zero|call stack exhausted|unreachable|integer overflow|wasm trap|indirect call type mismatch|undefined element|fuel exhausted/i;

export function firstMeaningfulLine(text: string): string | undefined {
  return text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !/^(at |Stack backtrace|Caused by:|\d+: )/.test(l));
}

/** Signals an engine raises on itself when it breaks (a crash of the engine); any other signal that ends
 * it was sent from outside (seam sends only SIGKILL, and says why: ProcResult.fault, timedOut). */
const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGABRT", "SIGBUS", "SIGILL", "SIGFPE", "SIGTRAP", "SIGSYS"]);

/** A run that never reached a transcript: not started, ended by seam (interrupt, a cap, the timeout),
 * killed from outside, or crashed by a signal of its own. Each fault names its cause. */
export function killedOrTimedOut(p: ProcResult): Classified | undefined {
  if (p.fault)
    return { verdict: p.fault, errorLine: `${p.fault}: ${p.faultDetail}`, fault: p.faultDetail, stdout: p.stdout };
  if (p.spawnError) return { verdict: "missing-engine", errorLine: p.spawnError, stdout: "" };
  if (p.timedOut)
    return { verdict: "timeout", errorLine: `killed after ${p.ms} ms (timeout: seam's --timeout)`, stdout: p.stdout };
  if (p.signal && !CRASH_SIGNALS.has(p.signal)) {
    const fault = `engine killed by ${p.signal}, a signal seam did not send (the kernel's OOM killer sends SIGKILL)`;
    return { verdict: "killed", errorLine: `killed: ${fault}`, fault, stdout: p.stdout };
  }
  if (p.signal) return { verdict: "crashed", errorLine: `engine died by ${p.signal}`, stdout: p.stdout };
  return undefined;
}

/**
 * Classifies a kilnd run by its transcript, as upstream does: success means kilnd said
 * `Execution completed successfully` and no `Execution failed`; its exit status is recorded, never
 * trusted (0 and 1 are all it ever says). Component refusal is its own verdict, `unsupported-form`.
 */
export function classifyKiln(p: ProcResult): Classified {
  const t = parseKilnTranscript(p.stdout, p.stderr, `${p.stdoutTail}\n${p.stderrTail}`);
  const kiln = t.facts;
  const base = { stdout: t.guest, kiln };
  const early = killedOrTimedOut(p);
  if (early) return { ...early, ...base };
  const all = `${p.stdout}\n${p.stdoutTail}\n${t.stderr}\n${p.stderrTail}`;
  if (/panicked at/.test(all))
    return { verdict: "crashed", errorLine: firstMeaningfulLine(all.slice(all.indexOf("panicked at"))), ...base };
  if (t.succeeded) {
    if (t.invoked) return { verdict: "passed", ...base, results: t.invoked };
    const values = t.completion?.values ?? [];
    return { verdict: "passed", ...base, ...(values.length ? { values, results: values.map(plainValue) } : {}) };
  }
  const signature = t.failure !== undefined ? parseSignature(t.failure) : undefined;
  const said = signature ? formatSignature(signature) : t.failure;
  // kilnd prints its RFC #46 line after any component failure: it refused only a component it never ran.
  const ran = t.guest !== "" || (t.invoked?.length ?? 0) > 0;
  if (t.refusesComponents && !ran) {
    return {
      verdict: "unsupported-form",
      ...(signature ? { signature } : {}),
      errorLine: `kilnd runs core modules only (RFC #46) and refused this component${said ? `: ${said}` : ""}`,
      ...base,
    };
  }
  if (t.failure !== undefined) {
    // kiln reports a guest trap as [Runtime][E2199]; a [Memory][E0FA0] "out of bounds" is kiln's own
    // memory error (recorded: command_composed_c's core module), not the guest's trap.
    const trapped = signature ? signature.code === "E2199" : TRAP_WORDS.test(t.failure);
    return { verdict: trapped ? "trapped" : "failed", ...(signature ? { signature } : {}), errorLine: said!, ...base };
  }
  if (t.noModule) return { verdict: "failed", errorLine: "No module specified", ...base };
  if (t.started && p.code !== 0) {
    // A P2 guest's exit carries only ok or err: kilnd's status 1 is what every host reports for err.
    const err = t.exitCall === undefined ? "" : `called wasi:cli/exit exit(${t.exitCall === 0 ? "ok" : "err"}); `;
    return {
      verdict: "exit-nonzero",
      guestExit: t.exitCall === undefined ? null : t.exitCall === 0 ? 0 : 1,
      errorLine: `the guest ${err}kilnd printed no verdict line and exited ${p.code}`,
      ...base,
    };
  }
  return { verdict: "failed", errorLine: firstMeaningfulLine(t.stderr) ?? "no verdict line in kilnd output", ...base };
}

/** Classifies a jco run (lib/engines/jco-host.ts, `jco run`-alike, or --invoke): a JS trap is the guest's trap, not a crash of the engine. */
export function classifyJco(p: ProcResult, invoke?: string): Classified {
  const early = killedOrTimedOut(p);
  if (early) return early;
  if (p.code === 0) return passed(p.stdout, invoke);
  const err = p.stderr;
  const trap = err.match(/RuntimeError: (.*)/);
  if (trap) return { verdict: "trapped", errorLine: `RuntimeError: ${trap[1]}`, stdout: p.stdout };
  // A wasm stack overflow under JS is a RangeError, not a RuntimeError: the guest's trap all the same
  // (wasmtime and kilnd call it a trap: "call stack exhausted").
  const overflow = err.match(/RangeError: (Maximum call stack size exceeded.*)/);
  if (overflow) return { verdict: "trapped", errorLine: `RangeError: ${overflow[1]}`, stdout: p.stdout };
  if (err.trim() === "")
    return {
      verdict: "exit-nonzero",
      guestExit: p.code,
      errorLine: `guest exited non-zero (jco reports status ${p.code})`,
      stdout: p.stdout,
    };
  // jco's first line says only "Unable to transpile"; the reason follows on a `[cause]:` line and,
  // deeper, under "Caused by:". Keep the most specific one.
  const cause = (err.match(/Caused by:\s*\n\s*(.+)/)?.[1] ?? err.match(/\[cause\]: (?:\w*Error: )?(.+)/)?.[1])?.trim();
  const first = firstMeaningfulLine(err) ?? `jco exited ${p.code}`;
  return {
    verdict: "failed",
    errorLine: cause && !first.includes(cause) ? `${first}: ${cause}` : first,
    stdout: p.stdout,
  };
}

/** Classifies a wasmtime run: exit 0 passed; a `wasm trap` is a trap; other errors fail to load/run. */
export function classifyWasmtime(p: ProcResult, invoke?: string): Classified {
  const early = killedOrTimedOut(p);
  if (early) return early;
  if (p.code === 0) return passed(p.stdout, invoke);
  const trap = p.stderr.match(/wasm trap: (.*)/);
  if (trap) return { verdict: "trapped", errorLine: `wasm trap: ${trap[1]}`, stdout: p.stdout };
  if (!/^Error: /m.test(p.stderr))
    return {
      verdict: "exit-nonzero",
      guestExit: p.code,
      errorLine: `guest exited with status ${p.code}`,
      stdout: p.stdout,
    };
  const cause = p.stderr.match(/Caused by:\s*\n\s*(?:\d+: )?(.+)/)?.[1]?.trim();
  const first = p.stderr.match(/^Error: (.*)$/m)![1]!;
  return { verdict: "failed", errorLine: cause ? `${first}: ${cause}` : first, stdout: p.stdout };
}
