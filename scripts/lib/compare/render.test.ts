import { describe, expect, test } from "bun:test";
import { compareJUnit } from "./render.ts";
import { compareReports } from "./compare.ts";
import { pass, seamBug, results } from "../../testing/compare-rows.ts";

describe("compare: renderings", () => {
  test("JUnit: a change that trips --fail-on is a <failure>, a gone row is skipped, the rest pass", () => {
    const d = compareReports(results([pass("a"), seamBug("b"), pass("gone")]), results([seamBug("a"), pass("b")]));
    const xml = compareJUnit(d);
    expect(xml).toContain('tests="4" failures="1" skipped="1"');
    expect(xml).toContain('<testcase classname="tier-c.compare" name="0 unchanged rows"');
    expect(xml).toMatch(
      /<testcase classname="tier-c\.compare\.a" name="a multi component" time="0\.000">\n\s+<failure message="regressed: no longer passes">/,
    );
    expect(compareJUnit(compareReports(results([pass("a")]), results([seamBug("a")]), { failOn: "none" }))).toContain(
      'failures="0"',
    );
  });
});
