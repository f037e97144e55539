import { describe, expect, test } from "bun:test";
import { buildLsReport, idsForTest, isLsGateReport, type LsGateReport } from "./report.ts";
import { countLine, renderLsGateMarkdown } from "./render.ts";
import { findCollisions, type ScenarioSet } from "./scenarios.ts";
import type { ReadTest, RunnerOutput } from "./libtest.ts";
import { entries, scenarios } from "../../testing/ls-scenarios.ts";

function read(name: string, outcome: ReadTest["outcome"] = "passed", binary = "src/lib.rs"): ReadTest {
  return { name, outcome, binary, match: name };
}

function gate(set: ScenarioSet, tests: ReadTest[], compat = false, error?: RunnerOutput["error"]): LsGateReport {
  return buildLsReport(
    { scenarios: set, runner: "cargo", compat, command: "cargo test" },
    { tests, ...(error ? { error } : {}) },
  );
}

describe("buckets", () => {
  const set = scenarios(
    entries(
      ["LS-A-1", "approved"],
      ["LS-A-11", "approved"],
      ["LS-A-4", "approved"],
      ["LS-A-6", "approved"],
      ["LS-A-9", "draft"],
    ),
  );

  test("ls_g_3_ ls_a_1_ and ls_a_11_ never count each other's tests, in either mode", () => {
    for (const compat of [false, true]) {
      const r = gate(set, [read("tests::ls_a_11_only"), read("ls_a_4_x"), read("ls_a_6_x")], compat);
      expect(r.ids.find((i) => i.id === "LS-A-1")!.bucket).toBe("missing");
      expect(r.ids.find((i) => i.id === "LS-A-11")!.tests.map((t) => t.name)).toEqual(["tests::ls_a_11_only"]);
    }
  });

  test("ls_g_3_ strict matching needs a name boundary; upstream's substring match does not", () => {
    const all = set.approved;
    expect(idsForTest("tools_a_1_x", all, false)).toEqual([]);
    expect(idsForTest("tools_a_1_x", all, true).map((s) => s.id)).toEqual(["LS-A-1"]);
    expect(idsForTest("test_ls_a_1_x", all, false).map((s) => s.id)).toEqual(["LS-A-1"]);
    expect(idsForTest("ls_a_1_and_ls_a_11_both", all, false).map((s) => s.id)).toEqual(["LS-A-1", "LS-A-11"]);
  });

  test("ls_g_3_ a refining ID's tests count only for it (strict) and the collision is reported", () => {
    const h = scenarios(entries(["LS-B-1", "approved"], ["LS-B-1-2", "approved"]));
    expect(findCollisions(h)).toEqual([{ id: "LS-B-1", shadowedBy: "LS-B-1-2" }]);
    const strict = gate(h, [read("ls_b_1_2_x")]);
    expect(strict.missing).toEqual(["LS-B-1"]);
    expect(strict.passed).toEqual(["LS-B-1-2"]);
    expect(gate(h, [read("ls_b_1_2_x")], true).passed).toEqual(["LS-B-1", "LS-B-1-2"]);
  });

  test("ls_g_2_ an ID whose tests are all ignored is not verified (exit 2); --compat reads it as upstream does", () => {
    const tests = [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x", "ignored"),
      read("ls_a_4_y", "ignored"),
      read("ls_a_6_x"),
    ];
    const strict = gate(set, tests);
    expect(strict.ignored).toEqual(["LS-A-4"]);
    expect(strict.passed).not.toContain("LS-A-4");
    expect(strict.exit_code).toBe(2);
    const compat = gate(set, tests, true);
    expect(compat.passed).toContain("LS-A-4");
    expect(compat.ignored_count).toBe(0);
    expect(compat.exit_code).toBe(0);
  });

  test("ls_g_5_ a typo'd LS test is an orphan that keeps the gate from reading green", () => {
    const typos = [
      "tests::ls_a_1l_typo",
      "ls_a1_missing_underscore",
      "LS-A-1 named by the ID itself",
      "outer > LS_A_4_upper_case",
    ];
    const tests = [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
      ...typos.map((t) => read(t)),
      read("calls_are_fine"),
      read("tools_2"),
    ];
    const r = gate(set, tests);
    expect(r.orphans).toEqual(typos);
    expect(r.passed_count).toBe(4);
    expect(r.exit_code).toBe(2);
    expect(renderLsGateMarkdown(r)).toContain("`tests::ls_a_1l_typo`");
  });

  test("tests for a draft ID are listed, not counted", () => {
    const r = gate(set, [read("ls_a_9_draft"), read("ls_a_1_x")]);
    expect(r.non_approved_tests).toEqual([{ id: "LS-A-9", tests: ["ls_a_9_draft"] }]);
    expect(r.orphans).toEqual([]);
  });

  test("one failed test fails its ID and the gate; a failing test outside any ID fails the gate too", () => {
    const r = gate(set, [
      read("ls_a_1_x"),
      read("ls_a_1_y", "failed"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
    ]);
    expect(r.failed).toEqual(["LS-A-1"]);
    expect(r.exit_code).toBe(1);
    const other = gate(set, [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
      read("plain", "failed"),
    ]);
    expect(other.failed_count).toBe(0);
    expect(other.exit_code).toBe(1);
    expect(countLine(other)).toBe("4 passed, 1 failed, 0 skipped");
  });

  test("every approved ID verified and nothing else found: exit 0 and a ✅ comment", () => {
    const r = gate(set, [read("ls_a_1_x"), read("ls_a_11_x"), read("ls_a_4_x"), read("ls_a_6_x")]);
    expect([r.exit_code, r.passed_count, r.total]).toEqual([0, 4, 4]);
    expect(renderLsGateMarkdown(r).split("\n")[2]).toBe("✅ **4/4** approved LS entries verified");
  });

  test("ls_g_1_ a runner error leaves no ID verified, exits 1 and counts as a failure in the count line", () => {
    const r = gate(set, [read("ls_a_1_x"), read("ls_a_11_x")], true, {
      message: "cargo test did not build or run: boom",
      detail: ["error: boom"],
    });
    expect(r.failed).toEqual(["LS-A-1", "LS-A-11", "LS-A-4", "LS-A-6"]);
    expect(r.passed_count + r.missing_count).toBe(0);
    expect(r.ids[0]!.reason).toContain("did not complete");
    expect(r.exit_code).toBe(1);
    expect(countLine(r)).toBe("2 passed, 1 failed, 0 skipped");
    const md = renderLsGateMarkdown(r);
    expect(md).toContain("❌ test runner failed: cargo test did not build or run: boom");
    expect(md).toContain("```\nerror: boom\n```");
  });
});

describe("results schema and comment body", () => {
  const set = scenarios(entries(["LS-A-1", "approved"], ["LS-A-2", "approved"], ["LS-A-3", "approved"]));
  const r = gate(set, [read("ls_a_1_x"), read("ls_a_2_x", "ignored")]);

  test("the results JSON keeps upstream's keys and passes the schema check after a JSON round trip", () => {
    const back = JSON.parse(JSON.stringify(r));
    expect(isLsGateReport(back)).toBe(true);
    for (const key of ["total", "passed_count", "failed_count", "missing_count", "passed", "failed", "missing"])
      expect(back).toHaveProperty(key);
    expect(isLsGateReport({ ...back, passed_count: 5 })).toBe(false);
    expect(isLsGateReport({ ...back, schema: "seam.ls-gate/0" })).toBe(false);
    expect(isLsGateReport({ ...back, ids: [{ id: "LS-A-1" }] })).toBe(false);
    expect(isLsGateReport({ ...back, tests_read: { passed: -1, failed: 0, ignored: 0 } })).toBe(false);
    expect(isLsGateReport({ ...back, runner: { kind: "maven", command: "mvn" } })).toBe(false);
  });

  test("the comment body: heading, ⚠️ status naming the gaps, a count table with Ignored, no marker line", () => {
    const md = renderLsGateMarkdown(r, { runUrl: "https://ci.example/run/1" });
    const lines = md.split("\n");
    expect(lines[0]).toBe("## LS verification gate");
    expect(lines[2]).toBe(
      "⚠️ **1/3** approved LS entries verified — **1** missing regression tests, **1** with only ignored tests",
    );
    expect(md).toContain("| Ignored | 1 |");
    expect(md).toContain("<summary>Only ignored tests (1)</summary>");
    expect(md).toContain("[workflow run](https://ci.example/run/1)");
    expect(md).not.toContain("<!--");
  });

  test("titles cannot inject markup into the comment", () => {
    const evil = scenarios(
      "loss-scenarios:\n  - {id: LS-A-1, status: approved, title: '<img src=x> | **bold** _x_'}\n",
    );
    const md = renderLsGateMarkdown(gate(evil, []));
    expect(md).toContain("&lt;img src=x&gt; \\| \\*\\*bold\\*\\* \\_x\\_");
    expect(md).not.toContain("<img");
  });
});
