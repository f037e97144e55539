/**
 * cli — the thin layer every script's `main(argv)` runs under: argument parsing with one-line errors,
 * colour that honours NO_COLOR, and the top-level catch that turns a SeamError into one line + hint.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, SeamError, usageError } from "./errors.ts";
import { killAllRunning } from "./proc.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs in strict mode; an unknown flag or missing value becomes a usage error naming --help. */
export function parseCli<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0]!.replace(/^TypeError( \[[A-Z_]+\])?: /, "");
    throw usageError(msg, "run with --help for the accepted flags");
  }
}

/** Splits argv at the first `--`: what comes after is passed through to a tool untouched. */
export function splitPassthrough(argv: string[]): [string[], string[]] {
  const at = argv.indexOf("--");
  return at < 0 ? [argv, []] : [argv.slice(0, at), argv.slice(at + 1)];
}

const useColor = () => !process.env.NO_COLOR && process.stderr.isTTY === true;
const paint = (code: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const color = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) };

/** Progress and diagnostics go to stderr; results go to stdout. */
export function progress(line: string): void {
  process.stderr.write(line.endsWith("\n") ? line : line + "\n");
}

/** Formats an error as the single line a user sees (plus the hint, if any). */
export function formatError(prog: string, err: unknown): string {
  if (err instanceof SeamError) {
    return `${prog}: error: ${err.message}` + (err.hint ? `\n${prog}: hint: ${err.hint}` : "");
  }
  const e = err as Error;
  return `${prog}: internal error: ${e?.stack ?? String(err)}`;
}

/**
 * Runs a script's main; returns the exit code (callers assign it to process.exitCode, never exit()).
 * Tools run in process groups of their own (so a timeout kills a whole tree), which also means Ctrl-C
 * does not reach them: on SIGINT/SIGTERM every running tool tree is killed before the script ends.
 */
export async function runCli(prog: string, main: (argv: string[]) => Promise<number>, opts: { ownSignals?: boolean } = {}): Promise<number> {
  const onSignal = (sig: NodeJS.Signals) => {
    const n = killAllRunning();
    process.stderr.write(`${prog}: ${sig}: stopped ${n} running tool(s)\n`);
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  // A script that stops gracefully itself (all.ts: summary table, no half stamps) handles them.
  if (!opts.ownSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  try {
    return await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(formatError(prog, err) + "\n");
    return err instanceof SeamError ? err.exitCode : EXIT.fail;
  }
}
