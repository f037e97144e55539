import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { componentImports, coreImports } from "./wasm.ts";
import { ROOT } from "./paths.ts";

/** A core module with one import of each kind: func, table, memory (with a max), global, tag. */
function coreModule(): Uint8Array {
  const str = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const entries = [
    [...str("seam:fixtures/math@0.1.0"), ...str("add"), 0x00, 0x00],
    [...str(""), ...str("0"), 0x01, 0x70, 0x00, 0x01],
    [...str("env"), ...str("memory"), 0x02, 0x01, 0x01, 0x02],
    [...str("env"), ...str("g"), 0x03, 0x7f, 0x00],
    [...str("env"), ...str("t"), 0x04, 0x00, 0x00],
  ];
  const body = [entries.length, ...entries.flat()];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x02, body.length, ...body]);
}

describe("import sections", () => {
  test("a core module's imports are read in order, whatever their kind", () => {
    expect(coreImports(coreModule())).toEqual([
      { module: "seam:fixtures/math@0.1.0", name: "add" },
      { module: "", name: "0" },
      { module: "env", name: "memory" },
      { module: "env", name: "g" },
      { module: "env", name: "t" },
    ]);
  });

  test("a component's top-level imports are its interfaces; a composition that provides its own imports none", () => {
    const read = (name: string) => componentImports(readFileSync(join(ROOT, "fixtures", `${name}.wasm`)));
    expect(read("hello_c_cli")).toContain("wasi:cli/stdout@0.2.12");
    expect(read("compute_core_names")).toEqual([]);
    expect(() => coreImports(readFileSync(join(ROOT, "fixtures", "hello_c_cli.wasm")))).toThrow("not a core module");
  });
});
