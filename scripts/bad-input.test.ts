/**
 * The bad-input suite: every case of scripts/testing/bad-inputs.yaml run as a user would, in a sandbox copy
 * of seam, checked for its exit code, its stderr as blessed (one line and a hint, no stack trace, nothing
 * on stdout) and a tree that hashes the same before and after (nothing changed, nothing left behind). The
 * README's troubleshooting table is what the documented cases print. `bun scripts/troubleshooting.ts
 * --bless` records what the cases print now; `--check` is this suite's verdict without bun test.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  BAD_INPUTS,
  CASES_FILE,
  commandLine,
  countByClass,
  makeSandbox,
  README_END,
  README_START,
  renderTroubleshooting,
  runCase,
  type Observed,
  type Sandbox,
} from "./testing/bad-inputs.ts";
import { casesYaml, lineMatches, parseRun, runLine, stderrDiff, type BadInput } from "./testing/bad-inputs/case.ts";
import { ROOT } from "./lib/core/paths.ts";

let sandbox: Sandbox;
const seen = new Map<BadInput, Observed>();

beforeAll(async () => {
  sandbox = await makeSandbox();
});
afterAll(() => {
  if (sandbox) rmSync(sandbox.dir, { recursive: true, force: true });
});

describe("bad input: one line and a hint, the documented exit code, nothing changed or left behind", () => {
  BAD_INPUTS.forEach((row, i) => {
    test(`${row.class}: ${commandLine(row)}`, async () => {
      const r = await runCase(sandbox, row, `case-${i}`);
      seen.set(row, r.observed);
      expect({ problems: [...r.problems, ...r.differs], stderr: r.stderr }).toEqual({ problems: [], stderr: r.stderr });
    });
  });
});

describe("the suite itself", () => {
  test("covers at least the 117 cases of issue 12, in every class, across every script", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(117);
    const scripts = new Set(BAD_INPUTS.map((r) => r.cmd[0]));
    expect([...scripts].sort()).toEqual([
      "all.ts",
      "bench.ts",
      "fixtures.ts",
      "fuse.ts",
      "ls-gate.ts",
      "post-comment.ts",
      "run-kiln.ts",
      "tier-c.ts",
      "tools.ts",
    ]);
    for (const n of countByClass().values()) expect(n).toBeGreaterThanOrEqual(3);
  });

  test("the data file is in the form --bless writes, and every run line reads back as written", () => {
    expect(casesYaml(BAD_INPUTS)).toBe(readFileSync(CASES_FILE, "utf8"));
    for (const row of BAD_INPUTS) expect(runLine({ ...row, ...parseRun(runLine(row)) })).toBe(runLine(row));
  });

  test("a run line reads back into its script, arguments and variables, and a blessed line's [..] stands for any text within the line", () => {
    expect(parseRun("KILND=@meld bun scripts/tier-c.ts --out ''")).toEqual({
      cmd: ["tier-c.ts", "--out", ""],
      env: { KILND: "@meld" },
    });
    expect(() => parseRun("node scripts/x.ts")).toThrow();
    expect(lineMatches('printed "[..]" (exit 0)', 'printed "true (GNU coreutils) 9.4" (exit 0)')).toBe(true);
    expect(lineMatches('printed "[..]" (exit 0)', 'printed "x" (exit 1)')).toBe(false);
    expect(lineMatches("a.b (c)", "axb (c)")).toBe(false);
    expect(stderrDiff(["x: error: a", "x: hint: b"], ["x: error: a"])).toEqual([
      'stderr line 2 is missing: blessed "x: hint: b"',
    ]);
    expect(stderrDiff(["x: error: [..]"], ["x: error: a", "x: hint: b"])).toEqual([
      'stderr line 2 was not blessed: "x: hint: b"',
    ]);
  });

  test("the README's troubleshooting table is what the documented cases print (bun scripts/troubleshooting.ts --write)", () => {
    const docs = BAD_INPUTS.filter((r) => r.doc).map((row) => ({ row, seen: seen.get(row)! }));
    expect(docs.every((d) => d.seen)).toBe(true);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end + README_END.length)).toBe(renderTroubleshooting(docs));
  });
});
