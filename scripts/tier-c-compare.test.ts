/** tier-c: compare two runs, and --baseline. */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TierCReport } from "./lib/tierc/report.ts";
import { compareReports } from "./lib/compare/compare.ts";
import type { ReportDiff } from "./lib/compare/types.ts";
import type { Scenario } from "./testing/fake-kilnd.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import {
  LEDGER_YAML,
  work,
  kilnd,
  rules,
  opts,
  fusedOnly,
  verdicts,
  matrix,
  setUpMatrixKit,
} from "./testing/matrix-kit.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

beforeAll(setUpMatrixKit);

// ---------------------------------------------------------------- compare, on results from the fake kilnd

describe("compare two runs (real meld and wasmtime, kilnd through the fake)", () => {
  // compute_composed's original fails on kilnd in every run (kiln-unsupported: the unchanged row);
  // hello_c_cli's fused file fails with E0BBB, passes, or fails with E2199.
  const unsupportedCompute = { match: "compute_composed", scenario: "e0fa0" as Scenario };
  const runs: Record<"e0bbb" | "pass" | "e2199", string> = { e0bbb: "", pass: "", e2199: "" };
  const reports: Partial<Record<keyof typeof runs, TierCReport>> = {};
  const changed = (d: ReportDiff) => d.changes.map((c) => `${c.fixture} ${c.mode} ${c.form}: ${c.class}`);

  beforeAll(async () => {
    for (const k of ["e0bbb", "pass", "e2199"] as const) {
      const rs = rules(`cmp-${k}`, [unsupportedCompute, ...(k === "pass" ? [] : [{ match: "fused.", scenario: k }])]);
      reports[k] = await matrix(opts(`cmp-${k}`, { rules: rs }));
      runs[k] = join(work, `cmp-${k}`);
    }
  });

  test("E0BBB against a pass: exactly hello_c_cli, fixed one way and regressed the other; another signature is moved", () => {
    expect(Object.values(reports).map((r) => verdicts(r!))).toEqual([
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "seam-bug" },
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "pass" },
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "seam-bug" },
    ]);
    const fixed = compareReports(reports.e0bbb!, reports.pass!);
    expect([changed(fixed), fixed.unchanged, fixed.tripped]).toEqual([
      ["hello_c_cli multi component: fixed"],
      1,
      false,
    ]);
    expect(fixed.changes[0]!.base).toMatchObject({
      verdict: "seam-bug",
      signature: "[Runtime][E0BBB] Export not found",
    });
    const regressed = compareReports(reports.pass!, reports.e0bbb!);
    expect([changed(regressed), regressed.unchanged, regressed.tripped]).toEqual([
      ["hello_c_cli multi component: regressed"],
      1,
      true,
    ]);
    const moved = compareReports(reports.e0bbb!, reports.e2199!);
    expect([changed(moved), moved.unchanged]).toEqual([["hello_c_cli multi component: moved"], 1]);
    expect(moved.changes[0]!.head?.signature).toBe("[Runtime][E2199] out of bounds memory access");
    expect(moved.head.tools.kilnd?.sha256).toMatch(/^[0-9a-f]{64}$/); // kilnd has no --version: its sha256 names it
  });

  test("CLI: a regression exits 1, a fix alone exits 0, a move trips only --fail-on moved; --junit makes the regression a failure", async () => {
    const regressed = await runScript("tier-c.ts", [
      "compare",
      runs.pass,
      runs.e0bbb,
      "--junit",
      join(work, "cmp.junit.xml"),
    ]);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toContain(
      "**0 fixed, 1 regressed since base** · 1 unchanged · ❌ fails (--fail-on regressed)",
    );
    expect(regressed.stdout).toContain(
      "| ❌ regressed | hello_c_cli | multi | component | ✅ pass | ❌ seam-bug `[Runtime][E0BBB] Export not found` | no longer passes |",
    );
    expect(readFileSync(join(work, "cmp.junit.xml"), "utf8")).toContain(
      '<failure message="regressed: no longer passes">',
    );
    const fixed = await runScript("tier-c.ts", ["compare", join(runs.e0bbb, "results.json"), runs.pass, "--json"]);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      summary: "1 fixed, 0 regressed since base",
      counts: { fixed: 1, regressed: 0 },
      unchanged: 1,
    });
    expect((await runScript("tier-c.ts", ["compare", runs.e0bbb, runs.e2199])).code).toBe(0);
    const strict = await runScript("tier-c.ts", [
      "compare",
      runs.e0bbb,
      runs.e2199,
      "--fail-on",
      "moved",
      "--out",
      join(work, "cmp.md"),
    ]);
    expect([strict.code, strict.stdout]).toEqual([1, ""]);
    expect(readFileSync(join(work, "cmp.md"), "utf8")).toContain("| ❗ moved | hello_c_cli |");
  });

  test("CLI: bad input exits 2 with one line naming the file", async () => {
    const notResults = join(work, "cmp-not-results.json");
    const notJson = join(work, "cmp-not-json.json");
    writeFileSync(notResults, JSON.stringify({ schema: "seam.ls-gate/1" }));
    writeFileSync(notJson, "{ not json");
    const cases: [string[], string | RegExp][] = [
      [
        ["compare", runs.pass, join(work, "nowhere.json")],
        `tier-c: error: ${join(work, "nowhere.json")} not found: pass a tier-c results.json or its --out folder`,
      ],
      [
        ["compare", notResults, runs.pass],
        `tier-c: error: ${notResults}: not a tier-c results file (schema "seam.ls-gate/1"; compare reads seam.tier-c/1, seam.tier-c/2)`,
      ],
      [
        ["compare", notJson, runs.pass],
        new RegExp(`^tier-c: error: ${notJson}: not JSON \\(.*\\): pass a tier-c results\\.json$`),
      ],
      [
        ["compare", runs.pass, runs.pass, "--fail-on", "sometimes"],
        'tier-c: error: --fail-on: unknown value "sometimes" (known: regressed, moved, any, none)',
      ],
    ];
    for (const [args, line] of cases) {
      const p = await runScript("tier-c.ts", args);
      expect([p.code, p.stdout]).toEqual([2, ""]);
      // One error line, and at most a hint naming the fix.
      const lines = p.stderr.trimEnd().split("\n");
      expect(lines.slice(1).every((l) => l.startsWith("tier-c: hint: "))).toBe(true);
      expect(lines.length).toBeLessThanOrEqual(2);
      if (typeof line === "string") expect(lines[0]).toBe(line);
      else expect(lines[0]).toMatch(line);
    }
    const one = await runScript("tier-c.ts", ["compare", runs.pass]);
    expect([one.code, one.stderr.split("\n")[0]]).toEqual([
      2,
      "tier-c: error: compare needs BASE and HEAD, got 1 path(s)",
    ]);
  });

  test("tier-c --baseline: runs, compares, embeds the diff, writes compare.json and compare.md; the diff alone can fail the run", async () => {
    const ledger = join(work, "cmp-ledger.yaml");
    writeFileSync(ledger, LEDGER_YAML);
    const out = join(tempDir("seam-baseline"), "out");
    const env = { FAKE_KILND_RULES: fusedOnly("e0bbb"), FAKE_KILND_SCENARIO: "run" };
    const args = [
      "--out",
      out,
      "--fixture",
      "hello_c_cli",
      "--form",
      "component",
      "--kilnd",
      kilnd,
      "--reference",
      "wasmtime",
      "--ledger",
      ledger,
      "--baseline",
      runs.pass,
    ];
    const p = await runScript("tier-c.ts", args, { env });
    // The run alone passes (a known blocker: expected-fail); against a base where hello_c_cli passed it regressed.
    expect(p.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport;
    expect([report.rows[0]!.verdict, report.exitCode]).toEqual(["expected-fail", 0]);
    expect(report.diff!.summary).toBe("0 fixed, 1 regressed, 1 gone since base");
    expect(report.diff!.corpus.note).toBe(
      "the corpora differ: compared on the 1 common row; 1 row only in base (fixture compute_composed), listed as gone",
    );
    expect(JSON.parse(readFileSync(join(out, "compare.json"), "utf8"))).toEqual(report.diff!);
    expect(readFileSync(join(out, "compare.md"), "utf8")).toContain(
      "| ❌ regressed | hello_c_cli | multi | component | ✅ pass | 🟡 expected-fail (kiln#375) `[Runtime][E0BBB] Export not found` | no longer passes |",
    );
    expect(p.stdout).toContain("**0 fixed, 1 regressed, 1 gone since base**");
    expect((await runScript("tier-c.ts", [...args, "--fail-on", "none"], { env })).code).toBe(0);
  });

  test("tier-c --baseline on the --out folder itself reads the previous results first and moves them to baseline.json", async () => {
    const out = join(tempDir("seam-baseline"), "out");
    const args = [
      "--out",
      out,
      "--fixture",
      "hello_c_cli",
      "--form",
      "component",
      "--kilnd",
      kilnd,
      "--reference",
      "wasmtime",
    ];
    const env = { FAKE_KILND_SCENARIO: "run" };
    expect((await runScript("tier-c.ts", args, { env })).code).toBe(0);
    const previous = readFileSync(join(out, "results.json"), "utf8");
    const p = await runScript("tier-c.ts", [...args, "--baseline", out], { env });
    expect(p.code).toBe(0);
    expect(readFileSync(join(out, "baseline.json"), "utf8")).toBe(previous);
    const diff = (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport).diff!;
    expect([diff.summary, diff.base.file]).toEqual([
      "no change since base (1 row unchanged)",
      join(out, "baseline.json"),
    ]);
  });

  test("tier-c --baseline with a path that does not exist is exit 2 before anything runs; --fail-on needs --baseline", async () => {
    const out = join(tempDir("seam-baseline"), "out");
    const p = await runScript("tier-c.ts", ["--out", out, "--fixture", "hello_c_cli", "--baseline", join(out, "nope")]);
    expect([p.code, p.stderr.trimEnd()]).toEqual([
      2,
      `tier-c: error: ${join(out, "nope")} not found: pass a tier-c results.json or its --out folder`,
    ]);
    expect(existsSync(out)).toBe(false);
    const q = await runScript("tier-c.ts", ["--fail-on", "any"]);
    expect([q.code, q.stderr.split("\n")[0]]).toEqual([2, "tier-c: error: --fail-on applies to --baseline"]);
  });
});
