import { describe, expect, test } from "bun:test";
import { parseJUnit, readJUnitFiles } from "./junit.ts";
import { judgeBunRun, parseBunSummary } from "./bun-test.ts";
import { BUN_XML } from "../../testing/sample-reports.ts";

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
    // --parallel interleaves the files' output: the error's own frame in the project names its file.
    const interleaved =
      "a.test.ts:\n(pass) x\n# Unhandled error between tests\n---\nerror: Unexpected ;\n    at /p/b.test.ts:2:19\n---\n";
    expect(parseBunSummary(interleaved, "/p").unhandledIn).toEqual(["b.test.ts"]);
    expect(parseBunSummary(interleaved).unhandledIn).toEqual(["a.test.ts"]);
    expect(parseBunSummary(interleaved.replace("/p/b", "/elsewhere/b"), "/p").unhandledIn).toEqual(["a.test.ts"]);
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
