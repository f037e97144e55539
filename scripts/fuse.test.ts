import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { checkInputs, classifyFuse, fuse, meldErrorLine } from "./lib/engines/fuse.ts";
import { runComponent } from "./lib/engines/run.ts";
import { parseWasmShape } from "./lib/core/wasm.ts";
import { providerConsumerWat, runScript, tempDir, watToWasm } from "./testing/testkit.ts";
import { procResult } from "./testing/run-records.ts";
import { ROOT } from "./lib/core/paths.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

const MELD_REFUSAL = `Meld v0.65.1 - Static Component Fusion
Error: Fusion failed

Caused by:
    failed to encode output module: fused module has non-resource-drop imports but no cabi_realloc export

Stack backtrace:
   0: <unknown>
`;

describe("meld outcomes (pure)", () => {
  test("meld's own error line is kept, joined with its cause, without the backtrace", () => {
    expect(meldErrorLine(MELD_REFUSAL)).toBe(
      "Fusion failed: failed to encode output module: fused module has non-resource-drop imports but no cabi_realloc export",
    );
  });

  test("ls_s_7_ a refusal is `refused`, never fused or crashed; a panic or signal is `crashed`", () => {
    expect(classifyFuse(procResult({ code: 1, stderr: MELD_REFUSAL }), undefined).verdict).toBe("refused");
    expect(
      classifyFuse(
        procResult({ code: 101, stderr: "thread 'main' panicked at meld-core/src/x.rs:1:1:\nindex out of bounds" }),
        undefined,
      ).verdict,
    ).toBe("crashed");
    expect(classifyFuse(procResult({ code: null, signal: "SIGKILL" }), undefined).verdict).toBe("crashed");
  });

  test("`fused` only when the output parses as wasm", () => {
    const component = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0]);
    expect(classifyFuse(procResult({ code: 0 }), component).verdict).toBe("fused");
    expect(classifyFuse(procResult({ code: 0 }), new Uint8Array([1, 2, 3])).verdict).toBe("crashed");
    expect(classifyFuse(procResult({ code: 0 }), undefined).verdict).toBe("crashed");
    const truncated = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x20, 0]);
    expect(() => parseWasmShape(truncated)).toThrow("runs past the end");
  });
});

describe("real meld", () => {
  let dir: string;
  let composed: string;
  beforeAll(async () => {
    dir = tempDir("seam-fuse");
    composed = await watToWasm(dir, "composed", providerConsumerWat());
  });

  for (const memory of ["multi", "shared"] as const) {
    test(`fuses a provider/consumer component (${memory} memory); jco gives the unfused results`, async () => {
      const out = join(dir, `fused-${memory}.wasm`);
      const rec = await fuse({ inputs: [composed], output: out, memory });
      expect(rec.verdict).toBe("fused");
      expect(rec.meld?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(rec.command).toContain(`fuse ${composed} -o ${out} --memory ${memory} --component`);
      expect(rec.output?.sha256).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(out)).digest("hex"));
      expect(parseWasmShape(readFileSync(out)).kind).toBe("component");
      for (const fn of ["compute", "greet"]) {
        const [before, after] = await Promise.all(
          [composed, out].map((wasm) => runComponent({ wasm, engine: "jco", invoke: fn })),
        );
        expect(after!.verdict).toBe("passed");
        expect(after!.results).toEqual(before!.results!);
      }
    });
  }

  test("a component no test has seen fuses and keeps its results (bias 1000: compute = 1042)", async () => {
    const fresh = await watToWasm(dir, "fresh", providerConsumerWat(1000 + Math.floor(Math.random() * 1000)));
    const out = join(dir, "fresh-fused.wasm");
    expect((await fuse({ inputs: [fresh], output: out })).verdict).toBe("fused");
    const [a, b] = await Promise.all(
      [fresh, out].map((wasm) => runComponent({ wasm, engine: "jco", invoke: "compute" })),
    );
    expect(Number(a!.results![0])).toBeGreaterThanOrEqual(1042);
    expect(b!.results).toEqual(a!.results!);
  });

  test("meld's refusal keeps meld's own message and leaves no output file", async () => {
    // A component whose module has imports but no cabi_realloc: meld declines to encode it.
    const noRealloc = await watToWasm(
      dir,
      "norealloc",
      `(component
  (import "f" (func $f (result u32)))
  (core func $fl (canon lower (func $f)))
  (core module $m (import "h" "f" (func (result i32))) (memory (export "memory") 1) (func (export "g") (result i32) call 0))
  (core instance $i (instantiate $m (with "h" (instance (export "f" (func $fl))))))
  (func (export "g") (result u32) (canon lift (core func $i "g"))))`,
    );
    const out = join(dir, "refused.wasm");
    const rec = await fuse({ inputs: [noRealloc], output: out });
    expect(rec.verdict).toBe("refused");
    expect(rec.message).toStartWith("Fusion failed: ");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});

describe("fuse CLI", () => {
  test("writes <out>.json with the record and exits 0", async () => {
    const dir = tempDir("seam-fuse-cli");
    const input = await watToWasm(dir, "c", providerConsumerWat());
    const p = await runScript("fuse.ts", [input, "-o", join(dir, "out.wasm")]);
    expect(p.code).toBe(0);
    expect(p.stdout).toStartWith("fused: ");
    const rec = JSON.parse(readFileSync(join(dir, "out.wasm.json"), "utf8"));
    expect([rec.schema, rec.verdict, rec.inputs[0].bytes]).toEqual([
      "seam.fuse/1",
      "fused",
      readFileSync(input).length,
    ]);
  });

  test("bad input: one line naming the problem and the fix, exit 2, no output file", async () => {
    const dir = tempDir("seam-fuse-bad");
    const notWasm = join(dir, "text.wasm");
    writeFileSync(notWasm, "hello");
    const core = await watToWasm(dir, "core", '(module (func (export "f")))');
    const good = await watToWasm(dir, "good", providerConsumerWat());
    // A folder path that runs through a regular file cannot be created, even by root.
    const locked = join(dir, "a-file");
    writeFileSync(locked, "");
    const cases: [string[], string][] = [
      [[join(dir, "missing.wasm"), "-o", join(dir, "o1.wasm")], "input not found"],
      [[notWasm, "-o", join(dir, "o2.wasm")], "is not a WebAssembly file"],
      [[core, "-o", join(dir, "o3.wasm")], "is a core module, but meld fuses components"],
      [[good, "-o", join(locked, "sub", "o4.wasm")], "cannot write to"],
      [[good, "-o", join(dir, "o5.wasm"), "--frobnicate"], "--frobnicate"],
    ];
    for (const [args, want] of cases) {
      const p = await runScript("fuse.ts", args);
      expect(p.code).toBe(2);
      expect(p.stderr.split("\n")[0]).toContain(want);
      expect(p.stderr).toContain("hint:");
    }
    expect(readdirSync(dir).filter((f) => /^o\d/.test(f))).toEqual([]);
  });

  test("ls_s_11_ an output that is the input is refused before meld runs, and the input is unchanged", async () => {
    const dir = tempDir("seam-fuse-self");
    const input = await watToWasm(dir, "c", providerConsumerWat());
    const before = readFileSync(input);
    const p = await runScript("fuse.ts", [input, "-o", join(dir, ".", "c.wasm")]);
    expect([p.code, p.stderr.split("\n")[0]]).toEqual([
      2,
      `fuse: error: -o ${join(dir, ".", "c.wasm")} is also the input: writing it would overwrite that file`,
    ]);
    expect(readFileSync(input).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["c.wasm", "c.wat"]);
  });

  test("ls_s_11_ Ctrl-C during a fusion leaves neither the output nor meld's temp file", async () => {
    const dir = tempDir("seam-fuse-sigint");
    const input = await watToWasm(dir, "c", providerConsumerWat());
    // A meld test double: answers --version like meld, writes half an output, then hangs.
    const meld = join(dir, "meld");
    writeFileSync(
      meld,
      '#!/bin/sh\n[ "$1" = --version ] && { echo "meld 0.0.0-test-double"; exit 0; }\nwhile [ "$1" != "-o" ]; do shift; done\necho partial > "$2"\nexec sleep 600\n',
    );
    chmodSync(meld, 0o755);
    const out = join(dir, "out");
    mkdirSync(out);
    const child = spawn(
      process.execPath,
      [join(ROOT, "scripts", "fuse.ts"), input, "-o", join(out, "f.wasm"), "--meld", meld],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    while (!readdirSync(out).some((f) => f.endsWith(".meld.tmp"))) await Bun.sleep(0);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect([code, stderr]).toEqual([130, "fuse: SIGINT: stopped 1 running tool(s)\n"]);
    expect(readdirSync(out)).toEqual([]);
  });

  test("checkInputs needs at least one input", () => {
    expect(() => checkInputs([])).toThrow("no input component given");
  });
});
