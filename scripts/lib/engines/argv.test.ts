import { describe, expect, test } from "bun:test";
import { kilnArgv, waveCall } from "./argv.ts";

describe("argv (pure)", () => {
  test("export names become wasmtime wave calls", () => {
    expect(waveCall("seam:fixtures/runner@0.1.0#compute")).toBe("seam:fixtures/runner.compute@0.1.0()");
    expect(waveCall("test:demo/api#add")).toBe("test:demo/api.add()");
    expect(waveCall("compute")).toBe("compute()");
  });

  test("a component runs with --component and --invoke; a core module with --wasi and --function", () => {
    const o = {
      wasm: "a.wasm",
      engine: "kiln" as const,
      args: ["x", "y z"],
      env: { K: "v" },
      fuel: 9,
      invoke: "compute",
    };
    expect(kilnArgv("kilnd", o, "component")).toEqual([
      "kilnd",
      "a.wasm",
      "--component",
      "--wasi",
      "--wasi-arg",
      "x",
      "--wasi-arg",
      "y z",
      "--wasi-env",
      "K",
      "--fuel",
      "9",
      "--invoke",
      "compute",
    ]);
    expect(kilnArgv("kilnd", o, "core", "seam:fixtures/runner@0.1.0#compute")).toEqual([
      "kilnd",
      "a.wasm",
      "--wasi",
      "--wasi-arg",
      "x",
      "--wasi-arg",
      "y z",
      "--wasi-env",
      "K",
      "--fuel",
      "9",
      "--function",
      "seam:fixtures/runner@0.1.0#compute",
    ]);
  });
});
