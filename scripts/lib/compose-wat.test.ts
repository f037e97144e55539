import { describe, expect, test } from "bun:test";
import { composeWat } from "./compose-wat.ts";

describe("composeWat", () => {
  const printed = [
    "(component",
    "  (type $ty-a (;0;)",
    "    (instance",
    '      (export (;0;) "f" (func))',
    "    )",
    "  )",
    '  (import "x:y/a@1.0.0" (instance $x:y/a@1.0.0 (;0;) (type $ty-a)))',
    '  (import "x:y/plugged@1.0.0" (instance $x:y/plugged@1.0.0 (;1;) (type $ty-a)))',
    '  (alias export $x:y/a@1.0.0 "f" (func $f (;0;)))',
    "  (core module $main (;0;)",
    "  )",
    '  (export $run (;2;) "wasi:cli/run@0.2.12" (instance $shim))',
    ")",
  ].join("\n");
  const template = [
    "(component $root",
    '  ;; seam:consumer-imports plugged="x:y/plugged@1.0.0"',
    "  ;; seam:consumer-component $consumer",
    "  (instance $c (instantiate $consumer",
    '    (with "x:y/plugged@1.0.0" (instance $p))',
    "    ;; seam:consumer-import-args",
    "  ))",
    "  ;; seam:consumer-exports $c",
    ")",
  ].join("\n");

  test("re-declares the consumer's imports except the plugged one, nests it, passes the rest through and re-exports", () => {
    const out = composeWat(template, printed).split("\n");
    expect(out.slice(0, 8)).toEqual([
      "(component $root",
      "  (type $ty-a (;0;)",
      "    (instance",
      '      (export (;0;) "f" (func))',
      "    )",
      "  )",
      '  (import "x:y/a@1.0.0" (instance $x:y/a@1.0.0 (;0;) (type $ty-a)))',
      '  (alias export $x:y/a@1.0.0 "f" (func $f (;0;)))',
    ]);
    expect(out[8]).toBe("  (component $consumer");
    expect(out.slice(9, 9 + printed.split("\n").length - 1)).toEqual(printed.split("\n").slice(1));
    expect(out).toContain('    (with "x:y/a@1.0.0" (instance $x:y/a@1.0.0))');
    expect(out.filter((l) => l.includes("(with "))).toHaveLength(2);
    expect(out).toContain('  (export "wasi:cli/run@0.2.12" (instance $c "wasi:cli/run@0.2.12"))');
  });

  test("a plugged import the consumer does not have, or an unknown marker, stops the build", () => {
    expect(() => composeWat(template.replace("x:y/plugged", "x:y/other"), printed)).toThrow(
      "compose: the consumer does not import x:y/other@1.0.0",
    );
    expect(() => composeWat(template + "\n;; seam:frobnicate", printed)).toThrow(
      "compose: unknown template line ;; seam:frobnicate",
    );
    expect(() => composeWat(template, "(module)")).toThrow("compose: the consumer is not a printed component");
  });
});
