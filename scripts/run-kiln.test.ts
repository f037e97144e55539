import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { runComponent } from "./lib/engines/run.ts";
import { fuse } from "./lib/engines/fuse.ts";
import { componentExports, hasEntryPoint, matchCoreExport } from "./lib/core/wasm.ts";
import { exportedFunctions, kebab } from "./lib/engines/jco-host.ts";
import { recordedCases, TRANSCRIPTS, writeFakeKilnd, type Scenario } from "./testing/fake-kilnd.ts";
import { classifyKiln } from "./lib/engines/classify.ts";
import { loadManifest } from "./lib/fixtures/manifest.ts";
import type { Fixture } from "./lib/fixtures/fixture.ts";
import { mapLimit } from "./lib/core/pool.ts";
import { runProcess, shellWords } from "./lib/core/proc.ts";
import { FORMS, formatSignature, FUSE_FLAGS, MEMORY_MODES } from "./lib/engines/records.ts";
import { pgrep, processesLeft, providerConsumerWat, runScript, tempDir, watToWasm } from "./testing/testkit.ts";
import { recordedProc } from "./testing/run-records.ts";
import { ROOT } from "./lib/core/paths.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");
const COMPOSED_FIXTURE = join(ROOT, "fixtures", "compute_composed.wasm");
const HELLO_LINE = "Hello wasm component world from C!\n";

describe("argv (pure)", () => {
  test("a component's top-level exports are read off its export section; nothing to run is told apart", () => {
    expect(componentExports(readFileSync(COMPOSED_FIXTURE))).toEqual([
      { name: "seam:fixtures/runner@0.1.0", kind: "instance" },
    ]);
    expect(
      componentExports(readFileSync(join(ROOT, "fixtures", "compute_toplevel.wasm"))).map((e) => `${e.kind} ${e.name}`),
    ).toEqual(["func compute", "func greet"]);
    expect([
      hasEntryPoint(readFileSync(HELLO)),
      hasEntryPoint(readFileSync(COMPOSED_FIXTURE)),
      hasEntryPoint(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])),
    ]).toEqual([true, false, false]);
  });

  test("jco's transpiled exports become the names --invoke takes: full interface names, WIT's kebab case", () => {
    const runner = { compute: () => 42, shoutLen: () => 3 };
    const mod = { runner, "seam:fixtures/runner@0.1.0": runner, greet: () => 7, _util: { x: () => 0 } };
    expect(exportedFunctions(mod)).toEqual([
      "greet",
      "seam:fixtures/runner@0.1.0#compute",
      "seam:fixtures/runner@0.1.0#shout-len",
    ]);
    expect([kebab("sumX"), kebab("longChecksum"), kebab("compute")]).toEqual(["sum-x", "long-checksum", "compute"]);
  });

  test("an export name finds its core export either way round, only when exactly one matches", () => {
    const fns = ["seam:fixtures/math@0.1.0#add", "seam:fixtures/runner@0.1.0#compute", "greet", "cabi_realloc"];
    expect(matchCoreExport(fns, "compute")).toBe("seam:fixtures/runner@0.1.0#compute");
    expect(matchCoreExport(fns, "seam:fixtures/runner@0.1.0#greet")).toBe("greet");
    expect(matchCoreExport(fns, "seam:fixtures/runner@0.1.0#compute")).toBe("seam:fixtures/runner@0.1.0#compute");
    expect(matchCoreExport([...fns, "x:y/z#compute"], "compute")).toBeUndefined();
    expect(matchCoreExport(fns, "nothing")).toBeUndefined();
  });
});

/** meld's core output of a fixture (meld 0.65.1 with --reproducible: the bytes kilnd 0.4.4 was recorded on). */
async function fusedCore(name: string): Promise<string> {
  const out = join(tempDir("seam-core"), `${name}.fused.core.wasm`);
  const rec = await fuse({
    inputs: [join(ROOT, "fixtures", `${name}.wasm`)],
    output: out,
    memory: "multi",
    mode: "core",
    extraArgs: FUSE_FLAGS,
  });
  if (rec.verdict !== "fused") throw new Error(`meld did not fuse ${name}: ${rec.message}`);
  return out;
}

describe("kilnd contract through the fake kilnd test double (replaying kilnd 0.4.4's transcripts)", () => {
  let dir: string;
  let kilnd: string;
  let helloCore: string;
  beforeAll(async () => {
    dir = tempDir("seam-kiln");
    kilnd = writeFakeKilnd(dir);
    helloCore = await fusedCore("hello_c_cli");
  });
  // The scenario goes in kilnd's own environment; the guest's (`env`) would show up as --wasi-env flags.
  const run = (
    scenario: Scenario,
    extra: Partial<Parameters<typeof runComponent>[0]> & { hostEnv?: Record<string, string> } = {},
  ) =>
    runComponent({
      wasm: HELLO,
      engine: "kiln",
      enginePath: kilnd,
      ...extra,
      hostEnv: { ...process.env, FAKE_KILND_SCENARIO: scenario, ...extra.hostEnv },
    });

  test("meld's core output runs: guest stdout only, kilnd's banner, log lines, traces and stats removed", async () => {
    const r = await run("replay", { wasm: helloCore });
    expect([r.verdict, r.form, r.stdout]).toEqual(["passed", "core", HELLO_LINE]);
    expect(r.command).toContain("--wasi");
    expect(r.command).not.toContain("--component");
    expect(r.kiln?.wasiCalls).toBe(7);
    expect(r.stderr).not.toContain("WASI-TRACE");
  });

  test("the unfused component is refused (RFC #46): unsupported-form, with kiln's signature", async () => {
    const r = await run("replay");
    expect([r.verdict, r.form, r.signature?.code]).toEqual(["unsupported-form", "component", "E07DA"]);
    expect(r.command).toContain("--component --wasi");
  });

  test("--invoke on a core module becomes --function with the core export: compute → 42", async () => {
    const core = await fusedCore("compute_composed");
    const r = await run("replay", { wasm: core, invoke: "compute" });
    expect([r.verdict, r.function, r.results, r.values]).toEqual([
      "passed",
      "seam:fixtures/runner@0.1.0#compute",
      ["42"],
      [{ type: "I32", text: "42" }],
    ]);
    const none = await run("replay", { wasm: core, invoke: "nothing" });
    expect([none.verdict, none.command]).toEqual(["failed", ""]);
    expect(none.errorLine).toContain(
      "function exports: seam:fixtures/math@0.1.0#add, seam:fixtures/runner@0.1.0#compute",
    );
  });

  test("kiln#375 (E0BBB) and E03ED come back as signatures from their recorded transcripts", async () => {
    const a = await run("e0bbb");
    expect([a.verdict, a.signature?.category, a.signature?.code, a.signature?.message]).toEqual([
      "unsupported-form",
      "Runtime",
      "E0BBB",
      "Export not found",
    ]);
    expect((await run("e03ed")).signature?.code).toBe("E03ED");
    const oob = await run("e0fa0");
    expect([oob.verdict, oob.errorLine]).toEqual(["failed", "[Memory][E0FA0] out of bounds memory access"]);
  });

  test("a trap, a guest's exit(err) (status 1, as on every engine), `Failed to read module metadata` and death by signal", async () => {
    expect((await run("trap")).verdict).toBe("trapped");
    const lost = await run("exit-err");
    expect([lost.verdict, lost.guestExit]).toEqual(["exit-nonzero", 1]);
    const nm = await run("no-module");
    expect([nm.verdict, nm.errorLine]).toEqual(["failed", "[Resource][E2261] Failed to read module metadata"]);
    const sig = await run("signal");
    expect([sig.verdict, sig.signal]).toEqual(["crashed", "SIGSEGV"]);
  });

  test("ls_s_4_ a hung kilnd becomes a timeout and leaves no process behind", async () => {
    const tag = `seam-hang-${process.pid}-${Date.now()}`;
    const r = await run("hang", { timeoutMs: 1500, hostEnv: { FAKE_KILND_HANG_TAG: tag } });
    expect(r.verdict).toBe("timeout");
    expect(await processesLeft(tag)).toBe("");
  });

  test("20 MB of output is capped with a marker and the full sha256", async () => {
    const r = await run("flood", { wasm: helloCore });
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

  test("--invoke takes a component's short export name on jco and wasmtime (compute → seam:fixtures/runner@0.1.0#compute)", async () => {
    for (const engine of ["jco", "wasmtime"] as const) {
      const r = await runComponent({ wasm: COMPOSED_FIXTURE, engine, invoke: "compute" });
      expect([engine, r.verdict, r.results, r.function]).toEqual([
        engine,
        "passed",
        ["42"],
        "seam:fixtures/runner@0.1.0#compute",
      ]);
    }
    const p = await runScript("run-kiln.ts", [COMPOSED_FIXTURE, "--engine", "jco", "--invoke", "compute"]);
    expect([p.code, p.stdout]).toEqual([0, "42\n"]);
    const wrong = await runScript("run-kiln.ts", [COMPOSED_FIXTURE, "--engine", "wasmtime", "--invoke", "compuet"]);
    expect([wrong.code, wrong.stderr.split("\n")[0]]).toEqual([
      2,
      "run-kiln: error: no exported function compuet (exported functions: seam:fixtures/runner@0.1.0#compute, seam:fixtures/runner@0.1.0#greet)",
    ]);
  });

  test("wasmtime agrees with jco on the same component", async () => {
    expect((await runComponent({ wasm: composed, engine: "wasmtime", invoke: "compute" })).results).toEqual(["42"]);
    expect((await runComponent({ wasm: HELLO, engine: "wasmtime" })).stdout).toBe(HELLO_LINE);
  });
});

describe.if(!!process.env.KILND)("real kilnd from $KILND", () => {
  test("meld's core output of hello_c_cli passes with the guest's exact stdout; the component is refused", async () => {
    const r = await runComponent({ wasm: await fusedCore("hello_c_cli"), engine: "kiln" });
    expect([r.verdict, r.stdout]).toEqual(["passed", HELLO_LINE]);
    expect((await runComponent({ wasm: HELLO, engine: "kiln" })).verdict).toBe("unsupported-form");
  });

  test("every recorded case seam can rebuild the input of classifies on this kilnd as recorded", async () => {
    // Inputs by sha256: the committed originals and real meld's outputs in both memory modes and forms.
    const manifest = loadManifest();
    const bySha = new Map<string, { path: string; fixture: Fixture }>();
    const work = tempDir("seam-rekiln");
    await mapLimit(manifest.fixtures, 2, async (fx) => {
      bySha.set(fx.sha256, { path: fx.file, fixture: fx });
      for (const memory of MEMORY_MODES) {
        for (const form of FORMS) {
          const out = join(work, `${fx.name}.${memory}.${form}.wasm`);
          const rec = await fuse({ inputs: [fx.file], output: out, memory, mode: form, extraArgs: FUSE_FLAGS });
          if (rec.output) bySha.set(rec.output.sha256, { path: out, fixture: fx });
        }
      }
    });
    const cases = recordedCases().filter((c) => c.wasm_sha256 && bySha.has(c.wasm_sha256));
    expect(cases.length).toBeGreaterThan(130);
    const differ: string[] = [];
    await mapLimit(cases, 2, async (c) => {
      const input = bySha.get(c.wasm_sha256!)!;
      const argv = shellWords(c.argv);
      const scratch = mkdtempSync(join(work, "case-"));
      copyFileSync(input.path, join(scratch, argv[1]!));
      const stdin = input.fixture.stdin ? Buffer.from(input.fixture.stdin) : undefined;
      const p = await runProcess([process.env.KILND!, ...argv.slice(1)], {
        cwd: scratch,
        env: { ...process.env, ...input.fixture.env },
        ...(stdin ? { stdin } : {}),
        maxCapture: 64 << 20,
        timeoutMs: 120_000,
      });
      const now = classifyKiln(p);
      const then = classifyKiln(recordedProc(c.case));
      const key = (x: typeof now) => [
        x.verdict,
        x.signature ? formatSignature(x.signature) : "",
        x.stdout,
        (x.values ?? []).map((v) => `${v.type}(${v.text})`).join(" "),
      ];
      if (JSON.stringify(key(now)) !== JSON.stringify(key(then)))
        differ.push(`${c.case}: now ${JSON.stringify(key(now)).slice(0, 200)}`);
    });
    expect(differ).toEqual([]);
  });

  test("--invoke compute on a fused core module returns 42", async () => {
    const r = await runComponent({ wasm: await fusedCore("compute_composed"), engine: "kiln", invoke: "compute" });
    expect([r.verdict, r.results]).toEqual(["passed", ["42"]]);
  });
});

describe("run-kiln CLI", () => {
  test("ls_s_4_ Ctrl-C stops the engine's whole process tree too (it runs in a group of its own)", async () => {
    const dir = tempDir("seam-sigint");
    const kilnd = writeFakeKilnd(dir);
    const tag = `seam-sigint-${process.pid}-${Date.now()}`;
    const child = spawn(
      process.execPath,
      [join(ROOT, "scripts", "run-kiln.ts"), HELLO, "--kilnd", kilnd, "--timeout", "600"],
      {
        env: { ...process.env, FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    // The hang has begun once its tagged grandchild exists.
    while (pgrep(tag) === "") await Bun.sleep(0);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopped [1-9]\d* running tool\(s\)/);
    expect(await processesLeft(tag)).toBe("");
  });

  test("prints the guest's stdout and exits 0 on jco", async () => {
    const p = await runScript("run-kiln.ts", [HELLO, "--engine", "jco"]);
    expect([p.code, p.stdout]).toEqual([0, HELLO_LINE]);
    expect(p.stderr).toContain("passed on jco");
  });

  test("on a fused core module: the guest's exact stdout, exit 0; --invoke compute prints 42", async () => {
    const kilnd = writeFakeKilnd(tempDir("seam-cli-kiln"));
    const hello = await runScript("run-kiln.ts", [await fusedCore("hello_c_cli"), "--kilnd", kilnd]);
    expect([hello.code, hello.stdout]).toEqual([0, HELLO_LINE]);
    expect(hello.stderr).toContain("passed on kiln");
    const core = await fusedCore("compute_composed");
    const compute = await runScript("run-kiln.ts", [core, "--kilnd", kilnd, "--invoke", "compute"]);
    expect([compute.code, compute.stdout]).toEqual([0, "42\n"]);
    const none = await runScript("run-kiln.ts", [core, "--kilnd", kilnd, "--invoke", "nothing"]);
    expect([none.code, none.stderr.split("\n")[0]]).toEqual([
      2,
      "run-kiln: error: no single core export matches nothing (function exports: seam:fixtures/math@0.1.0#add, seam:fixtures/runner@0.1.0#compute, seam:fixtures/runner@0.1.0#greet)",
    ]);
    const refused = await runScript("run-kiln.ts", [HELLO, "--kilnd", kilnd]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain("kilnd runs core modules only (RFC #46)");
  });

  test("a missing kilnd names the env var that fixes it, exit 3", async () => {
    const p = await runScript("run-kiln.ts", [HELLO], {
      env: { KILND: "none", MELD_KILND: undefined, PATH: "/usr/bin:/bin" },
    });
    expect(p.code).toBe(3);
    expect(p.stderr).toContain("KILND=");
  });

  test("bad input is one line and exit 2", async () => {
    const dir = tempDir("seam-cli");
    const missing = await runScript("run-kiln.ts", [join(dir, "nope.wasm")]);
    expect([missing.code, missing.stderr.split("\n")[0]]).toEqual([
      2,
      `run-kiln: error: input not found: ${join(dir, "nope.wasm")}`,
    ]);
    writeFileSync(join(dir, "text.wasm"), "(module)\n");
    const text = await runScript("run-kiln.ts", [join(dir, "text.wasm"), "--engine", "wasmtime"]);
    expect([text.code, text.stderr.split("\n")[0]]).toEqual([
      2,
      `run-kiln: error: ${join(dir, "text.wasm")} is not a WebAssembly file: not a WebAssembly binary (no \\0asm magic)`,
    ]);
    const flag = await runScript("run-kiln.ts", [HELLO, "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--bogus");
    writeFileSync(join(dir, "a.wasm"), "");
    const env = await runScript("run-kiln.ts", [join(dir, "a.wasm"), "--env", "NOEQUALS"]);
    expect(env.code).toBe(2);
  });
});
