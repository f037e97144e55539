#!/usr/bin/env bun
/**
 * corpus-table — writes docs/corpus.md's table of what kilnd does with the corpus from a tier-c
 * results.json, naming the kilnd it came from; --check fails when the page differs. The committed source
 * is fixtures/kilnd-0.4.4/tier-c.results.json, a real kilnd 0.4.4 run over both forms and memory modes
 * (tool paths made portable), so --check is the same on every machine. A separate script rather than a
 * flag of tier-c.ts (which runs engines) or troubleshooting.ts (which runs the bad-input suite): this one
 * only reads a results file.
 * Called by: people refreshing the table after a real kilnd run; scripts/corpus-table.test.ts (--check).
 * Usage: bun scripts/corpus-table.ts [--results FILE] [--write | --check]
 * Exit: 0 printed, written or up to date; 1 docs/corpus.md differs (--check) or has no markers; 2 usage error
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseCli, progress, runCli } from "./lib/core/cli.ts";
import { EXIT, SeamError, usageError } from "./lib/core/errors.ts";
import { atomicWrite } from "./lib/core/fsx.ts";
import { ROOT } from "./lib/core/paths.ts";
import { renderCorpusTable, spliceTable, TABLE_END, TABLE_START } from "./lib/tierc/corpus-table.ts";
import { isTierCReport } from "./lib/tierc/report.ts";

export const CORPUS_DOC = join(ROOT, "docs", "corpus.md");
export const CORPUS_RESULTS = join(ROOT, "fixtures", "kilnd-0.4.4", "tier-c.results.json");

const HELP = `corpus-table — docs/corpus.md's kilnd table, generated from a tier-c results.json

Usage: bun scripts/corpus-table.ts [--results FILE] [--write | --check]
  --results FILE  a tier-c results.json (default fixtures/kilnd-0.4.4/tier-c.results.json)
  (no flag)       print the table
  --write         put it into docs/corpus.md between its markers
  --check         exit 1 if docs/corpus.md's table differs

Exit: 0 printed, written or up to date; 1 docs/corpus.md differs (--check) or has no markers; 2 usage error`;

/** The page with the table from `resultsPath` in place; throws when the page has no markers. */
export function corpusPage(resultsPath: string, doc: string): { page: string; table: string } {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(resultsPath, "utf8"));
  } catch (err) {
    throw usageError(`cannot read ${resultsPath}: ${(err as Error).message}`, "pass a tier-c results.json");
  }
  if (!isTierCReport(report))
    throw usageError(`${resultsPath} is not a tier-c results file`, "pass a tier-c results.json");
  const table = renderCorpusTable(report, relative(ROOT, resolve(resultsPath)));
  const page = spliceTable(doc, table);
  if (page === undefined)
    throw new SeamError("docs/corpus.md has no corpus-table markers", {
      hint: `put the lines ${TABLE_START} and ${TABLE_END} where the table belongs`,
      exitCode: EXIT.fail,
    });
  return { page, table };
}

async function main(argv: string[]): Promise<number> {
  const flag = { type: "boolean", default: false } as const;
  const spec = { results: { type: "string" }, write: flag, check: flag, help: { ...flag, short: "h" } } as const;
  const { values } = parseCli(argv, spec, false);
  if (values.help) return (console.log(HELP), EXIT.ok);
  if (values.write && values.check) throw usageError("--write and --check exclude each other", "pick one");
  const doc = readFileSync(CORPUS_DOC, "utf8");
  const { page, table } = corpusPage(values.results ?? CORPUS_RESULTS, doc);
  if (values.check && page !== doc)
    throw new SeamError("docs/corpus.md's kilnd table differs from the results it is generated from", {
      hint: "run `npx bun scripts/corpus-table.ts --write`",
      exitCode: EXIT.fail,
    });
  if (values.write && page !== doc) atomicWrite(CORPUS_DOC, page);
  if (values.write || values.check)
    progress(page === doc ? "docs/corpus.md's kilnd table is up to date" : "wrote docs/corpus.md's kilnd table");
  else process.stdout.write(`${table}\n`);
  return EXIT.ok;
}

if (import.meta.main) process.exitCode = await runCli("corpus-table", main);
