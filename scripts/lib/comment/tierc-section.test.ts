import { describe, expect, test } from "bun:test";
import { compareReports } from "../compare/compare.ts";
import { renderTierCSection } from "./tierc-section.ts";
import { syntheticPair } from "../../testing/sample-reports.ts";
import type { TierCReport } from "../tierc/report.ts";

describe("the comment's Tier C section", () => {
  test("a Tier C section with a diff: the summary and the base's tools first, the changed rows, the unchanged rows folded", () => {
    const { base, head } = syntheticPair(200);
    const section = renderTierCSection({ ...head, diff: compareReports(base, head) });
    const lines = section.split("\n");
    expect(lines[0]).toBe("## meld → kiln seam (Tier C)");
    expect(lines[2]).toStartWith(
      "**2 fixed, 2 regressed, 4 moved since base** — base: meld 0.65.1 · kilnd 0.4.4 `aaaaaaaaaaaa` · reference jco 1.35.0",
    );
    expect(section).toContain("<details><summary>192 unchanged rows</summary>");
    expect(section.indexOf("| ❌ regressed | fixture_0000 | multi | core |")).toBeLessThan(
      section.indexOf("<details>"),
    );
  });

  test("under a byte cap the unchanged rows go first, then changed rows from the least severe; regressions stay longest", () => {
    const { base, head, expected } = syntheticPair(2_000);
    const r = { ...head, diff: compareReports(base, head) } as TierCReport & {
      diff: ReturnType<typeof compareReports>;
    };
    const bytes = (s: string) => Buffer.byteLength(s, "utf8");
    const full = renderTierCSection(r);
    expect(bytes(full)).toBeGreaterThan(200_000);
    const roomy = renderTierCSection(r, { maxBytes: 30_000 });
    expect(bytes(roomy)).toBeLessThanOrEqual(30_000);
    expect((roomy.match(/^\| [❌❗✅] (regressed|moved|fixed) \|/gmu) ?? []).length).toBe(
      expected.fixed + expected.moved + expected.regressed,
    );
    expect(roomy).toMatch(/<summary>1920 unchanged rows \(\d+ shown, \d+ left out to fit\)<\/summary>/);
    const tight = renderTierCSection(r, { maxBytes: 8_000 });
    expect(bytes(tight)).toBeLessThanOrEqual(8_000);
    expect(tight).toContain("1920 unchanged rows, left out to fit.");
    expect(tight).toMatch(/… and \d+ more changed rows, left out to fit/);
    expect((tight.match(/^\| ❌ regressed \|/gmu) ?? []).length).toBeGreaterThan(0);
    expect(tight).not.toContain("| ✅ fixed |");
  });
});
