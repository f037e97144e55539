/**
 * io — reading tier-c results files for compare (one line naming the file for anything it
 * cannot read), taking `--baseline`'s base out of the run's way, and writing a diff beside results.json.
 */
import { existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { enumValue } from "../core/cli.ts";
import { renderCompareMarkdown } from "./render.ts";
import { FAIL_ON, type ComparableReport, type FailOn, type ReportDiff } from "./types.ts";
import { SeamError, EXIT } from "../core/errors.ts";
import { atomicWrite, atomicWriteJson } from "../core/fsx.ts";
import { appendStepSummary } from "../github/actions.ts";
import { SCHEMAS } from "../engines/records.ts";
import { refuseInterrupted } from "../tierc/report.ts";

const fail = (message: string) => new SeamError(message, { exitCode: EXIT.usage });

/** Checks a parsed value is tier-c results compare can read; one-line errors naming `file`. */
export function parseResults(file: string, text: string, acceptInterrupted = false): ComparableReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`${file}: not JSON (${(err as Error).message.split("\n")[0]}): pass a tier-c results.json`);
  }
  const schema = typeof json === "object" && json !== null ? (json as { schema?: unknown }).schema : undefined;
  if (typeof schema !== "string" || !SCHEMAS.tierCReadable.includes(schema)) {
    const what = schema === undefined ? "no schema field" : `schema ${JSON.stringify(schema)}`;
    throw fail(`${file}: not a tier-c results file (${what}; compare reads ${SCHEMAS.tierCReadable.join(", ")})`);
  }
  const rows = (json as { rows?: unknown }).rows;
  if (!Array.isArray(rows))
    throw fail(`${file}: says ${schema} but has no rows list: regenerate it with scripts/tier-c.ts`);
  rows.forEach((r, i) => {
    const o = r as Record<string, unknown>;
    for (const field of ["fixture", "mode", "verdict", "outcome"]) {
      if (typeof o?.[field] !== "string")
        throw fail(`${file}: row ${i + 1} has no ${field}: regenerate it with scripts/tier-c.ts`);
    }
  });
  refuseInterrupted(file, json as { interrupted?: unknown }, acceptInterrupted);
  return json as ComparableReport;
}

/** Reads a results.json, or the results.json in a tier-c --out folder; one-line errors (exit 2). */
export function loadResults(path: string, acceptInterrupted = false): { file: string; report: ComparableReport } {
  if (path.trim() === "") throw fail("an empty path: pass a tier-c results.json or its --out folder");
  if (!existsSync(path)) throw fail(`${path} not found: pass a tier-c results.json or its --out folder`);
  const file = statSync(path).isDirectory() ? join(path, "results.json") : path;
  if (!existsSync(file)) throw fail(`${path} has no results.json: pass a tier-c results.json or its --out folder`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { file, report: parseResults(file, text, acceptInterrupted) };
}

/**
 * Reads the base of `tier-c --baseline` before the run. When BASE is the results.json the run is about
 * to replace (the example workflow restores the base branch's results there), it is moved aside to
 * baseline.json first: a run that stops early never leaves the base's results posing as its own.
 */
export function takeBaseline(path: string, outDir: string): { file: string; report: ComparableReport } {
  const loaded = loadResults(path);
  if (resolve(loaded.file) !== resolve(outDir, "results.json")) return loaded;
  const aside = join(outDir, "baseline.json");
  renameSync(loaded.file, aside);
  return { file: aside, report: loaded.report };
}

/** Writes compare.json and compare.md next to results.json (atomically) and the step summary when set. */
export function writeDiff(d: ReportDiff, outDir: string): void {
  const md = renderCompareMarkdown(d);
  atomicWriteJson(join(outDir, "compare.json"), d);
  atomicWrite(join(outDir, "compare.md"), md);
  appendStepSummary(md);
}

export function parseFailOn(text: string): FailOn {
  return enumValue("--fail-on", text, Object.keys(FAIL_ON) as FailOn[]);
}
