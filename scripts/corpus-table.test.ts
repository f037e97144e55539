import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CORPUS_DOC, CORPUS_RESULTS, corpusPage } from "./corpus-table.ts";
import { renderCorpusTable, spliceTable, TABLE_END, TABLE_START } from "./lib/tierc/corpus-table.ts";
import { runScript } from "./testing/testkit.ts";
import type { TierCReport } from "./lib/tierc/report.ts";

describe("corpus-table", () => {
  test("docs/corpus.md's kilnd table is what the committed kilnd 0.4.4 results give (--check)", async () => {
    const p = await runScript("corpus-table.ts", ["--check"]);
    expect([p.code, p.stderr]).toEqual([0, expect.stringContaining("up to date")]);
  });

  test("the table names the kilnd it came from and every fixture of the results, one row each", () => {
    const report = JSON.parse(readFileSync(CORPUS_RESULTS, "utf8")) as TierCReport;
    const table = renderCorpusTable(report, "r.json");
    expect(table).toContain(`kilnd ${report.tools.kilnd!.version}`); // the provenance, e.g. "0.4.4 (release asset …)"
    for (const f of new Set(report.rows.map((r) => r.fixture))) expect(table).toContain(`| ${f} |`);
    expect(JSON.stringify(report)).not.toMatch(/"\/(work|tmp|home)\//);
  });

  test("a changed row makes the page differ; a page without markers is refused", () => {
    const doc = readFileSync(CORPUS_DOC, "utf8");
    expect(corpusPage(CORPUS_RESULTS, doc).page).toBe(doc);
    expect(spliceTable("no markers", "x")).toBeUndefined();
    expect(spliceTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`, "new")).toBe("a\nnew\nb");
    expect(() => corpusPage(CORPUS_RESULTS, "no markers")).toThrow("no corpus-table markers");
  });
});
