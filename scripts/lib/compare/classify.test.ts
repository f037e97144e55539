import { describe, expect, test } from "bun:test";
import { classify, standing } from "./classify.ts";
import { compareReports } from "./compare.ts";
import { renderCompareMarkdown } from "./render.ts";
import type { RowState } from "./types.ts";
import { E0BBB, E2199, pass, seamBug, results, classes, st } from "../../testing/compare-rows.ts";

describe("compare: the changed rows and their classes", () => {
  test("the transition rules, pair by pair", () => {
    const P = st("pass", "ok");
    const X = st("xpass", "xpass");
    const S = st("skipped", "ok");
    const R = st("fuse-refused", "ok");
    const U = st("kiln-unsupported", "ok");
    const F = st("unsupported-form", "ok");
    const K = st("expected-fail", "expected", E0BBB);
    const B = st("seam-bug", "unexpected", E0BBB);
    const B2 = st("seam-bug", "unexpected", E2199);
    const M = st("meld-bug", "unexpected");
    const MK = st("meld-bug", "expected");
    const RF = st("reference-fail", "unexpected");
    const A = st("unattributed", "unexpected", E0BBB);
    const cases: [RowState, RowState, string | null][] = [
      [P, P, null],
      [P, X, "reclassified"],
      [S, P, "reclassified"],
      [R, P, "fixed"],
      [F, P, "fixed"],
      [B, P, "fixed"],
      [K, X, "fixed"],
      [P, R, "regressed"],
      [P, K, "regressed"],
      [P, S, "regressed"],
      [B, S, "regressed"],
      [R, S, "regressed"],
      [S, B, "regressed"],
      [S, K, "reclassified"],
      [S, R, "reclassified"],
      [B, U, "regressed"],
      [B, F, "regressed"],
      [R, U, "reclassified"],
      [R, M, "regressed"],
      [R, K, "reclassified"],
      [B, B2, "moved"],
      [K, B2, "moved"],
      [B, K, "reclassified"],
      [B, A, "reclassified"],
      [MK, M, "moved"],
      [M, MK, "reclassified"],
      [B, M, "regressed"],
      [M, RF, "regressed"],
      [M, B, "reclassified"],
    ];
    const got = cases.map(
      ([b, h]) => `${b.verdict}/${b.outcome} → ${h.verdict}/${h.outcome}: ${classify(b, h)?.class ?? null}`,
    );
    expect(got).toEqual(cases.map(([b, h, c]) => `${b.verdict}/${b.outcome} → ${h.verdict}/${h.outcome}: ${c}`));
  });

  test("a fault row is not judged, whatever its outcome: a pass that became a fault is a lost verdict", () => {
    expect(["ok", "unexpected", "expected"].map((o) => standing("fault", o))).toEqual([
      "not-judged",
      "not-judged",
      "not-judged",
    ]);
    expect(classify(st("pass", "ok"), st("fault", "unexpected"))?.class).toBe("regressed");
  });

  test("an unknown verdict never crashes: it stands by its outcome and is never read as a pass unless it says xpass", () => {
    expect(["ok", "xpass", "expected", "unexpected", "moved", "strange"].map((o) => standing("brand-new", o))).toEqual([
      "out-of-scope",
      "pass",
      "known-fail",
      "fail",
      "fail",
      "fail",
    ]);
    const d = compareReports(
      results([pass("a"), seamBug("b")]),
      results([
        pass("a", { verdict: "brand-new", outcome: "ok" }),
        pass("b", { verdict: "brand-new", outcome: "unexpected" }),
      ]),
    );
    expect(classes(d)).toEqual(["a/multi/component: regressed", "b/multi/component: regressed"]);
    expect(renderCompareMarkdown(d)).toContain("❔ brand-new");
  });
});
