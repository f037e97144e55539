/**
 * cli — the thin layer every script's `main(argv)` runs under: argument parsing with one-line errors,
 * the checks every flag value goes through (positive whole numbers, seconds, enum lists, K=V), colour
 * that honours NO_COLOR, and the top-level catch that turns a SeamError into one line + hint and any
 * other error into one "internal error" line (its stack only with SEAM_DEBUG=1).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, SeamError, usageError } from "./errors.ts";
import { removeTrackedTemps } from "./fsx.ts";
import { escapeControl } from "./render.ts";
import { interruptAll, killAllRunning } from "./proc.ts";

/** A script's flags as parseArgs takes them (`{ … } satisfies FlagSpec` keeps their types). */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;
type Options = FlagSpec;

/** Where an internal error (a bug in seam, never bad input) is to be reported. */
export const REPORT_TO = "seam's issue tracker (the Issues of the repository this checkout came from)";

/**
 * node's parseArgs takes `-1` after a flag for another flag ("argument is ambiguous"). A value that looks
 * like a negative number is joined to its flag (`-j -1` → `--j=-1`), so the flag's own check can say what
 * is wrong with it ("-j expects a positive whole number, got: -1").
 */
export function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = (token: string): string | undefined => {
    if (token.startsWith("--")) {
      const name = token.slice(2);
      return !name.includes("=") && options[name]?.type === "string" ? name : undefined;
    }
    if (/^-[A-Za-z]$/.test(token))
      return Object.entries(options).find(([, o]) => o.short === token[1] && o.type === "string")?.[0];
    return undefined;
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") return [...out, ...argv.slice(i)];
    const name = takesValue(token);
    const next = argv[i + 1];
    if (name && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

/** parseArgs in strict mode; an unknown flag or missing value becomes a usage error naming --help. */
export function parseCli<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals });
  } catch (err) {
    const msg = (err as Error).message
      .split("\n")[0]!
      .replace(/^TypeError( \[[A-Z_]+\])?: /, "")
      .replace(/^(Unknown option '[^']*')\..*$/, "$1");
    throw usageError(msg, "run with --help for the accepted flags");
  }
}

/** Splits argv at the first `--`: what comes after is passed through to a tool untouched. */
export function splitPassthrough(argv: string[]): [string[], string[]] {
  const at = argv.indexOf("--");
  return at < 0 ? [argv, []] : [argv.slice(0, at), argv.slice(at + 1)];
}

// ---------------------------------------------------------------------------------------------------
// Flag values: every main checks its values with these, so one kind of value is refused one way.

/** A whole number ≥ 1 (`-j`, `--jobs`, `--reps`, `--fuel`). `flag` is how the user typed it: "-j",
 * "--jobs"; `example` is the value the hint shows. */
export function positiveInt(flag: string, raw: string, example = "2"): number {
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw usageError(`${flag} expects a positive whole number, got: ${raw}`, `e.g. ${flag} ${example}`);
  return n;
}

/** Any whole number, negative too (`--runner-status`, an exit status). */
export function wholeNumber(flag: string, raw: string): number {
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw usageError(`${flag} expects a whole number, got: ${raw}`, `e.g. ${flag} 1`);
  return n;
}

/** A number of seconds > 0 (`--timeout`); fractions are fine. */
export function positiveSeconds(flag: string, raw: string): number {
  const n = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw usageError(`${flag} expects a number of seconds > 0, got: ${raw}`, `e.g. ${flag} 60`);
  return n;
}

/** The known value a mistyped one most likely meant: the same but for case, or at most two edits away
 * (and fewer than half its letters); undefined when none is that close. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const lower = word.trim().toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  const dist = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++)
        row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row;
    }
    return prev[b.length]!;
  };
  const scored = known
    .map((k) => [k, dist(lower, k.toLowerCase())] as const)
    .filter(([k, d]) => d <= 2 && d < Math.max(2, k.length / 2))
    .sort((a, b) => a[1] - b[1]);
  return scored.length && (scored.length === 1 || scored[0]![1] < scored[1]![1]) ? scored[0]![0] : undefined;
}

/** One value of a known set (`--engine`, `--reference`). Case matters: `Jco` is not `jco`. */
export function enumValue<T extends string>(flag: string, raw: string, known: readonly T[]): T {
  if ((known as readonly string[]).includes(raw)) return raw as T;
  const near = nearest(raw, known);
  throw usageError(
    `${flag}: unknown value ${JSON.stringify(raw)} (known: ${known.join(", ")})`,
    near ? `did you mean ${flag} ${near}?` : `use one of: ${known.join(", ")}`,
  );
}

/**
 * A comma-separated list of known values (`--memory multi,shared`). An unknown or empty item is an error,
 * and so is a duplicate: `multi,multi` would run every cell twice into one folder, and is more likely a
 * slip than a wish, so it is refused rather than quietly made `multi`.
 */
export function enumList<T extends string>(flag: string, raw: string, known: readonly T[]): T[] {
  return enumItems(
    flag,
    raw.split(",").map((s) => s.trim()),
    known,
    (items) => `${flag} ${items.join(",")}`,
  );
}

/** Known values given one by one (`bench.ts run-kiln compare`, `--require meld,jco`): the same checks. */
export function enumItems<T extends string>(
  what: string,
  items: string[],
  known: readonly T[],
  example = (unique: string[]) => unique.join(" "),
): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (item === "") throw usageError(`${what}: an empty item`, `a comma-separated list of: ${known.join(", ")}`);
    if (!(known as readonly string[]).includes(item)) {
      const near = nearest(item, known);
      throw usageError(
        `${what}: unknown value ${JSON.stringify(item)} (known: ${known.join(", ")})`,
        near ? `did you mean ${near}?` : `use: ${known.join(", ")}`,
      );
    }
    if (seen.has(item))
      throw usageError(
        `${what}: ${item} is listed twice`,
        `name each value once, e.g. ${example([...new Set(items)])}`,
      );
    seen.add(item);
  }
  return items as T[];
}

/** A repeated flag's values (`--fixture A --fixture B`, `--junit`, `--report`) or a list of names: each
 * once. Paths count as one when they resolve to the same file. */
export function noDuplicates(flag: string, items: string[], same: (s: string) => string = (s) => s): string[] {
  const seen = new Map<string, string>();
  for (const item of items) {
    const key = same(item);
    if (seen.has(key))
      throw usageError(
        `${flag} ${item} is given twice${seen.get(key) !== item ? ` (as ${seen.get(key)} too)` : ""}`,
        `give ${flag} each value once`,
      );
    seen.set(key, item);
  }
  return items;
}

/** A guest environment variable's name: what a shell would accept (so `A;touch x;B` is refused). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `NAME=VALUE` pairs (`--env NAME=seam`): NAME a variable name, given once. The one check of guest
 * environment flags (run-kiln, tier-c ad hoc); a value may hold anything, newlines too. */
export function keyValues(flag: string, raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of raw) {
    const at = kv.indexOf("=");
    const k = kv.slice(0, Math.max(at, 0));
    if (at <= 0 || !ENV_NAME.test(k))
      throw usageError(
        `${flag} expects NAME=VALUE with NAME a variable name, got: ${kv}`,
        `e.g. ${flag} GREETING=hello`,
      );
    if (k in out) throw usageError(`${flag}: ${k} is given twice`, `give ${k} once`);
    out[k] = kv.slice(at + 1);
  }
  return out;
}

const UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** A size with its unit (`512M`, `4G`, `4GiB`) in bytes: a bare number is refused (bytes or MiB?). */
export function byteSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG])(?:i?B)?$/i.exec(text.trim());
  const bytes = m ? Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!) : 0;
  if (!m || bytes < 2 ** 20) throw usageError(`${flag} expects a size of at least 1M, got: ${text}`, `e.g. ${flag} 4G`);
  return bytes;
}

// ---------------------------------------------------------------------------------------------------
// Output and the top-level catch

const useColor = () => !process.env.NO_COLOR && process.stderr.isTTY === true;
const paint = (code: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const color = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) };

/** Progress and diagnostics go to stderr; results go to stdout. */
export function progress(line: string): void {
  process.stderr.write(line.endsWith("\n") ? line : line + "\n");
}

/** Text as one line: what a user passed (an --env value with a newline, an ESC) shown as escapes. */
export function oneLine(text: string): string {
  return escapeControl(text).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/**
 * Formats an error as what a user sees: a SeamError as its line (plus the hint); anything else is a bug in
 * seam, one "internal error" line with the message and where to report it. Its stack trace is shown only
 * with SEAM_DEBUG=1 (`debug`), never by default.
 */
export function formatError(prog: string, err: unknown, debug = process.env.SEAM_DEBUG === "1"): string {
  if (err instanceof SeamError) {
    return `${prog}: error: ${oneLine(err.message)}` + (err.hint ? `\n${prog}: hint: ${oneLine(err.hint)}` : "");
  }
  const e = err as Error;
  const message = (e instanceof Error ? e.message : String(err)).split("\n")[0]!.trim() || "(no message)";
  const line = `${prog}: internal error: ${message} — a bug in seam, not in your input; please report it to ${REPORT_TO} with the command you ran (SEAM_DEBUG=1 shows the stack trace)`;
  return debug && e instanceof Error && e.stack ? `${line}\n${e.stack}` : line;
}

/** The signals that stop a seam script (a closed terminal sends SIGHUP), and the exit status for each. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Runs a script's main; returns the exit code (callers assign it to process.exitCode, never exit()).
 * Tools run in process groups of their own (so a timeout kills a whole tree), which also means Ctrl-C
 * does not reach them: on SIGINT/SIGTERM/SIGHUP every running tool tree is killed and every temp file or folder
 * still being written is removed before the script ends. An error that escapes main, or a promise that
 * fails after main ended (a cell still in flight), is one line too, never a stack trace.
 */
export async function runCli(
  prog: string,
  main: (argv: string[]) => Promise<number>,
  opts: { ownSignals?: boolean } = {},
): Promise<number> {
  const onSignal = (sig: NodeJS.Signals) => {
    const n = interruptAll(sig);
    removeTrackedTemps();
    process.stderr.write(`${prog}: ${sig}: stopped ${n} running tool(s)\n`);
    process.exit(SIGNAL_EXIT[sig as keyof typeof SIGNAL_EXIT] ?? 143);
  };
  // A script that stops gracefully itself (all.ts: summary table, no half stamps) handles them.
  if (!opts.ownSignals) for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
  // Whatever way the process ends, no group it started outlives it.
  process.once("exit", () => (killAllRunning(), removeTrackedTemps()));
  let finished = false;
  const stray = (err: unknown) => {
    // After main has answered, a late failure of work it started says nothing new: keep it for SEAM_DEBUG.
    if (finished) {
      if (process.env.SEAM_DEBUG === "1")
        process.stderr.write(`${prog}: (after the end) ${formatError(prog, err, true)}\n`);
      return;
    }
    killAllRunning();
    removeTrackedTemps();
    process.stderr.write(formatError(prog, err) + "\n");
    process.exit(err instanceof SeamError ? err.exitCode : EXIT.fail);
  };
  process.on("unhandledRejection", stray);
  process.on("uncaughtException", stray);
  try {
    return await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(formatError(prog, err) + "\n");
    const code = err instanceof SeamError ? err.exitCode : EXIT.fail;
    // Work still in flight (other cells and their tools) must not go on writing after the one error
    // line, nor cache a run it killed: stop here (the exit handler removes temp files).
    if (killAllRunning() > 0) process.exit(code);
    return code;
  } finally {
    finished = true;
  }
}
