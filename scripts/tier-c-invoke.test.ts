/** tier-c --invoke 'name(arg, …)': calls checked before any run, each call reported, kilnd's refusal of arguments out of scope. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TierCReport } from "./lib/tierc/report.ts";
import { runScript, tempDir, watToWasm } from "./testing/testkit.ts";
import { ROOT } from "./lib/core/paths.ts";
import { kilnd, setUpMatrixKit } from "./testing/matrix-kit.ts";

setDefaultTimeout(120_000);

/** A component whose export takes an argument (seam's stand-in for upstream meld's leap-year gate):
 * test:leap/rule@0.1.0#is-leap(year: s32) -> s32, 1 for a leap year. */
const LEAP_WAT = `(component
  (core module $m
    (func (export "is-leap") (param $y i32) (result i32)
      (i32.or
        (i32.and
          (i32.eqz (i32.rem_s (local.get $y) (i32.const 4)))
          (i32.ne (i32.rem_s (local.get $y) (i32.const 100)) (i32.const 0)))
        (i32.eqz (i32.rem_s (local.get $y) (i32.const 400))))))
  (core instance $i (instantiate $m))
  (func $is-leap (param "year" s32) (result s32) (canon lift (core func $i "is-leap")))
  (instance $rule (export "is-leap" (func $is-leap)))
  (export "test:leap/rule@0.1.0" (instance $rule)))
`;

let dir: string;
let leap: string;
beforeAll(async () => {
  await setUpMatrixKit();
  dir = tempDir("seam-invoke");
  leap = await watToWasm(dir, "leap_args", LEAP_WAT);
});
afterAll(() => rmSync(join(ROOT, "out", "adhoc", "leap_args"), { recursive: true, force: true }));

const results = (out: string) => JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport;

describe("--invoke with arguments", () => {
  test("--list-exports names every export with its WIT signature, and runs nothing", async () => {
    const p = await runScript("tier-c.ts", ["--list-exports", leap]);
    expect([p.code, p.stdout]).toEqual([0, `${leap}\n  test:leap/rule@0.1.0#is-leap: func(year: s32) -> s32\n`]);
    const j = await runScript("tier-c.ts", ["--list-exports", leap, "--json"]);
    expect(JSON.parse(j.stdout)).toEqual([
      {
        file: leap,
        command: false,
        exports: [{ name: "test:leap/rule@0.1.0#is-leap", signature: "func(year: s32) -> s32" }],
      },
    ]);
  });

  test("an unknown name, a wrong arity or type, a malformed list: one line, exit 2, nothing written", async () => {
    const cases: [string, string][] = [
      [
        "nope",
        "tier-c: error: --invoke nope: no component here exports nope (exported functions: test:leap/rule@0.1.0#is-leap)",
      ],
      [
        "is-leap(1, 2)",
        "tier-c: error: --invoke is-leap(1, 2): is-leap takes 1 argument(s), 2 given (is-leap: func(year: s32) -> s32)",
      ],
      [
        'is-leap("x")',
        'tier-c: error: --invoke is-leap("x"): argument 1 (year): expected s32, an integer (is-leap: func(year: s32) -> s32)',
      ],
      ["is-leap(1,", "tier-c: error: --invoke is-leap(1,: malformed arguments: expected a value at character 11"],
    ];
    for (const [call, line] of cases) {
      const out = join(dir, "out-bad");
      const p = await runScript("tier-c.ts", [leap, "--invoke", call, "--out", out]);
      expect([p.code, p.stdout, p.stderr.split("\n")[0]]).toEqual([2, "", line]);
      expect(existsSync(out)).toBe(false);
    }
  });

  test("two calls: each recorded from the reference and reported; kilnd's refusal of arguments is out of scope; exit 0", async () => {
    const out = join(dir, "out");
    const args = [leap, "--invoke", "is-leap(2024)", "--invoke", "is-leap(1900)", "--kilnd", kilnd, "--out", out];
    const p = await runScript("tier-c.ts", args, { env: { FAKE_KILND_SCENARIO: "run" } });
    expect(p.code).toBe(0);
    const r = results(out);
    const core = r.rows.find((x) => x.form === "core")!;
    expect(core.verdict).toBe("kiln-unsupported");
    expect(core.why).toContain("kilnd cannot yet pass wasm function parameters");
    for (const row of r.rows) {
      expect(row.calls?.map((c) => [c.call, c.expected, c.actual["reference(original)"]])).toEqual([
        ["is-leap(2024)", "1", "1"],
        ["is-leap(1900)", "0", "0"],
      ]);
    }
    expect(core.calls![0]!.actual["kiln(fused)"]).toMatch(
      /^out of scope: Error: function '.*is-leap' expects 1 argument\(s\) but none were supplied; kilnd cannot yet pass wasm function parameters$/,
    );
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    expect(summary).toContain("| leap_args | multi | core | is-leap(1900) | 0 | 0 |");
  });

  test("an ad hoc run writes out/adhoc/<name>/ and leaves out/tier-c/results.json byte-identical", async () => {
    const corpus = join(ROOT, "out", "tier-c", "results.json");
    const before = existsSync(corpus) ? readFileSync(corpus) : undefined;
    const p = await runScript("tier-c.ts", [leap, "--invoke", "is-leap(2000)", "--form", "core", "--kilnd", kilnd], {
      env: { FAKE_KILND_SCENARIO: "run" },
    });
    expect(p.code).toBe(0);
    expect(existsSync(join(ROOT, "out", "adhoc", "leap_args", "results.json"))).toBe(true);
    expect(existsSync(corpus) ? readFileSync(corpus) : undefined).toEqual(before);
  });
});
