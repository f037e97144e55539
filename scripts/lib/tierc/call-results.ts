/**
 * call-results — every `--invoke` call of a row as a reported result: what the reference recorded as
 * expected and what each engine cell returned, so a second call is never checked unseen. kilnd 0.4.4
 * cannot pass wasm function parameters; it says so in its own line, which makes that call out of scope on
 * kiln (never a seam-bug). Pure. Used by lib/tierc/rows.ts and lib/tierc/attribution.ts.
 */
import type { RunRecord } from "../engines/records.ts";
import type { CallResult, CellStep } from "./report.ts";

/** What this module reads of a cell (attribution.ts's CellRun). */
interface CellRun {
  ok: boolean | null;
  why: string;
  records: RunRecord[];
}

/** kilnd's own line when it is asked to call a function that takes parameters (kilnd/src/lib.rs, SR-53). */
export const KILND_NO_ARGS =
  /^Error: function '.*' expects \d+ argument\(s\) but none were supplied; kilnd cannot yet pass wasm function parameters$/m;

/** kilnd's line saying it cannot pass the call's arguments, when this record has it. */
export function noArgsLine(r: RunRecord): string | undefined {
  return r.engine === "kiln" ? KILND_NO_ARGS.exec(r.stderr)?.[0] : undefined;
}

/** A kiln cell that failed only because kilnd cannot pass arguments: kilnd's line, else undefined. */
export function kilnCannotPassArgs(c: CellRun): string | undefined {
  if (c.ok !== false) return undefined;
  const failing = c.records.filter((r) => r.verdict !== "passed");
  const lines = failing.map(noArgsLine);
  return failing.length && lines.every((l) => l !== undefined) ? lines[0] : undefined;
}

/** One call's outcome on one engine run, in a few words. */
export function actualText(r: RunRecord | undefined): string {
  if (!r) return "not run";
  const line = noArgsLine(r);
  if (line) return `out of scope: ${line}`;
  if (r.verdict === "passed") return (r.results ?? []).join(", ") || "(no result)";
  if (r.verdict === "trapped") return `trap${r.errorLine ? ` (${r.errorLine})` : ""}`;
  return `${r.verdict}${r.errorLine ? `: ${r.errorLine}` : ""}`;
}

/** Each call of a row: the expected result and each engine cell's actual one. */
export function callResults(
  invokes: string[],
  expected: Record<string, string>,
  cells: [CellStep, CellRun][],
): CallResult[] {
  return invokes.map((call) => ({
    call,
    expected: expected[call] ?? "",
    actual: Object.fromEntries(
      cells.map(([step, c]) => [
        step,
        c.ok === null && !c.records.length ? `not run: ${c.why}` : actualText(c.records.find((r) => r.invoke === call)),
      ]),
    ),
  }));
}
