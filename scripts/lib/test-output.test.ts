import { describe, expect, test } from "bun:test";
import { judgeBunRun, parseBunSummary, parseCargoTest, parseJUnit, readJUnitFiles } from "./test-output.ts";
import { BUN_XML } from "../testing/sample-reports.ts";

const CARGO_OK = {
  code: 0,
  signal: null,
  stderr: [
    "   Compiling ls-demo v0.1.0 (/x)",
    "    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.86s",
    "     Running unittests src/lib.rs (target/debug/deps/ls_demo-0410cde1b355d920)",
    "     Running tests/integration.rs (target/debug/deps/integration-d2e7ad2a59f0f7c7)",
    "   Doc-tests ls_demo",
  ].join("\n"),
  stdout: [
    "",
    "running 3 tests",
    "test tests::ls_a_1_x ... ok",
    "test tests::ls_a_2_y - should panic ... ok",
    "test tests::ls_a_4_z ... ignored, not written yet",
    "",
    "test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 1 filtered out; finished in 0.00s",
    "",
    "running 1 test",
    "test ls_a_1_integration ... ok",
    "",
    "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
    "",
    "running 1 test",
    "test src/lib.rs - ls_a_3_docs::parts (line 23) ... ok",
    "",
    "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.09s",
    "",
  ].join("\n"),
};

describe("cargo test output", () => {
  test("reads every test with its outcome and binary: lib, integration test, doctest", () => {
    const out = parseCargoTest(CARGO_OK);
    expect(out.error).toBeUndefined();
    expect(out.tests.map((t) => [t.name, t.outcome, t.binary])).toEqual([
      ["tests::ls_a_1_x", "passed", "src/lib.rs"],
      ["tests::ls_a_2_y", "passed", "src/lib.rs"],
      ["tests::ls_a_4_z", "ignored", "src/lib.rs"],
      ["ls_a_1_integration", "passed", "tests/integration.rs"],
      ["src/lib.rs - ls_a_3_docs::parts (line 23)", "passed", "doctests ls_demo"],
    ]);
  });

  test("output a test printed in the failures section is not read as a result", () => {
    const stdout = [
      "running 2 tests",
      "test tests::ls_a_1_x ... ok",
      "test tests::ls_a_5_y ... FAILED",
      "",
      "failures:",
      "",
      "---- tests::ls_a_5_y stdout ----",
      "test tests::ls_a_9_fake ... ok",
      "",
      "failures:",
      "    tests::ls_a_5_y",
      "",
      "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
    ].join("\n");
    const out = parseCargoTest({
      code: 101,
      signal: null,
      stdout,
      stderr: "     Running unittests src/lib.rs (x)\nerror: test failed, to rerun pass `--lib`",
    });
    expect(out.error).toBeUndefined();
    expect(out.tests.map((t) => `${t.name}:${t.outcome}`)).toEqual([
      "tests::ls_a_1_x:passed",
      "tests::ls_a_5_y:failed",
    ]);
  });

  test("ls_g_1_ a build error is a runner error with cargo's first error lines, never zero tests", () => {
    const stderr = [
      "   Compiling ls-demo v0.1.0 (/x)",
      "error[E0425]: cannot find value `y` in this scope",
      " --> src/lib.rs:3:5",
      "error: could not compile `ls-demo` (lib test) due to 1 previous error",
    ].join("\n");
    const out = parseCargoTest({ code: 101, signal: null, stdout: "", stderr });
    expect(out.error?.message).toBe("cargo test did not build or run: cannot find value `y` in this scope");
    expect(out.error?.detail[0]).toBe("error[E0425]: cannot find value `y` in this scope");
  });

  test("ls_g_1_ a test binary that dies before its summary fails the run, naming the binary and the signal", () => {
    const stdout =
      "running 3 tests\ntest tests::ls_a_1_x ... ok\n\nrunning 1 test\ntest ls_a_7_y ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
    const stderr = [
      "     Running unittests src/lib.rs (target/debug/deps/ls_demo-94f0)",
      "error: test failed, to rerun pass `--lib`",
      "",
      "Caused by:",
      "  process didn't exit successfully: `/x/ls_demo-94f0 ls_` (signal: 6, SIGABRT: process abort signal)",
      "     Running tests/integration.rs (target/debug/deps/integration-c5d4)",
    ].join("\n");
    const out = parseCargoTest({ code: 101, signal: null, stdout, stderr });
    expect(out.error?.message).toBe(
      "test binary src/lib.rs died before reporting its results (signal: 6, SIGABRT: process abort signal)",
    );
  });

  test("ls_g_6_ counts that disagree with libtest's own summary are a runner error", () => {
    const stdout =
      "running 2 tests\ntest a::ls_a_1_x ... ok\n\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
    const out = parseCargoTest({ code: 0, signal: null, stdout, stderr: "     Running unittests src/lib.rs (x)" });
    expect(out.error?.message).toContain("does not add up");
  });

  test("ls_g_1_ a non-zero exit that no failed test explains is a runner error", () => {
    const out = parseCargoTest({
      ...CARGO_OK,
      code: 101,
      stderr: CARGO_OK.stderr + "\nerror: test failed, to rerun pass `--test integration`",
    });
    expect(out.error?.message).toBe("cargo test exited with status 101 but no test failed");
  });

  test("ls_g_1_ result blocks that cannot be paired with binaries are a runner error", () => {
    const out = parseCargoTest({ ...CARGO_OK, stderr: "     Running unittests src/lib.rs (x)" });
    expect(out.error?.message).toContain("3 libtest reports");
  });
});

describe("JUnit and bun test output", () => {
  test("reads bun's JUnit: describe path in the name, file as binary, skipped and todo as ignored, seconds to ms", () => {
    const tests = parseJUnit(BUN_XML, "r.xml");
    expect(tests.map((t) => [t.name, t.outcome, t.binary, t.ms])).toEqual([
      ["ls_g_1_ok", "passed", "scripts/a.test.ts", 0.039],
      ["ls_g_2_fails", "failed", "scripts/a.test.ts", 500],
      ["ls_g_3_skip", "ignored", "scripts/a.test.ts", 0],
      ["ls_g_4_todo", "ignored", "scripts/a.test.ts", 0],
      ["outer <&> > inner > ls_g_5_nested", "passed", "scripts/a.test.ts", 0.012],
    ]);
  });

  test("reads nextest/pytest-style JUnit: <error> is a failure, the outer suite names the binary", () => {
    const xml = `<testsuites><testsuite name="ls-demo::integration" tests="2">
      <testcase classname="ls-demo::integration" name="ls_a_7_x" time="0.001"/>
      <testcase classname="ls-demo::integration" name="ls_a_1_y" time="0.002"><error message="panicked"/></testcase>
      <testcase classname="tests.test_ls_a_3_mod" name="test_it"><flakyFailure message="first try"/></testcase>
    </testsuite></testsuites>`;
    const tests = parseJUnit(xml, "n.xml");
    expect(tests.map((t) => [t.name, t.outcome, t.binary])).toEqual([
      ["ls_a_7_x", "passed", "ls-demo::integration"],
      ["ls_a_1_y", "failed", "ls-demo::integration"],
      ["test_it", "passed", "ls-demo::integration"],
    ]);
    expect(tests[2]!.match).toContain("test_ls_a_3_mod");
  });

  test("ls_g_1_ XML that is not well-formed or not JUnit is an error with its position", () => {
    expect(() => parseJUnit("<testsuites>\n  <testsuite name='x'>\n</testsuites>", "b.xml")).toThrow(
      /^b\.xml:3:1: not well-formed XML: unexpected closing tag <\/testsuites> \(open: <testsuite>\)/,
    );
    expect(() => parseJUnit("<testsuites><testcase name='x'/>", "c.xml")).toThrow(
      /c\.xml:1:\d+: not well-formed XML: unclosed <testsuites>/,
    );
    expect(() => parseJUnit("<html/>", "d.xml")).toThrow("d.xml: not a JUnit report (root element <html>)");
  });

  test("reads bun's summary lines, taking the last ones", () => {
    const stderr =
      "a.test.ts:\n 9 fail\n(pass) x\n\n 3 pass\n 1 skip\n 4 fail\n 2 errors\nRan 9 tests across 4 files. [9.00ms]\n";
    expect(parseBunSummary(stderr)).toEqual({ ran: 9, fail: 4, errors: 2, unhandled: false, unhandledIn: [] });
    const between = "scripts/a.test.ts:\n(pass) x\n\nscripts/b.test.ts:\n\n# Unhandled error between tests\n---\n";
    expect(parseBunSummary(between)).toMatchObject({ unhandled: true, unhandledIn: ["scripts/b.test.ts"] });
  });

  const okRun = { code: 1, signal: null, stderr: " 3 pass\n 1 fail\nRan 5 tests across 1 file. [9.00ms]\n" };

  test("a bun run whose report explains its exit status is read as is", () => {
    const out = judgeBunRun(okRun, BUN_XML, "r.xml");
    expect(out.error).toBeUndefined();
    expect(out.tests).toHaveLength(5);
  });

  test("ls_g_1_ a test that calls process.exit(0) leaves no report: the bun run fails closed", () => {
    const out = judgeBunRun(
      { code: 0, signal: null, stderr: "a.test.ts:\n(pass) ls_x_1_ok\n\nb.test.ts:\n" },
      undefined,
      "r.xml",
    );
    expect(out.error?.message).toContain("wrote no JUnit report");
  });

  test("ls_g_1_ a test file that fails to load (absent from bun's JUnit) fails the bun run", () => {
    const stderr =
      "b.test.ts:\n\n# Unhandled error between tests\n-------------------------------\nerror: Unexpected ;\n    at /x/b.test.ts:2:19\n\n 3 pass\n 1 fail\n 1 error\nRan 6 tests across 2 files.\n";
    const out = judgeBunRun({ code: 1, signal: null, stderr }, BUN_XML, "r.xml");
    expect(out.error?.message).toBe("bun test reported 1 unhandled error outside any test in b.test.ts (did not load)");
    expect(out.error?.detail.join("\n")).toContain("error: Unexpected ;");
  });

  test("ls_g_1_ an error escaping a finished or timed-out test fails the run: it may belong to a test read as passed", () => {
    const stderr =
      "scripts/a.test.ts:\n(fail) ls_g_2_fails\n  ^ this test timed out after 5000ms.\n# Unhandled error between tests\nerror: late\n\n 3 pass\n 1 fail\n 1 error\nRan 5 tests across 1 file.\n";
    const out = judgeBunRun({ code: 1, signal: null, stderr }, BUN_XML, "r.xml");
    expect(out.error?.message).toBe("bun test reported 1 unhandled error outside any test in scripts/a.test.ts");
    expect(out.error?.detail).toContain("  ^ this test timed out after 5000ms.");
  });

  test("ls_g_1_ a bun run without its summary, or failing without a failed test, fails closed", () => {
    expect(judgeBunRun({ code: 0, signal: null, stderr: "(pass) x\n" }, BUN_XML, "r.xml").error?.message).toContain(
      "without its summary line",
    );
    const passing = BUN_XML.replace(/<failure[^]*?<\/failure>/, "");
    expect(
      judgeBunRun({ ...okRun, stderr: " 4 pass\n 0 fail\nRan 5 tests across 1 file.\n" }, passing, "r.xml").error
        ?.message,
    ).toBe("bun test exited with status 1 but no test failed");
    expect(
      judgeBunRun({ ...okRun, stderr: " 3 pass\n 2 fail\nRan 5 tests across 1 file.\n" }, BUN_XML, "r.xml").error
        ?.message,
    ).toContain("counted 2 failures but its JUnit report holds 1");
  });

  test("ls_g_1_ JUnit reports that are missing, empty, or contradict the command's exit status fail closed", () => {
    expect(readJUnitFiles([{ path: "gone.xml" }]).error?.message).toContain("cannot read JUnit report gone.xml");
    expect(readJUnitFiles([{ path: "e.xml", text: "<testsuites/>" }]).error?.message).toBe("no test cases in e.xml");
    const passing = BUN_XML.replace(/<failure[^]*?<\/failure>/, "");
    expect(readJUnitFiles([{ path: "p.xml", text: passing }], 1).error?.message).toContain(
      "exited with status 1 but its JUnit report holds no failure",
    );
    expect(readJUnitFiles([{ path: "p.xml", text: passing }], 0).error).toBeUndefined();
  });
});
