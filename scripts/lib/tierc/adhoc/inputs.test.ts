import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { adhocName, collectAdhocInputs, parseAdhocSpec } from "./inputs.ts";
import { tempDir } from "../../../testing/testkit.ts";
import { usageMessage as usage } from "../../../testing/run-records.ts";
import { ROOT } from "../../core/paths.ts";

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");
const CORE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe("ad hoc inputs", () => {
  test("a file's fixture name follows the manifest's rule", () => {
    expect(
      ["hello.wasm", "My-App.v2.wasm", "2024_tool.wasm", "__x__.WASM", "ünï.wasm", "-.wasm"].map(adhocName),
    ).toEqual(["hello", "my_app_v2", "c_2024_tool", "x", "n", "component"]);
  });

  test("a folder gives the components directly in it; core modules and non-wasm .wasm files are skipped with a line each", () => {
    const dir = tempDir("seam-adhoc-in");
    copyFileSync(HELLO, join(dir, "b-hello.wasm"));
    copyFileSync(HELLO, join(dir, "a.wasm"));
    writeFileSync(join(dir, "core.wasm"), CORE);
    writeFileSync(join(dir, "broken.wasm"), "not wasm");
    writeFileSync(join(dir, "notes.txt"), "ignored");
    mkdirSync(join(dir, "sub"));
    copyFileSync(HELLO, join(dir, "sub", "deeper.wasm"));
    const { inputs, skipped } = collectAdhocInputs([dir]);
    expect(inputs.map((i) => [i.name, i.file])).toEqual([
      ["a", join(dir, "a.wasm")],
      ["b_hello", join(dir, "b-hello.wasm")],
    ]);
    expect(skipped).toEqual([
      `${join(dir, "broken.wasm")}: not a WebAssembly file (not a WebAssembly binary (no \\0asm magic)), skipped`,
      `${join(dir, "core.wasm")}: a core module, skipped (tier-c fuses components)`,
    ]);
  });

  test("bad inputs are usage errors naming the problem", () => {
    const dir = tempDir("seam-adhoc-bad");
    writeFileSync(join(dir, "core.wasm"), CORE);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    copyFileSync(HELLO, join(empty, "..", "Hello.wasm"));
    const other = tempDir("seam-adhoc-other");
    copyFileSync(HELLO, join(other, "hello.wasm"));
    expect(usage(() => collectAdhocInputs([join(dir, "nope.wasm")]))).toBe(`${join(dir, "nope.wasm")} not found`);
    expect(usage(() => collectAdhocInputs([join(dir, "core.wasm")]))).toBe(
      `${join(dir, "core.wasm")} is a core module: tier-c fuses components`,
    );
    expect(usage(() => collectAdhocInputs([empty]))).toBe(
      `${empty} holds no component (0 .wasm file(s) there, none a component)`,
    );
    expect(usage(() => collectAdhocInputs([join(dir, "Hello.wasm"), join(other, "hello.wasm")]))).toBe(
      `${join(dir, "Hello.wasm")} and ${join(other, "hello.wasm")} both make the fixture name hello`,
    );
    expect(usage(() => collectAdhocInputs([HELLO, HELLO]))).toBe(
      `${join("fixtures", "hello_c_cli.wasm")} is given twice`,
    );
  });

  test("flags: --env needs NAME=VALUE, --invoke takes no --arg or --stdin, and no export twice", () => {
    expect(parseAdhocSpec({ arg: ["a"], env: ["K=v=w"], invoke: [] })).toEqual({
      args: ["a"],
      env: { K: "v=w" },
      invokes: [],
    });
    expect(usage(() => parseAdhocSpec({ arg: [], env: ["K"], invoke: [] }))).toBe(
      "--env expects NAME=VALUE with NAME a variable name, got: K",
    );
    expect(usage(() => parseAdhocSpec({ arg: [], env: ["1K=v"], invoke: [] }))).toBe(
      "--env expects NAME=VALUE with NAME a variable name, got: 1K=v",
    );
    expect(usage(() => parseAdhocSpec({ arg: ["a"], env: [], invoke: ["f"] }))).toStartWith(
      "--arg and --stdin are for commands",
    );
    expect(usage(() => parseAdhocSpec({ arg: [], env: [], invoke: ["f", "f"] }))).toBe("--invoke f is given twice");
  });
});
