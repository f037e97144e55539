/**
 * The runners end to end: seam's own nested `bun test` runs and real cargo on fixtures/ls-demo, driven
 * through ls-gate's CLI (and runLsGate, as all.ts calls it), since what the runners promise is what the
 * gate prints and exits with; plus the one cargo command line. upstreamPerId (lib/lsgate/bench.ts) is meld's
 * one-run-per-ID gate, the reference --compat must agree with.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cargoArgv } from "./runners.ts";
import type { LsGateReport } from "./report.ts";
import { runLsGate } from "./gate.ts";
import { upstreamPerId } from "./bench.ts";
import { runScript, tempDir } from "../../testing/testkit.ts";
import { DEMO, entries, lastLine } from "../../testing/ls-scenarios.ts";

// The real-cargo and nested `bun test` runs below take longer than bun's 5 s default on 2 cores.
setDefaultTimeout(300_000);

describe("cargo test output", () => {
  test("one cargo run: -p, runner args before libtest's `--`, libtest args after, one `ls_` filter last", () => {
    expect(
      cargoArgv({ package: "meld-core", passthrough: ["--features", "x", "--", "--test-threads=1"] }).slice(1),
    ).toEqual([
      "test",
      "-p",
      "meld-core",
      "--no-fail-fast",
      "--features",
      "x",
      "--",
      "--color=never",
      "--test-threads=1",
      "ls_",
    ]);
    expect(() => cargoArgv({ passthrough: ["-q"] })).toThrow("cargo's --quiet hides the per-test lines the gate reads");
  });
});

describe("--runner bun (nested bun test runs)", () => {
  function project(files: Record<string, string>): string {
    const dir = tempDir("ls-gate-bun");
    mkdirSync(join(dir, "safety", "stpa"), { recursive: true });
    writeFileSync(
      join(dir, "safety", "stpa", "loss-scenarios.yaml"),
      entries(["LS-X-1", "approved"], ["LS-X-2", "approved"]),
    );
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  /** The gate run as a user would, with bun as the runner, on the project in `dir` (results in dir/r.json). */
  const bunGate = (dir: string, ...more: string[]) =>
    runScript("ls-gate.ts", ["--runner", "bun", "--project", dir, "--results-json", join(dir, "r.json"), ...more]);
  const ok = `import { test, expect } from "bun:test";\ntest("ls_x_1_ passes", () => expect(1).toBe(1));\ntest("ls_x_2_ passes", () => expect(2).toBe(2));\n`;

  test("a healthy suite: exit 0, every ID verified, bun's report kept with --junit", async () => {
    const dir = project({ "a.test.ts": ok });
    const p = await bunGate(dir, "--junit", join(dir, "keep.xml"));
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("[ OK ] LS-X-2 (1 pass)");
    expect(lastLine(p.stdout)).toBe("2 passed, 0 failed, 0 skipped");
    expect(readFileSync(join(dir, "keep.xml"), "utf8")).toContain('name="ls_x_1_ passes"');
    expect(p.stderr).toContain("(pass) ls_x_1_ passes"); // bun's own output is echoed as progress
  });

  test("as a function (all.ts): writes results, markdown and step summary; runner output arrives as whole lines", async () => {
    const dir = project({ "a.test.ts": ok });
    const lines: string[] = [];
    const { report, markdown } = await runLsGate({
      project: dir,
      runner: "bun",
      resultsJson: join(dir, "out", "results.json"),
      stepSummary: join(dir, "summary.md"),
      onProgress: (l) => lines.push(l),
    });
    expect(report.exit_code).toBe(0);
    expect(lines.filter((l) => l.startsWith("(pass) ls_x_") || l.startsWith("Ran 2 tests"))).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    expect(readFileSync(join(dir, "out", "ls-gate.md"), "utf8")).toBe(markdown);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toBe(markdown + "\n");
  });

  test("ls_g_1_ a test file that does not compile fails the gate although bun's JUnit omits it", async () => {
    const dir = project({
      "a.test.ts": ok,
      "b.test.ts": `import { test } from "bun:test";\nconst x: number = ;\ntest("ls_x_1_ never", () => {});\n`,
    });
    const p = await bunGate(dir, "--quiet");
    expect(p.code).toBe(1);
    expect(p.stdout).toContain(
      "runner error: bun test reported 1 unhandled error outside any test in b.test.ts (did not load)",
    );
    expect(p.stdout).toContain("error: Unexpected ;");
    expect(lastLine(p.stdout)).toBe("2 passed, 1 failed, 0 skipped");
  });

  test("ls_g_1_ a test that calls process.exit(0) cannot end the run green", async () => {
    const dir = project({
      "a.test.ts": ok,
      "z.test.ts": `import { test } from "bun:test";\ntest("ls_x_2_ exits", () => { process.exit(0); });\n`,
    });
    const p = await bunGate(dir, "--quiet");
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("wrote no JUnit report");
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).passed_count).toBe(0);
  });

  test("ls_g_1_ with -- --parallel (npm test's way) a file that exits or does not load still verifies no ID", async () => {
    const gate = async (files: Record<string, string>) => {
      const dir = project(files);
      const p = await bunGate(dir, "--quiet", "--", "--parallel=2");
      const r = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as LsGateReport;
      return { code: p.code, stdout: p.stdout, passed: r.passed, command: r.runner.command };
    };
    const exits = `import { test } from "bun:test";\ntest("ls_x_2_ exits", () => { process.exit(0); });\n`;
    const broken = `import { test } from "bun:test";\nconst x: number = ;\ntest("ls_x_1_ never", () => {});\n`;
    const [healthy, exited, unloaded] = await Promise.all([
      gate({ "a.test.ts": ok, "b.test.ts": ok }),
      gate({ "a.test.ts": ok, "z.test.ts": exits }),
      gate({ "a.test.ts": ok, "b.test.ts": broken }),
    ]);
    expect([healthy.code, healthy.passed, healthy.command]).toEqual([
      0,
      ["LS-X-1", "LS-X-2"],
      "bun test --reporter=junit --reporter-outfile=$TMP/bun-junit.xml --timeout=0 --parallel=2",
    ]);
    expect([exited.code, exited.passed]).toEqual([1, []]);
    expect(exited.stdout).toContain(
      "runner error: bun test's worker crashed in z.test.ts before reporting its results",
    );
    expect([unloaded.code, unloaded.passed]).toEqual([1, []]);
    expect(unloaded.stdout).toContain("in b.test.ts (did not load)");
  });

  test("ls_g_1_ a hung suite is killed at --timeout and fails the gate", async () => {
    const dir = project({
      "h.test.ts": `import { test } from "bun:test";\ntest("ls_x_1_ spins", () => { for (;;) {} });\n`,
    });
    const p = await bunGate(dir, "--quiet", "--timeout", "1");
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("runner error: bun test did not finish within 1 s and was killed");
  });
});

describe("real cargo on fixtures/ls-demo", () => {
  const STRICT = {
    passed: ["LS-A-1", "LS-A-11", "LS-A-2", "LS-A-3", "LS-A-5", "LS-A-6", "LS-A-7", "LS-A-8"],
    failed: [] as string[],
    missing: ["LS-A-12", "LS-B-1"],
    ignored: ["LS-A-4", "LS-A-10"],
  };
  let strict: { code: number | null; report: LsGateReport; stderr: string };

  async function gateOnDemo(
    args: string[],
  ): Promise<{ code: number | null; report: LsGateReport; stdout: string; stderr: string }> {
    const dir = tempDir("ls-gate-cargo");
    const p = await runScript("ls-gate.ts", [
      "--project",
      DEMO,
      "--results-json",
      join(dir, "r.json"),
      "--json",
      "--quiet",
      ...args,
    ]);
    return { code: p.code, report: JSON.parse(p.stdout) as LsGateReport, stdout: p.stdout, stderr: p.stderr };
  }

  beforeAll(async () => {
    strict = await gateOnDemo([]);
  });

  test("strict buckets: lib, nested module, integration binary and doctest all read; ignored-only not verified", () => {
    const r = strict.report;
    expect({ passed: r.passed, failed: r.failed, missing: r.missing, ignored: r.ignored }).toEqual(STRICT);
    expect(strict.code).toBe(2);
    const tests = (id: string) => r.ids.find((i) => i.id === id)!.tests.map((t) => `${t.binary}: ${t.name}`);
    expect(tests("LS-A-1")).toEqual([
      "src/lib.rs: tests::ls_a_1_prefix_has_trailing_underscore",
      "tests/integration.rs: ls_a_1_integration_sees_public_api",
    ]);
    expect(tests("LS-A-2")).toEqual(["src/lib.rs: tests::outer::inner::ls_a_2_nested_module_path"]);
    expect(tests("LS-A-3")).toEqual(["doctests ls_demo: src/lib.rs - ls_a_3_docs::parts (line 23)"]);
    expect(tests("LS-A-6")).toEqual(["src/lib.rs: tests::ls_a_6_by_module::named_by_its_module"]);
    expect(r.orphans).toEqual(["tests::ls_a_1l_typo_matches_no_id"]);
    expect(r.non_approved_tests.map((n) => n.id)).toEqual(["LS-A-9", "LS-B-1-2"]);
    expect(r.collisions).toEqual([{ id: "LS-B-1", shadowedBy: "LS-B-1-2" }]);
    expect(r.runner.command).toBe("cargo test --no-fail-fast -- --color=never ls_");
    expect(lastLine(strict.stderr)).toBe("12 passed, 0 failed, 3 skipped");
  });

  test("run inside the crate (from its src/ folder) with no --project, it gates that crate as cargo would", async () => {
    const dir = tempDir("ls-gate-cargo");
    const p = await runScript("ls-gate.ts", ["--results-json", join(dir, "r.json"), "--json"], {
      cwd: join(DEMO, "src"),
    });
    expect(p.stderr).toContain(`ls-gate: running cargo test in ${DEMO}`);
    const r = JSON.parse(p.stdout) as LsGateReport;
    expect({ passed: r.passed, failed: r.failed, missing: r.missing, ignored: r.ignored }).toEqual(STRICT);
    expect(p.code).toBe(strict.code);
  });

  test("--compat gives exactly the buckets of upstream's one-cargo-run-per-ID gate", async () => {
    const compat = await gateOnDemo(["--compat"]);
    const ids = compat.report.ids.map((i) => i.id);
    const upstream = await upstreamPerId(ids, { project: DEMO });
    expect(upstream.runs).toBe(12);
    expect({ passed: compat.report.passed, failed: compat.report.failed, missing: compat.report.missing }).toEqual({
      passed: upstream.passed,
      failed: upstream.failed,
      missing: upstream.missing,
    });
    expect(compat.report.missing).toEqual(["LS-A-12"]);
    expect(compat.code).toBe(2);
  });

  test("an opt-in failing test fails its ID with the test and binary named, exit 1", async () => {
    const r = await gateOnDemo(["--", "--features", "failing"]);
    expect(r.code).toBe(1);
    expect(r.report.failed).toEqual(["LS-A-5"]);
    expect(r.report.ids.find((i) => i.id === "LS-A-5")!.tests).toEqual([
      { name: "tests::ls_a_5_opt_in_failure", binary: "src/lib.rs", outcome: "failed" },
    ]);
    expect(r.report.runner_error).toBeUndefined();
  });

  test("ls_g_1_ a crate that does not compile fails the gate (upstream: all missing, advisory)", async () => {
    const r = await gateOnDemo(["--", "--features", "broken"]);
    expect(r.code).toBe(1);
    expect(r.report.runner_error?.message).toBe(
      "cargo test did not build or run: feature `broken`: ls-demo deliberately fails to compile",
    );
    expect(r.report.failed_count).toBe(r.report.total);
    expect(r.report.missing_count + r.report.passed_count).toBe(0);
  });

  test("ls_g_1_ a test binary that aborts fails the gate where upstream reads its ID as missing", async () => {
    const r = await gateOnDemo(["--", "--features", "crash"]);
    expect(r.code).toBe(1);
    expect(r.report.runner_error?.message).toBe(
      "test binary src/lib.rs died before reporting its results (signal: 6, SIGABRT: process abort signal)",
    );
    expect(r.report.passed_count).toBe(0);
    const upstream = await upstreamPerId(["LS-A-8"], { project: DEMO, cargoArgs: ["--features", "crash"] });
    expect(upstream.missing).toEqual(["LS-A-8"]);
  });
});
