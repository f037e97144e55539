/**
 * sample-reports — small literal reports for tests: ls-gate and tier-c results (and a big ls-gate one) for
 * the PR comment's tests, a bun JUnit report (bun 1.4.5's shape: nested describes, todo, a comment)
 * for the runner-output readers and ls-gate's --runner junit, and a generated base/head pair of tier-c
 * results for compare. Tests and scripts/bench.ts only; no other script imports it.
 */
import type { LsGateReport } from "../lib/lsgate/report.ts";
import { type Row, type TierCReport } from "../lib/tierc/report.ts";
import { SCHEMAS } from "../lib/engines/records.ts";

export function lsGate(over: Partial<LsGateReport> = {}): LsGateReport {
  return {
    schema: SCHEMAS.lsGate,
    total: 2,
    passed_count: 1,
    failed_count: 1,
    missing_count: 0,
    passed: ["LS-C-1"],
    failed: ["LS-C-2"],
    missing: [],
    ignored_count: 0,
    ignored: [],
    compat: false,
    runner: { kind: "bun", command: "bun test" },
    ids: [
      {
        id: "LS-C-1",
        title: "token printed",
        prefix: "ls_c_1_",
        bucket: "passed",
        tests: [{ name: "a > ls_c_1_x", outcome: "passed" }],
      },
      {
        id: "LS-C-2",
        title: "duplicate comment",
        prefix: "ls_c_2_",
        bucket: "failed",
        tests: [{ name: "a > ls_c_2_x", outcome: "failed" }],
      },
    ],
    orphans: [],
    non_approved_tests: [],
    collisions: [],
    exit_code: 1,
    ...over,
  };
}

export function tierC(): TierCReport {
  return {
    schema: SCHEMAS.tierC,
    generatedAt: "2026-01-01T00:00:00Z",
    tools: {
      meld: { version: "0.52.0", path: "/x/meld" },
      kilnd: { version: "0.4.4", path: "/x/kilnd" },
      reference: null,
    },
    options: { memory: ["multi"], fixtures: ["hello_c_cli"], strict: false },
    rows: [
      {
        fixture: "hello_c_cli",
        mode: "multi",
        form: "component",
        verdict: "expected-fail",
        outcome: "expected",
        why: "kiln#375 cross-core imports",
        cells: [],
      },
    ],
    counts: { "expected-fail": 1 },
    notices: [],
    exitCode: 0,
  };
}

/** An ls-gate report whose rendering is about `kb` kilobytes (long test names in the passed list). */
export function bigLsGate(kb: number): LsGateReport {
  const ids = Array.from({ length: Math.ceil((kb * 1024) / 150) }, (_, i) => ({
    id: `LS-Z-${i}`,
    title: `scenario ${i} ` + "x".repeat(60),
    prefix: `ls_z_${i}_`,
    bucket: "passed" as const,
    tests: [{ name: `suite > ls_z_${i}_` + "y".repeat(60), outcome: "passed" as const }],
  }));
  const passed = ids.map((i) => i.id);
  return lsGate({
    total: passed.length,
    passed_count: passed.length,
    failed_count: 0,
    failed: [],
    passed,
    ids,
    exit_code: 0,
  });
}

/** bun test --reporter=junit output: a pass, a failure, a skip, a todo and a nested describe. */
export const BUN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="5" failures="1" skipped="2" time="0.01">
  <testsuite name="scripts/a.test.ts" file="scripts/a.test.ts" tests="5">
    <testcase name="ls_g_1_ok" classname="" time="0.000039" file="scripts/a.test.ts" line="2" />
    <testcase name="ls_g_2_fails" classname="" time="0.5" file="scripts/a.test.ts" line="3">
      <failure type="AssertionError" message="expected 1&#10;got 2">AssertionError: x &lt;&amp;&gt;</failure>
    </testcase>
    <testcase name="ls_g_3_skip" classname="" time="0" file="scripts/a.test.ts"><skipped /></testcase>
    <testcase name="ls_g_4_todo" classname="" time="0." file="scripts/a.test.ts"><skipped message="TODO" /></testcase>
    <!-- a comment <testcase name="fake"/> -->
    <testsuite name="outer &lt;&amp;&gt;" file="scripts/a.test.ts">
      <testsuite name="inner">
        <testcase name="ls_g_5_nested" classname="inner &gt; outer &lt;&amp;&gt;" time="0.000012" file="scripts/a.test.ts" />
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>
`;

const E0BBB = "[Runtime][E0BBB] Export not found";
const E2199 = "[Runtime][E2199] out of bounds memory access";

type SyntheticVerdict = "pass" | "seam-bug" | "expected-fail" | "blocker-moved";

/** The five cells of a synthetic row, as tier-c writes them; kiln(fused) has status `kiln` and signature `sig`. */
function syntheticCells(kiln: string, sig?: string) {
  return (["reference(original)", "kiln(original)", "fuse", "reference(fused)", "kiln(fused)"] as const).map(
    (step) => ({
      step,
      status: step === "fuse" ? "fused" : step === "kiln(fused)" ? kiln : "passed",
      ok: step === "kiln(fused)" ? kiln === "passed" : true,
      detail: step === "kiln(fused)" && sig ? sig : "meets the expectation (stdout matches, exit 0)",
      ...(step === "kiln(fused)" && sig ? { signature: sig } : {}),
      ms: 120,
      cached: true,
    }),
  );
}

/** Row `i` of a synthetic report: fixture i/4, multi/shared by i, component/core by i/2. */
function syntheticRow(i: number, verdict: SyntheticVerdict, sig?: string): Row {
  const r = {
    fixture: `fixture_${String(Math.floor(i / 4)).padStart(4, "0")}`,
    mode: i % 2 ? "shared" : "multi",
    form: Math.floor(i / 2) % 2 ? "core" : "component",
    verdict,
    outcome:
      verdict === "pass"
        ? "ok"
        : verdict === "expected-fail"
          ? "expected"
          : verdict === "blocker-moved"
            ? "moved"
            : "unexpected",
    why: sig
      ? `baseline passes on kilnd, fused fails: ${sig}; fused passes on jco`
      : "fused runs on kilnd and meets the expectation (stdout matches)",
    cells: syntheticCells(sig ? "failed" : "passed", sig),
    ...(sig ? { actualSignature: sig } : {}),
    ...(verdict === "expected-fail" || verdict === "blocker-moved"
      ? { blocker: { ref: "kiln#375", title: "cross-core imports", expected: E0BBB } }
      : {}),
  };
  return r as Row;
}

/** A tier-c report around `rows`, run with a kilnd of the given sha256. */
function syntheticReport(rows: Row[], kilnSha: string): TierCReport {
  return {
    schema: SCHEMAS.tierC,
    generatedAt: "2026-01-01T00:00:00Z",
    tools: {
      meld: { version: "0.65.1", path: "/x/meld" },
      kilnd: { version: "0.4.4", path: "/x/kilnd", sha256: kilnSha } as TierCReport["tools"]["kilnd"],
      reference: { engine: "jco", version: "1.35.0" },
    },
    options: { memory: ["multi", "shared"], fixtures: [...new Set(rows.map((r) => r.fixture))], strict: false },
    rows,
    counts: {},
    notices: [],
    exitCode: 0,
  };
}

/**
 * A generated base/head pair of tier-c results with `rows` rows each (fixture × multi,shared ×
 * component,core, with five cells a row, as tier-c writes them). Base: every 10th row a seam-bug (E0BBB),
 * the next an expected-fail (kiln#375), the rest pass. Head changes 4 rows in each 100: one seam-bug
 * passes (fixed), one seam-bug and one expected-fail fail with E2199 (moved), one pass fails (regressed).
 */
export function syntheticPair(rows: number): {
  base: TierCReport;
  head: TierCReport;
  expected: { fixed: number; moved: number; regressed: number; unchanged: number };
} {
  const row = syntheticRow;
  const baseRow = (i: number) =>
    i % 10 === 0 ? row(i, "seam-bug", E0BBB) : i % 10 === 1 ? row(i, "expected-fail", E0BBB) : row(i, "pass");
  const headRow = (i: number) => {
    if (i % 100 === 0) return row(i, "pass");
    if (i % 100 === 10) return row(i, "seam-bug", E2199);
    if (i % 100 === 1) return row(i, "blocker-moved", E2199);
    if (i % 100 === 2) return row(i, "seam-bug", E0BBB);
    return baseRow(i);
  };
  const ids = Array.from({ length: rows }, (_, i) => i);
  const per = (k: number) => ids.filter((i) => i % 100 === k).length;
  return {
    base: syntheticReport(ids.map(baseRow), "a".repeat(64)),
    head: syntheticReport(ids.map(headRow), "b".repeat(64)),
    expected: {
      fixed: per(0),
      moved: per(10) + per(1),
      regressed: per(2),
      unchanged: rows - per(0) - per(10) - per(1) - per(2),
    },
  };
}
