/**
 * sample-reports — small literal ls-gate and tier-c results (and a big ls-gate one) for the tests of the
 * PR comment: lib/comment-body.test.ts and post-comment.test.ts. Tests only; no script imports it.
 */
import { LS_GATE_SCHEMA, type LsGateReport } from "./ls-report.ts";
import { TIERC_SCHEMA, type TierCReport } from "./tierc-report.ts";

export function lsGate(over: Partial<LsGateReport> = {}): LsGateReport {
  return {
    schema: LS_GATE_SCHEMA,
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
      { id: "LS-C-1", title: "token printed", prefix: "ls_c_1_", bucket: "passed", tests: [{ name: "a > ls_c_1_x", outcome: "passed" }] },
      { id: "LS-C-2", title: "duplicate comment", prefix: "ls_c_2_", bucket: "failed", tests: [{ name: "a > ls_c_2_x", outcome: "failed" }] },
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
    schema: TIERC_SCHEMA,
    generatedAt: "2026-01-01T00:00:00Z",
    tools: { meld: { version: "0.52.0", path: "/x/meld" }, kilnd: { version: "0.4.4", path: "/x/kilnd" }, reference: null },
    options: { memory: ["multi"], fixtures: ["hello_c_cli"], strict: false },
    rows: [{ fixture: "hello_c_cli", mode: "multi", verdict: "expected-fail", outcome: "expected", why: "kiln#375 cross-core imports", cells: [] }],
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
  return lsGate({ total: passed.length, passed_count: passed.length, failed_count: 0, failed: [], passed, ids, exit_code: 0 });
}
