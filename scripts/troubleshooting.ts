#!/usr/bin/env bun
/**
 * troubleshooting — blesses seam's bad-input suite and renders the README's troubleshooting table from it.
 * The cases are data (scripts/testing/bad-inputs.yaml, each with its blessed stderr; the harness is
 * scripts/testing/bad-inputs.ts): --bless runs every case in a sandbox copy of seam, as the suite does, and
 * records what it printed in the data file, and the documented cases' lines in README.md; --check fails on
 * any difference. scripts/bad-input.test.ts fails while either differs.
 * Called by: people who add or change a bad-input case, or a message one of them prints.
 * Usage: bun scripts/troubleshooting.ts [--bless | --check | --write]
 * Exit: 0 printed, blessed, written or up to date; 1 a case or README.md differs (--check), or a case breaks
 *       a promise (its exit code, one line and a hint, nothing on stdout, no file changed); 2 usage error
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseCli, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { atomicWrite } from "./lib/core/fsx.ts";
import {
  BAD_INPUTS,
  CASES_FILE,
  commandLine,
  makeSandbox,
  README_END,
  README_START,
  renderTroubleshooting,
  runCase,
  type CaseResult,
} from "./testing/bad-inputs.ts";
import { blessedStderr, casesYaml, type BadInput } from "./testing/bad-inputs/case.ts";
import { ROOT } from "./lib/core/paths.ts";

const README = join(ROOT, "README.md");

/** Puts `section` (marker to marker) into the README text in place of the one there. */
export function spliceSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start)
    throw new SeamError(`README.md has no troubleshooting markers`, {
      hint: `put the lines ${README_START} and ${README_END} where the table belongs`,
      exitCode: EXIT.fail,
    });
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}

/** Runs `cases` in one sandbox, in order, and returns each with what it did. */
export async function runCases(
  cases: BadInput[],
  onProgress?: (line: string) => void,
): Promise<{ row: BadInput; r: CaseResult }[]> {
  const sandbox = await makeSandbox();
  try {
    const out = [];
    for (const row of cases) {
      const r = await runCase(sandbox, row, `case-${out.length}`);
      const state = r.problems.length ? "FAILS" : r.differs.length ? "DIFFERS" : "ok";
      onProgress?.(`${state.padEnd(7)} ${row.class}: ${commandLine(row)}`);
      out.push({ row, r });
    }
    return out;
  } finally {
    rmSync(sandbox.dir, { recursive: true, force: true });
  }
}

/** A case that breaks a promise, as the error: what it was and what went wrong. */
function broken(
  runs: { row: BadInput; r: CaseResult }[],
  also: (r: CaseResult) => string[],
  hint = "run `npx bun test scripts/bad-input.test.ts` and fix the case or the script",
): SeamError | undefined {
  const bad = runs.filter(({ r }) => r.problems.length || also(r).length);
  if (!bad.length) return undefined;
  const { row, r } = bad[0]!;
  return new SeamError(
    `${bad.length} case(s) do not hold; the first: ${commandLine(row)}: ${[...r.problems, ...also(r)][0]}`,
    { hint, exitCode: EXIT.fail },
  );
}

/** The table of the documented cases, as they ran. */
const tableOf = (runs: { row: BadInput; r: CaseResult }[]) =>
  renderTroubleshooting(runs.filter(({ row }) => row.doc).map(({ row, r }) => ({ row, seen: r.observed })));

/** Runs the documented cases and renders the table; a case that does not hold is an error. */
export async function generate(onProgress?: (line: string) => void): Promise<string> {
  const runs = await runCases(
    BAD_INPUTS.filter((row) => row.doc),
    onProgress,
  );
  const err = broken(runs, (r) => r.differs);
  if (err) throw err;
  return tableOf(runs);
}

/** Runs every case: the data file as blessed from what they printed, and the README's table. A case that
 * breaks a promise other than its output is an error. */
export async function bless(onProgress?: (line: string) => void): Promise<{ data: string; table: string }> {
  const runs = await runCases(BAD_INPUTS, onProgress);
  const err = broken(runs, () => []);
  if (err) throw err;
  const data = casesYaml(runs.map(({ row, r }) => ({ ...row, stderr: blessedStderr(row.stderr, r.shown) })));
  return { data, table: tableOf(runs) };
}

/** Runs every case; throws when one differs from the data file, or README.md's table from what the
 * documented ones print. */
export async function check(onProgress?: (line: string) => void): Promise<void> {
  const runs = await runCases(BAD_INPUTS, onProgress);
  const err = broken(
    runs,
    (r) => r.differs,
    "if what it prints now is right, run `npx bun scripts/troubleshooting.ts --bless`",
  );
  if (err) throw err;
  if (casesYaml(BAD_INPUTS) !== readFileSync(CASES_FILE, "utf8"))
    throw new SeamError("scripts/testing/bad-inputs.yaml is not in the form --bless writes", {
      hint: "run `npx bun scripts/troubleshooting.ts --bless`",
      exitCode: EXIT.fail,
    });
  const readme = readFileSync(README, "utf8");
  if (spliceSection(readme, tableOf(runs)) !== readme)
    throw new SeamError("README.md's troubleshooting table differs from what the bad-input cases print", {
      hint: "run `npx bun scripts/troubleshooting.ts --write`",
      exitCode: EXIT.fail,
    });
}

/** Writes `text` to `path` (atomically) unless it holds it already; says which. */
function update(path: string, text: string, what: string): void {
  const same = readFileSync(path, "utf8") === text;
  if (!same) atomicWrite(path, text);
  progress(same ? `${what} is up to date` : `wrote ${what}`);
}

const HELP = `troubleshooting — blesses the bad-input suite, and renders the README's troubleshooting table from it

Usage: bun scripts/troubleshooting.ts [--bless | --check | --write]
  (no flag)  print the table (runs the documented cases)
  --bless    run every case; record what it printed in scripts/testing/bad-inputs.yaml (a blessed line
             that still matches is kept, [..] and all), and the table in README.md
  --check    run every case; exit 1 if one differs from scripts/testing/bad-inputs.yaml, or README.md's
             table from what the documented cases print
  --write    put the table into README.md between its markers (runs the documented cases)

Exit: 0 printed, blessed, written or up to date; 1 a case or README.md differs (--check), or a case breaks
      a promise (its exit code, one line and a hint, nothing on stdout, no file changed); 2 usage error`;

async function main(argv: string[]): Promise<number> {
  const flag = { type: "boolean", default: false } as const;
  const { values } = parseCli(argv, { bless: flag, check: flag, write: flag, help: { ...flag, short: "h" } }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if ([values.bless, values.check, values.write].filter(Boolean).length > 1)
    throw usageError("--bless, --check and --write exclude each other", "pick one");
  const onProgress = (l: string) => progress(l);
  if (values.check) {
    await check(onProgress);
    progress(`all ${BAD_INPUTS.length} cases print what scripts/testing/bad-inputs.yaml says; README.md is up to date`);
  } else if (values.bless) {
    const { data, table } = await bless(onProgress);
    update(CASES_FILE, data, "scripts/testing/bad-inputs.yaml");
    update(README, spliceSection(readFileSync(README, "utf8"), table), "README.md's troubleshooting table");
  } else if (values.write) {
    const section = await generate(onProgress);
    update(README, spliceSection(readFileSync(README, "utf8"), section), "README.md's troubleshooting table");
  } else process.stdout.write((await generate(onProgress)) + "\n");
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("troubleshooting", main);
