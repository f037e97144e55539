import { describe, expect, test } from "bun:test";
import {
  enumList,
  enumValue,
  formatError,
  joinNegativeValues,
  keyValues,
  nearest,
  parseCli,
  positiveInt,
  positiveSeconds,
  wholeNumber,
} from "./cli.ts";
import { SeamError } from "./errors.ts";

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as SeamError).message;
  }
  return "no error";
};

describe("flag values (pure)", () => {
  test("a negative number after a flag reaches the flag's own check instead of 'argument is ambiguous'", () => {
    const options = {
      j: { type: "string", short: "j" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    } as const;
    expect(joinNegativeValues(["-j", "-1", "--timeout", "-0.5", "--json"], options)).toEqual([
      "--j=-1",
      "--timeout=-0.5",
      "--json",
    ]);
    expect(joinNegativeValues(["--json", "-1"], options)).toEqual(["--json", "-1"]); // a boolean takes no value
    expect(joinNegativeValues(["--", "-j", "-1"], options)).toEqual(["--", "-j", "-1"]); // after --, untouched
    expect(parseCli(["-j", "-1"], options).values.j).toBe("-1");
    expect(message(() => positiveInt("-j", "-1"))).toBe("-j expects a positive whole number, got: -1");
  });

  test("numbers: whole and positive, seconds above zero, a whole number of either sign", () => {
    expect(positiveInt("-j", "3")).toBe(3);
    for (const bad of ["0", "-2", "1.5", "2x", "", "1e3"])
      expect(message(() => positiveInt("-j", bad))).toStartWith("-j expects a positive whole number");
    expect(positiveSeconds("--timeout", "0.5")).toBe(0.5);
    for (const bad of ["0", "-1", "ten", "", "Infinity"])
      expect(message(() => positiveSeconds("--timeout", bad))).toStartWith("--timeout expects a number of seconds > 0");
    expect(positiveInt("--fuel", "10000000000", "1000000")).toBe(10_000_000_000);
    expect(wholeNumber("--runner-status", "-1")).toBe(-1);
    expect(message(() => wholeNumber("--runner-status", "one"))).toBe(
      "--runner-status expects a whole number, got: one",
    );
  });

  test("enums: an unknown value, an empty item and a value listed twice are errors; a near miss is named", () => {
    expect(enumList("--memory", "multi,shared", ["multi", "shared"])).toEqual(["multi", "shared"]);
    expect(message(() => enumList("--memory", "multi,multi", ["multi", "shared"]))).toBe(
      "--memory: multi is listed twice",
    );
    expect(message(() => enumList("--memory", "multi,", ["multi", "shared"]))).toBe("--memory: an empty item");
    expect(message(() => enumValue("--engine", "toString", ["kiln", "jco"]))).toBe(
      '--engine: unknown value "toString" (known: kiln, jco)',
    );
    const miss = (() => {
      try {
        enumValue("--memory", "mutli", ["multi", "shared"]);
      } catch (e) {
        return e as SeamError;
      }
    })();
    expect([miss?.message, miss?.hint]).toEqual([
      '--memory: unknown value "mutli" (known: multi, shared)',
      "did you mean --memory multi?",
    ]);
    expect([
      nearest("Shared", ["multi", "shared"]),
      nearest("kore", ["component", "core"]),
      nearest("xyz", ["multi", "shared"]),
    ]).toEqual(["shared", "core", undefined]);
  });

  test("NAME=VALUE pairs: a variable name, once, never empty", () => {
    expect(keyValues("--env", ["A=1", "B=x=y"])).toEqual({ A: "1", B: "x=y" });
    expect(message(() => keyValues("--env", ["=1"]))).toBe(
      "--env expects NAME=VALUE with NAME a variable name, got: =1",
    );
    expect(message(() => keyValues("--env", ["A=1", "A=2"]))).toBe("--env: A is given twice");
  });
});

describe("errors as a user sees them", () => {
  test("a SeamError is its line and its hint", () => {
    expect(formatError("fuse", new SeamError("bad", { hint: "fix it" }))).toBe("fuse: error: bad\nfuse: hint: fix it");
  });

  test("an unexpected error is one internal-error line naming where to report it; the stack only with SEAM_DEBUG=1", () => {
    const err = new TypeError("x is undefined\nsecond line");
    const line = formatError("tier-c", err, false);
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toStartWith("tier-c: internal error: x is undefined — a bug in seam");
    expect(line).toContain("please report it to seam's issue tracker");
    expect(line).not.toContain("    at ");
    expect(formatError("tier-c", err, true)).toContain("    at ");
  });
});
