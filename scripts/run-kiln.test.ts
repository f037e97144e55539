import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { classifyJco, classifyKiln, kilnArgv, parseSignature, runComponent, splitKilnOutput } from "./run-kiln.ts";
import { waveCall } from "./lib/wasm.ts";
import { writeFakeKilnd, type Scenario } from "./lib/fake-kilnd.ts";
import { runProcess, type ProcResult } from "./lib/proc.ts";
import { providerConsumerWat, runScript, tempDir, watToWasm } from "./lib/testkit.ts";
import { ROOT } from "./lib/tools.ts";

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");
const HELLO_LINE = "Hello wasm component world from C!\n";

function proc(over: Partial<ProcResult>): ProcResult {
  return { argv: [], code: 0, signal: null, stdout: "", stderr: "", stdoutBytes: 0, stderrBytes: 0, stdoutSha256: "", stdoutTruncated: false, stderrTruncated: false, stdoutTail: "", stderrTail: "", ms: 1, timedOut: false, ...over };
}

const BANNER = `WebAssembly Runtime Daemon (kilnd)
===================================
✓ WASI enabled:
  - Version: Preview2
✓ Component model enabled with 0 interfaces
  - Set 1 global WASI args: ["app.wasm"]
[INFO] Component initialized and running successfully
[INFO] Calling wasi:cli/run entry point
`;
const STATS = `[INFO] Component executed successfully
✓ Execution completed successfully
  Modules executed: 0
  Fuel consumed: 12345
`;

describe("kiln transcripts (pure)", () => {
  test("parses [Category][Ecode] message and the optional ASIL bracket", () => {
    expect(parseSignature("✗ Execution failed: [Runtime][E0BBB] Export not found")).toEqual({ category: "Runtime", code: "E0BBB", message: "Export not found" });
    expect(parseSignature("[Runtime][E0BBB][ASIL-C] Export not found")).toEqual({ category: "Runtime", code: "E0BBB", asil: "ASIL-C", message: "Export not found" });
    expect(parseSignature("[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index")?.code).toBe("E5DC2");
    expect(parseSignature("no signature here")).toBeUndefined();
  });

  test("splits the guest's stdout from kilnd's banner, log lines and stats", () => {
    const s = splitKilnOutput(BANNER + "line 1\n  - guest line that looks like a banner\n" + STATS);
    expect(s.guest).toBe("line 1\n  - guest line that looks like a banner\n");
    expect(s.kiln).toContain("[INFO] Calling wasi:cli/run entry point");
    expect(s.kiln).toContain("  Fuel consumed: 12345");
  });

  test("a guest line without a newline keeps its text, and no newline, when kilnd's next line is glued to it", () => {
    expect(splitKilnOutput(BANNER + "line\nno newline" + STATS).guest).toBe("line\nno newline");
  });

  test("ls_s_1_ kilnd's exit status is recorded but not trusted: failure text with exit 0 is failed", () => {
    const c = classifyKiln(proc({ code: 0, stdout: BANNER + "[ERROR] Component execution failed\n", stderr: "✗ Execution failed: [Runtime][E0BBB] Export not found\n" }));
    expect(c.verdict).toBe("failed");
    expect(c.signature?.code).toBe("E0BBB");
    const quiet = classifyKiln(proc({ code: 0, stdout: BANNER }));
    expect(quiet.verdict).toBe("failed");
  });

  test("E2199 and trap messages are traps; a panic is a crash", () => {
    expect(classifyKiln(proc({ code: 1, stderr: "✗ Execution failed: [Runtime][E2199] out of bounds memory access\n" })).verdict).toBe("trapped");
    expect(classifyKiln(proc({ code: 101, stderr: "thread 'main' panicked at src/main.rs:1:1:\nboom\n" })).verdict).toBe("crashed");
  });

  test("jco: a RuntimeError is the guest's trap; silent non-zero is the guest's exit; else the engine failed", () => {
    expect(classifyJco(proc({ code: 1, stderr: "RuntimeError: wasm trap: wasm `unreachable` instruction executed\n    at main" })).verdict).toBe("trapped");
    expect(classifyJco(proc({ code: 1, stderr: "" })).verdict).toBe("exit-nonzero");
    const f = classifyJco(proc({ code: 1, stderr: "Error: Unable to transpile command for execution\n  [cause]: ComponentError: bad\n  Caused by:\n      lowered result types do not match\n" }));
    expect(f.verdict).toBe("failed");
    expect(f.errorLine).toContain("lowered result types do not match");
  });

  test("export names become wasmtime wave calls", () => {
    expect(waveCall("seam:fixtures/runner@0.1.0#compute")).toBe("seam:fixtures/runner.compute@0.1.0()");
    expect(waveCall("test:demo/api#add")).toBe("test:demo/api.add()");
    expect(waveCall("compute")).toBe("compute()");
  });

  test("kilnd argv exposes fixture env by name and passes args one flag each", () => {
    expect(kilnArgv("kilnd", { wasm: "a.wasm", engine: "kiln", args: ["x", "y z"], env: { K: "v" }, fuel: 9, invoke: "compute" })).toEqual(["kilnd", "a.wasm", "--component", "--wasi", "--wasi-arg", "x", "--wasi-arg", "y z", "--wasi-env", "K", "--fuel", "9", "--invoke", "compute"]);
  });
});

describe("kilnd contract through the fake kilnd test double", () => {
  let dir: string;
  let kilnd: string;
  beforeAll(() => {
    dir = tempDir("seam-kiln");
    kilnd = writeFakeKilnd(dir);
  });
  const run = (scenario: Scenario, extra: Partial<Parameters<typeof runComponent>[0]> = {}) =>
    runComponent({ wasm: HELLO, engine: "kiln", enginePath: kilnd, ...extra, env: { FAKE_KILND_SCENARIO: scenario, ...extra.env } });

  test("success: guest stdout only, banner and stats removed", async () => {
    const r = await run("pass");
    expect(r.verdict).toBe("passed");
    expect(r.stdout).toBe(HELLO_LINE);
    expect(r.engineVersion).toBe("0.4.4-fake");
  });

  test("E0BBB (kiln#375) and E03ED (kiln#364) come back as signatures", async () => {
    const a = await run("e0bbb");
    expect([a.verdict, a.signature?.category, a.signature?.code, a.errorLine]).toEqual(["failed", "Runtime", "E0BBB", "[Runtime][E0BBB] Export not found"]);
    const b = await run("e03ed");
    expect(b.signature?.code).toBe("E03ED");
    expect((await run("e0bbb-asil")).signature?.asil).toBe("ASIL-C");
  });

  test("a trap, `No module specified` and death by signal", async () => {
    expect((await run("trap")).verdict).toBe("trapped");
    const nm = await run("no-module");
    expect([nm.verdict, nm.errorLine]).toEqual(["failed", "No module specified"]);
    const sig = await run("signal");
    expect([sig.verdict, sig.signal]).toEqual(["crashed", "SIGSEGV"]);
  });

  test("ls_s_4_ a hung kilnd becomes a timeout and leaves no process behind", async () => {
    const tag = `seam-hang-${process.pid}-${Date.now()}`;
    const r = await run("hang", { timeoutMs: 1500, env: { FAKE_KILND_HANG_TAG: tag } });
    expect(r.verdict).toBe("timeout");
    const left = await runProcess(["pgrep", "-f", tag]);
    expect(left.stdout.trim()).toBe("");
  });

  test("20 MB of output is capped with a marker and the full sha256", async () => {
    const r = await run("flood");
    expect(r.verdict).toBe("passed");
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout.length).toBeLessThan(1.1 * (1 << 20));
    expect(r.stdout).toContain("[seam: stdout truncated");
  });
});

describe("reference engines (real jco and wasmtime)", () => {
  let composed: string;
  beforeAll(async () => {
    composed = await watToWasm(tempDir("seam-ref"), "composed", providerConsumerWat());
  });

  test("jco runs a wasi:cli command and returns the guest's stdout", async () => {
    const r = await runComponent({ wasm: HELLO, engine: "jco" });
    expect([r.verdict, r.stdout]).toEqual(["passed", HELLO_LINE]);
  });

  test("jco --invoke calls exports of a two-module component: compute() = 42, greet() = 7", async () => {
    expect((await runComponent({ wasm: composed, engine: "jco", invoke: "compute" })).results).toEqual(["42"]);
    expect((await runComponent({ wasm: composed, engine: "jco", invoke: "greet" })).results).toEqual(["7"]);
  });

  test("wasmtime agrees with jco on the same component", async () => {
    expect((await runComponent({ wasm: composed, engine: "wasmtime", invoke: "compute" })).results).toEqual(["42"]);
    expect((await runComponent({ wasm: HELLO, engine: "wasmtime" })).stdout).toBe(HELLO_LINE);
  });
});

describe.if(!!process.env.KILND)("real kilnd from $KILND", () => {
  test("runs hello_c_cli and classifies the outcome with the guest's own output", async () => {
    const r = await runComponent({ wasm: HELLO, engine: "kiln" });
    expect(["passed", "failed", "trapped"]).toContain(r.verdict);
    if (r.verdict === "passed") expect(r.stdout).toBe(HELLO_LINE);
    else expect(r.errorLine ?? "").not.toBe("");
  });
});

describe("run-kiln CLI", () => {
  test("ls_s_4_ Ctrl-C stops the engine's whole process tree too (it runs in a group of its own)", async () => {
    const dir = tempDir("seam-sigint");
    const kilnd = writeFakeKilnd(dir);
    const tag = `seam-sigint-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [join(ROOT, "scripts", "run-kiln.ts"), HELLO, "--kilnd", kilnd, "--timeout", "600"], {
      env: { ...process.env, FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    // The hang has begun once its tagged grandchild exists.
    while ((await runProcess(["pgrep", "-f", tag])).code !== 0) await Bun.sleep(0);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopped [1-9]\d* running tool\(s\)/);
    expect((await runProcess(["pgrep", "-f", tag])).stdout).toBe("");
  });


  test("prints the guest's stdout and exits 0 on jco", async () => {
    const p = await runScript("run-kiln.ts", [HELLO, "--engine", "jco"]);
    expect([p.code, p.stdout]).toEqual([0, HELLO_LINE]);
    expect(p.stderr).toContain("passed on jco");
  });

  test("a missing kilnd names the env var that fixes it, exit 3", async () => {
    const p = await runScript("run-kiln.ts", [HELLO], { env: { KILND: undefined, MELD_KILND: undefined, PATH: "/usr/bin:/bin" } });
    expect(p.code).toBe(3);
    expect(p.stderr).toContain("KILND=");
  });

  test("bad input is one line and exit 2", async () => {
    const dir = tempDir("seam-cli");
    const missing = await runScript("run-kiln.ts", [join(dir, "nope.wasm")]);
    expect([missing.code, missing.stderr.split("\n")[0]]).toEqual([2, `run-kiln: error: component not found: ${join(dir, "nope.wasm")}`]);
    const flag = await runScript("run-kiln.ts", [HELLO, "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--bogus");
    writeFileSync(join(dir, "a.wasm"), "");
    const env = await runScript("run-kiln.ts", [join(dir, "a.wasm"), "--env", "NOEQUALS"]);
    expect(env.code).toBe(2);
  });
});
