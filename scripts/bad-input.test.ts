/**
 * The bad-input suite: every row of scripts/testing/bad-inputs/*.ts run as a user would, in a sandbox copy of
 * seam, checked for its exit code, its first stderr line (one line and a hint, no stack trace, nothing on
 * stdout) and a tree that hashes the same before and after (nothing changed, nothing left behind). The
 * README's troubleshooting table is what the documented rows print (scripts/troubleshooting.ts --write).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  BAD_INPUTS,
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
import type { BadInput } from "./testing/bad-inputs/case.ts";
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
      expect({ problems: r.problems, stderr: r.stderr }).toEqual({ problems: [], stderr: r.stderr });
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
