import { describe, expect, test } from "bun:test";
import {
  composeBody,
  defaultMarker,
  fitBody,
  normalizeMarker,
  parseReport,
  renderReport,
  renderSections,
  SAFE_BODY_BYTES,
  type LoadedReport,
} from "./body.ts";
import { compareReports } from "../compare/compare.ts";
import { SeamError } from "../core/errors.ts";
import { lsGate, syntheticPair, tierC } from "../../testing/sample-reports.ts";

const M = "<!-- seam:test -->";
const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const body = (text = "hello") => `${M}\n## Report\n\n${text}\n`;

describe("body", () => {
  test("a marker key becomes an HTML comment and upstream's full marker is kept as given", () => {
    expect(normalizeMarker("seam-gate")).toBe("<!-- seam-gate -->");
    expect(normalizeMarker("<!-- meld-ls-verification-gate -->")).toBe("<!-- meld-ls-verification-gate -->");
    for (const bad of ["a\nb", "x -- y", "<!-- open", "<!-- a --> tail"]) {
      expect(() => normalizeMarker(bad)).toThrow(SeamError);
    }
  });

  test("the default marker names the report kinds found, sorted and once each", () => {
    expect(defaultMarker(["tier-c", "ls-gate", "tier-c"])).toBe("<!-- seam:ls-gate+tier-c -->");
    expect(defaultMarker(["ls-gate"])).toBe("<!-- seam:ls-gate -->");
    expect(defaultMarker([])).toBe("<!-- seam:comment -->");
  });

  test("a report is detected by its schema field; unknown, non-JSON or misshapen files are exit-2 errors naming the file", () => {
    expect(parseReport("a.json", JSON.stringify(lsGate())).kind).toBe("ls-gate");
    expect(parseReport("b.json", JSON.stringify(tierC())).kind).toBe("tier-c");
    const cases: [string, RegExp][] = [
      [JSON.stringify({ schema: "other/1" }), /^c\.json: unknown schema "other\/1"/],
      [JSON.stringify({ total: 1 }), /^c\.json: no schema field/],
      ["{not json", /^c\.json: not JSON/],
      [
        JSON.stringify({ ...lsGate(), passed_count: 9 }),
        /^c\.json: says schema seam\.ls-gate\/1 but does not have its shape/,
      ],
    ];
    for (const [text, re] of cases) {
      const err = (() => {
        try {
          parseReport("c.json", text);
        } catch (e) {
          return e as SeamError;
        }
        throw new Error("no error for " + text);
      })();
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain("\n");
    }
  });

  test("composed body has the marker as its first line, once, even when a body file already starts with it", () => {
    const twoSections = composeBody("<!-- k -->", ["## A\n\na\n", "## B\n\nb\n"], ["not shown: `x.json`"]);
    expect(twoSections.split("\n")[0]).toBe("<!-- k -->");
    expect(twoSections).toContain("## A\n\na\n\n## B\n\nb");
    expect(twoSections).toContain("<sub>not shown: `x.json`</sub>");
    const verbatim = composeBody("<!-- k -->", ["<!-- k -->\n## Mine\n"]);
    expect(verbatim.match(/<!-- k -->/g)?.length).toBe(1);
  });

  test("a body under the limit is posted unchanged", () => {
    const b = body("small");
    expect(fitBody(b)).toEqual({ body: b, cut: null });
  });

  test("ls_c_4_ an oversized body is cut at a section boundary, open details and fences closed, with a closing line linking the run", () => {
    const details = [
      "<details>",
      "<summary>many</summary>",
      "",
      "```",
      ...Array.from({ length: 4000 }, (_, i) => `line ${i} ` + "z".repeat(40)),
      "```",
      "</details>",
    ];
    const b = composeBody(M, ["## First\n\nsmall one\n", `## Second\n\n${details.join("\n")}\n`, "## Third\n\nlast\n"]);
    expect(bytes(b)).toBeGreaterThan(SAFE_BODY_BYTES);
    const { body: cut, cut: info } = fitBody(b, { runUrl: "https://github.com/acme/widgets/actions/runs/99" });
    expect(bytes(cut)).toBeLessThanOrEqual(SAFE_BODY_BYTES);
    expect(cut.split("\n")[0]).toBe(M);
    expect(info).toMatchObject({ kept: ["First"], partial: "Second", dropped: ["Third"] });
    expect(cut).toContain("## First\n\nsmall one");
    expect(cut).not.toContain("## Third");
    // Balanced: as many fences as ``` lines opened, and every <details> closed.
    expect((cut.match(/^```$/gm) ?? []).length % 2).toBe(0);
    expect((cut.match(/<details>/g) ?? []).length).toBe((cut.match(/<\/details>/g) ?? []).length);
    const closing = cut.trimEnd().split("\n").at(-1)!;
    expect(closing).toContain("Cut to fit GitHub's 65,536-character comment limit");
    expect(closing).toContain("“Second” cut short; “Third” left out");
    expect(closing).toContain("(https://github.com/acme/widgets/actions/runs/99)");
  });

  test("ls_c_4_ a body that is one giant line of multi-byte text is cut on a character boundary under the limit", () => {
    const b = `${M}\n` + "✅😀".repeat(30_000);
    const { body: cut } = fitBody(b, { limitBytes: 10_000 });
    expect(bytes(cut)).toBeLessThanOrEqual(10_000);
    expect(cut).not.toContain("\uFFFD");
    expect(cut.split("\n")[0]).toBe(M);
    expect(cut).toContain("✅😀✅");
  });

  test("renderers come from lib: ls-gate and tier-c sections start with ## headings", () => {
    expect(renderReport({ path: "a", kind: "ls-gate", report: lsGate() }, {})).toStartWith("## LS verification gate");
    expect(renderReport({ path: "b", kind: "tier-c", report: tierC() }, { runUrl: "https://r" })).toStartWith(
      "## meld → kiln seam",
    );
  });

  test("a Tier C report with a diff starts its section with it: the summary, the base's tools, the changed rows; unchanged rows fold away", () => {
    const { base, head } = syntheticPair(40);
    const section = renderReport(
      { path: "r.json", kind: "tier-c", report: { ...head, diff: compareReports(base, head) } },
      {},
    );
    expect(section.split("\n").slice(0, 3)).toEqual([
      "## meld → kiln seam (Tier C)",
      "",
      "**1 fixed, 1 regressed, 2 moved since base** — base: meld 0.65.1 · kilnd 0.4.4 `aaaaaaaaaaaa` · reference jco 1.35.0 · 2026-01-01T00:00:00Z · fails the run (--fail-on regressed)",
    ]);
    expect(section).toContain(
      "| ❌ regressed | fixture_0000 | multi | core | ✅ pass | ❌ seam-bug `[Runtime][E0BBB] Export not found` | no longer passes |  |",
    );
    expect(section).toContain("<details><summary>36 unchanged rows</summary>");
    expect(section.match(/^\| fixture_\d+ \| (multi|shared) \|/gm)?.length).toBe(36);
  });

  test("ls_c_4_ a 2,000-row diff fits the comment cap beside the LS gate: unchanged rows cut first, every changed row kept", () => {
    const { base, head, expected } = syntheticPair(2_000);
    const loaded: LoadedReport[] = [
      { path: "tier-c.json", kind: "tier-c", report: { ...head, diff: compareReports(base, head) } },
      { path: "ls.json", kind: "ls-gate", report: lsGate() },
    ];
    expect(bytes(renderReport(loaded[0]!, {}))).toBeGreaterThan(SAFE_BODY_BYTES);
    const b = composeBody(M, renderSections(loaded, {}));
    expect(bytes(b)).toBeLessThanOrEqual(SAFE_BODY_BYTES);
    expect(fitBody(b).cut).toBeNull();
    expect(b).toContain("## LS verification gate");
    expect(b).toContain("**20 fixed, 20 regressed, 40 moved since base**");
    expect(b.match(/^\| [❌❗✅] (regressed|moved|fixed) \|/gmu)?.length).toBe(
      expected.fixed + expected.moved + expected.regressed,
    );
    expect(b).toMatch(/<summary>1920 unchanged rows \(\d+ shown, \d+ left out to fit\)<\/summary>/);
    expect((b.match(/<details>/g) ?? []).length).toBe((b.match(/<\/details>/g) ?? []).length);
  });

  test("the no-diff note is said only where a Tier C report carries no diff", () => {
    const note = "No base results to compare with.";
    expect(renderReport({ path: "r.json", kind: "tier-c", report: tierC() }, { noDiffNote: note }).split("\n")[2]).toBe(
      `ℹ️ ${note}`,
    );
    const { base, head } = syntheticPair(4);
    expect(
      renderReport(
        { path: "r.json", kind: "tier-c", report: { ...head, diff: compareReports(base, head) } },
        { noDiffNote: note },
      ),
    ).not.toContain(note);
  });
});
