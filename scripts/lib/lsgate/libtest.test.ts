import { describe, expect, test } from "bun:test";
import { parseCargoTest } from "./libtest.ts";

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
