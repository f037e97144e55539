/** wave: `--invoke 'name(arg, …)'` parsed, and each argument checked against the export's WIT type. */
import { describe, expect, test } from "bun:test";
import { checkCall, jsArgsJson, parseCall } from "./wave.ts";
import type { WitFunc, WitType } from "../core/wit-types.ts";

const prim = (name: string): WitType => ({ kind: "prim", name });
const fn = (...params: WitType[]): WitFunc => ({
  kind: "func",
  params: params.map((type, i) => ({ name: `p${i}`, type })),
});
const point: WitType = {
  kind: "record",
  fields: [
    { name: "x-pos", type: prim("s32") },
    { name: "y", type: prim("s32") },
  ],
};

describe("a call's arguments against the signature: wasmtime's text and jco's value", () => {
  const ok: [string, WitFunc, string[], unknown[]][] = [
    ["is-leap(2024)", fn(prim("s32")), ["2024"], [2024]],
    ["f(-1, 255)", fn(prim("s8"), prim("u8")), ["-1", "255"], [-1, 255]],
    ["f(18446744073709551615)", fn(prim("u64")), ["18446744073709551615"], [18446744073709551615n]],
    ["f(1.5, -inf, nan)", fn(prim("f64"), prim("f32"), prim("f64")), ["1.5", "-inf", "nan"], [1.5, -Infinity, NaN]],
    ["f(true, false)", fn(prim("bool"), prim("bool")), ["true", "false"], [true, false]],
    ["f('x', '\\n')", fn(prim("char"), prim("char")), ["'x'", "'\\n'"], ["x", "\n"]],
    ['f("a \\"b\\" \\u{e9}")', fn(prim("string")), ['"a \\"b\\" é"'], ['a "b" é']],
    ["f([1, 2, 3])", fn({ kind: "list", of: prim("u32") }), ["[1, 2, 3]"], [[1, 2, 3]]],
    ["f({x-pos: 1, y: -2})", fn(point), ["{x-pos: 1, y: -2}"], [{ xPos: 1, y: -2 }]],
    [
      "f(some(3), none)",
      fn({ kind: "option", of: prim("u8") }, { kind: "option", of: prim("u8") }),
      ["some(3)", "none"],
      [3, undefined],
    ],
    ["f(ok(1))", fn({ kind: "result", ok: prim("u8") }), ["ok(1)"], [{ tag: "ok", val: 1 }]],
    ["f(red)", fn({ kind: "enum", names: ["red", "green"] }), ["red"], ["red"]],
    ["f({a})", fn({ kind: "flags", names: ["a", "b"] }), ["{a}"], [{ a: true, b: false }]],
    ["f()", fn(), [], []],
  ];
  for (const [text, f, wave, js] of ok)
    test(text, () => {
      const checked = checkCall(parseCall(text), f);
      expect(checked.map((c) => c.wave)).toEqual(wave);
      expect(checked.map((c) => c.js)).toEqual(js);
    });

  const bad: [string, WitFunc, string][] = [
    ["is-leap()", fn(prim("s32")), "--invoke is-leap(): is-leap takes 1 argument(s), 0 given (is-leap: func(p0: s32))"],
    ["is-leap", fn(prim("s32")), "--invoke is-leap: is-leap takes 1 argument(s), 0 given (is-leap: func(p0: s32))"],
    ["f(1, 2)", fn(prim("s32")), "--invoke f(1, 2): f takes 1 argument(s), 2 given (f: func(p0: s32))"],
    ['f("x")', fn(prim("s32")), '--invoke f("x"): argument 1 (p0): expected s32, an integer (f: func(p0: s32))'],
    ["f(256)", fn(prim("u8")), "--invoke f(256): argument 1 (p0): 256 is out of range for u8 (f: func(p0: u8))"],
    ["f(-1)", fn(prim("u32")), "--invoke f(-1): argument 1 (p0): -1 is out of range for u32 (f: func(p0: u32))"],
    ["f(1.5)", fn(prim("s32")), "--invoke f(1.5): argument 1 (p0): expected s32, an integer (f: func(p0: s32))"],
    [
      "f({x-pos: 1})",
      fn(point),
      "--invoke f({x-pos: 1}): argument 1 (p0): field y missing for record { x-pos: s32, y: s32 } (f: func(p0: record { x-pos: s32, y: s32 }))",
    ],
    [
      "f(blue)",
      fn({ kind: "enum", names: ["red"] }),
      "--invoke f(blue): argument 1 (p0): expected one of red (f: func(p0: enum { red }))",
    ],
  ];
  for (const [text, f, line] of bad)
    test(`${text} is refused in one line`, () => expect(() => checkCall(parseCall(text), f)).toThrow(line));
});

describe("malformed argument lists are one line", () => {
  const cases: [string, string][] = [
    ["f(1,", "--invoke f(1,: malformed arguments: expected a value at character 5"],
    ["f(1", "--invoke f(1: malformed arguments: expected ) at character 4"],
    ['f("abc)', '--invoke f("abc): malformed arguments: unterminated string at character 9'],
    ["f(1) x", "--invoke f(1) x: malformed arguments: text after the closing ) at character 6"],
    ["f('ab')", "--invoke f('ab'): malformed arguments: a char holds one character at character 7"],
    ["(1)", '--invoke "(1)" names no export'],
  ];
  for (const [text, line] of cases) test(text, () => expect(() => parseCall(text)).toThrow(line));
  test("a bare name is a call without an argument list", () =>
    expect(parseCall("compute")).toEqual({ name: "compute", text: "compute" }));
});

test("jco's arguments travel as JSON, a 64-bit integer tagged so it comes back a bigint", () => {
  const checked = checkCall(parseCall("f(5, 9007199254740993)"), fn(prim("u32"), prim("s64")));
  expect(jsArgsJson(checked)).toBe('[5,{"$bigint":"9007199254740993"}]');
});
