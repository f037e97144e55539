import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  adhocName,
  appendEntry,
  collectAdhocInputs,
  expectationFromRuns,
  manifestEntry,
  observedMeld,
  parseAdhocSpec,
  type AdhocFixture,
  type AdhocSpec,
} from "./adhoc.ts";
import { SeamError } from "./errors.ts";
import { sha256 } from "./fsx.ts";
import { judgeRun } from "./judge.ts";
import { parseManifest } from "./manifest.ts";
import type { RunRecord } from "./records.ts";
import type { Cell, Row } from "./tierc-report.ts";
import { tempDir } from "../testing/testkit.ts";
import { ROOT } from "./tools.ts";

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");
const CORE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const COMMAND: AdhocSpec = { args: [], env: {}, invokes: [] };

function run(over: Partial<RunRecord>): RunRecord {
  const stdout = over.stdout ?? "";
  return {
    schema: "seam.run/1",
    engine: "wasmtime",
    engineVersion: "49.0.3",
    enginePath: "/x/wasmtime",
    wasm: "x.wasm",
    form: "component",
    command: "wasmtime run x.wasm",
    verdict: "passed",
    exitCode: 0,
    signal: null,
    stdout,
    stdoutBytes: Buffer.byteLength(stdout),
    stdoutSha256: sha256(stdout),
    stdoutTruncated: false,
    stderr: "",
    ms: 1,
    ...over,
  };
}

const record = (records: RunRecord[], spec: AdhocSpec = COMMAND, engine: "jco" | "wasmtime" = "wasmtime") =>
  expectationFromRuns(
    { name: "app", file: "/in/app.wasm" },
    spec,
    records,
    engine,
    engine === "jco" ? "1.35.0" : "49.0.3",
    "ab".repeat(32),
  );

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeamError && e.exitCode === 2) return e.message;
    throw e;
  }
  throw new Error("no usage error");
}

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

describe("the expectation recorded from the reference", () => {
  test("a command's exit 0 and exact stdout; the run it came from meets it, another does not", () => {
    const ref = run({ stdout: "hi\tthere ✓\n" });
    const a = record([ref]);
    expect(a.refusal).toBeUndefined();
    expect(a.fixture.expect).toEqual({ kind: "exit", exit: 0, stdout: "hi\tthere ✓\n" });
    expect(judgeRun(ref, a.fixture).ok).toBe(true);
    expect(judgeRun(run({ stdout: "hi\tthere\n" }), a.fixture).why).toStartWith("stdout differs at byte 8");
    expect(a.fixture.reference).toEqual({
      engine: "wasmtime",
      why: expect.stringContaining("recorded ad hoc by tier-c on wasmtime"),
    });
  });

  test("large or truncated stdout is kept as sha256 and byte count", () => {
    const big = "x".repeat(5000);
    expect(record([run({ stdout: big })]).fixture.expect).toEqual({
      kind: "exit",
      exit: 0,
      stdoutSha256: sha256(big),
      stdoutBytes: 5000,
    });
    const cut = run({
      stdout: "kept part",
      stdoutBytes: 2_000_000,
      stdoutSha256: "c".repeat(64),
      stdoutTruncated: true,
    });
    expect(record([cut]).fixture.expect).toEqual({
      kind: "exit",
      exit: 0,
      stdoutSha256: "c".repeat(64),
      stdoutBytes: 2_000_000,
    });
  });

  test("a non-zero exit is recorded with its status and compared as non-zero; a trap as a trap", () => {
    const a = record([run({ verdict: "exit-nonzero", exitCode: 1, guestExit: 1, stdout: "bye\n" })]);
    expect(a.fixture.expect).toEqual({ kind: "exit", exit: 1, stdout: "bye\n" });
    expect(judgeRun(run({ verdict: "exit-nonzero", guestExit: 3, stdout: "bye\n" }), a.fixture).ok).toBe(false);
    expect(judgeRun(run({ verdict: "passed", stdout: "bye\n" }), a.fixture).ok).toBe(false);
    expect(
      judgeRun(run({ verdict: "exit-nonzero", engine: "kiln", guestExit: null, stdout: "bye\n" }), a.fixture).why,
    ).toContain("lost the guest's exit status");
    const t = record([run({ verdict: "trapped", errorLine: "wasm trap: unreachable" })]);
    expect(t.fixture.expect).toEqual({ kind: "trap" });
    expect(judgeRun(run({ verdict: "passed" }), t.fixture).ok).toBe(false);
  });

  test("an original the reference cannot run gives a refusal saying why, never an expectation", () => {
    const a = record([
      run({
        verdict: "failed",
        exitCode: 1,
        errorLine: "failed to run main module `x.wasm`: no exported instance named `wasi:cli/run@0.2.12`",
      }),
    ]);
    expect(a.refusal).toBe(
      "no expectation could be recorded: wasmtime cannot run the original as a wasi:cli command: failed (failed to run main module `x.wasm`: no exported instance named `wasi:cli/run@0.2.12`); if it is not a command, name the exports to call with --invoke",
    );
    expect(a.fixture.expect).toBeNull();
    expect(record([run({ verdict: "timeout", errorLine: "timed out after 60 s" })]).refusal).toContain(
      "cannot run the original as a wasi:cli command: timeout (timed out after 60 s)",
    );
    expect(record([run({ verdict: "missing-engine", errorLine: "wasmtime not found" })]).refusal).toBe(
      "no expectation could be recorded: wasmtime missing: wasmtime not found",
    );
  });

  test("each --invoke's one result or trap; numbers are judged on kilnd too, other values on the reference only", () => {
    const spec = { ...COMMAND, invokes: ["compute", "name", "boom"] };
    const a = record(
      [
        run({ invoke: "compute", results: ["47"] }),
        run({ invoke: "name", results: ['"seam"'] }),
        run({ invoke: "boom", verdict: "trapped" }),
      ],
      spec,
    );
    expect(a.fixture.kind).toBe("invoke");
    expect(a.fixture.invoke).toEqual([
      { export: "compute", result: "47", trap: false, referenceOnly: false },
      { export: "name", result: '"seam"', trap: false, referenceOnly: true },
      { export: "boom", trap: true, referenceOnly: false },
    ]);
    expect(
      judgeRun(
        run({ engine: "kiln", invoke: "compute", results: ["47"], values: [{ type: "I32", text: "47" }] }),
        a.fixture,
        "compute",
      ).ok,
    ).toBe(true);
    expect(judgeRun(run({ invoke: "compute", results: ["48"] }), a.fixture, "compute").why).toBe(
      "compute: result differs: expected 47, got 48",
    );
  });

  test("an export that fails, returns nothing, or only non-numbers gives a refusal", () => {
    const one = (r: Partial<RunRecord>) => record([run({ invoke: "f", ...r })], { ...COMMAND, invokes: ["f"] }).refusal;
    expect(one({ verdict: "failed", errorLine: "No exported func named `f` in component." })).toBe(
      "no expectation could be recorded: wasmtime cannot call f on the original: failed (No exported func named `f` in component.)",
    );
    expect(one({ results: ["()"] })).toBe(
      "no expectation could be recorded: f returns nothing on wasmtime: seam judges an export by its one result",
    );
    expect(one({ results: ['"text"'] })).toStartWith(
      "no expectation could be recorded: kilnd --invoke prints numbers only, and none of f returns one",
    );
  });

  test("with jco as the reference, meld's multi-memory output is judged on wasmtime (jco cannot run it)", () => {
    const a = record([run({ engine: "jco", stdout: "x" })], COMMAND, "jco");
    expect(a.fixture.reference).toBeUndefined();
    expect(a.fixture.meld.multi.reference).toBe("wasmtime");
    expect(a.recordedOn).toBe("jco 1.35.0");
  });
});

describe("--save-fixture", () => {
  const cell = (step: Cell["step"], status: string, ok: boolean | null, detail = ""): Cell => ({
    step,
    status,
    ok,
    detail,
    ms: 1,
    cached: false,
  });
  const rowOf = (mode: "multi" | "shared", form: "component" | "core", fuse: Cell, ref: Cell): Row => ({
    fixture: "app",
    mode,
    form,
    verdict: "pass",
    outcome: "ok",
    why: "",
    cells: [
      cell("reference(original)", "passed", true),
      cell("kiln(original)", "skipped", null),
      fuse,
      ref,
      cell("kiln(fused)", "skipped", null),
    ],
  });
  const fused = cell("fuse", "fused", true, "100 bytes");
  const passes = cell("reference(fused)", "passed", true);
  const refused = cell("fuse", "refused", false, "#390: cannot fuse the same-memory call to 'a#b'");
  const rows = [
    rowOf(
      "multi",
      "component",
      fused,
      cell("reference(fused)", "failed", false, "expected exit 0, got failed (canonical option `memory` is required)"),
    ),
    rowOf("multi", "core", fused, passes),
    rowOf("shared", "component", refused, cell("reference(fused)", "skipped", null, "nothing fused")),
    rowOf("shared", "core", refused, cell("reference(fused)", "skipped", null, "nothing fused")),
  ];

  test("meld's outcome per mode and form is read off the rows", () => {
    const a = record([run({ stdout: "x" })], COMMAND, "jco");
    expect(observedMeld(a, rows)).toEqual({
      component: {
        multi: {
          outcome: "misfused",
          message: "expected exit 0, got failed (canonical option `memory` is required)",
          reference: "wasmtime",
        },
        shared: { outcome: "refused", message: "#390: cannot fuse the same-memory call to 'a#b'" },
      },
      core: {
        multi: { outcome: "fused" },
        shared: { outcome: "refused", message: "#390: cannot fuse the same-memory call to 'a#b'" },
      },
    });
    expect(() => observedMeld(a, rows.slice(1))).toThrow(
      "cannot record what meld does with app: the run has no multi component row",
    );
    expect(() =>
      observedMeld(a, [
        rowOf("multi", "component", cell("fuse", "crashed", false, "panicked"), passes),
        ...rows.slice(1),
      ]),
    ).toThrow("meld crashed (multi component): panicked");
  });

  test("the entry appended to a manifest loads back with the same expectation, awkward text included", () => {
    const dir = tempDir("seam-adhoc-entry");
    copyFileSync(HELLO, join(dir, "kept.wasm"));
    const file = join(dir, "kept.wasm");
    const spec: AdhocSpec = {
      args: ["two words", 'a "quote"', "ünï"],
      env: { K: "v: w # not a comment" },
      stdin: new TextEncoder().encode("line\n\ttab\u2028end"),
      invokes: [],
    };
    const stdout = 'out: "x"\n\r\u0007 ✓\n' + "a longer line of output, past yaml's fold width\n".repeat(3);
    const a = expectationFromRuns(
      { name: "kept", file },
      spec,
      [run({ stdout })],
      "wasmtime",
      "49.0.3",
      sha256(readFileSync(file)),
    );
    const meld = {
      component: { multi: { outcome: "pass" as const }, shared: { outcome: "refused" as const, message: "a: b # c" } },
      core: {
        multi: { outcome: "fused" as const },
        shared: { outcome: "refused" as const, message: 'it\'s "quoted"' },
      },
    };
    const path = join(dir, "manifest.yaml");
    for (const start of ["schema: seam.fixtures/1\nfixtures: []\n", "# header\nschema: seam.fixtures/1\nfixtures:\n"]) {
      const text = appendEntry(start, manifestEntry(a, "kept", meld), path);
      const { manifest, problems } = parseManifest(text, path);
      expect(problems).toEqual([]);
      const f = manifest.fixtures[0]!;
      expect([f.name, f.build, f.sources, f.relFile, f.args, f.env, new TextDecoder().decode(f.stdin)]).toEqual([
        "kept",
        "prebuilt",
        ["kept.wasm"],
        "kept.wasm",
        spec.args,
        spec.env,
        "line\n\ttab\u2028end",
      ]);
      expect(f.expect).toEqual({ kind: "exit", exit: 0, stdout });
      expect(f.meld).toEqual(meld.component);
      expect(f.meldCore).toEqual(meld.core);
      expect(f.reference?.engine).toBe("wasmtime");
    }
    const twice = appendEntry(
      appendEntry("schema: seam.fixtures/1\nfixtures:\n", manifestEntry(a, "kept", meld), path),
      manifestEntry(a, "kept", meld),
      path,
    );
    expect(parseManifest(twice, path).problems.map((p) => p.message)).toEqual([
      "duplicate name (first used on line 3)",
    ]);
  });

  test("an invoke entry keeps traps and reference-only results; a refusal is never saved", () => {
    const spec = { ...COMMAND, invokes: ["ns:p/i@0.1.0#f", "g", "h"] };
    const a = record(
      [
        run({ invoke: "ns:p/i@0.1.0#f", results: ["-3"] }),
        run({ invoke: "g", verdict: "trapped" }),
        run({ invoke: "h", results: ["[1, 2]"] }),
      ],
      spec,
    );
    const meld = {
      component: { multi: { outcome: "pass" as const }, shared: { outcome: "pass" as const } },
      core: { multi: { outcome: "fused" as const }, shared: { outcome: "fused" as const } },
    };
    const path = join(tempDir("seam-adhoc-invoke"), "manifest.yaml");
    const { manifest, problems } = parseManifest(
      appendEntry("schema: seam.fixtures/1\nfixtures: []\n", manifestEntry(a, "inv", meld), path),
      path,
      { checkFiles: false },
    );
    expect(problems).toEqual([]);
    expect(manifest.fixtures[0]!.invoke).toEqual(a.fixture.invoke);
    const refusal: AdhocFixture = record([run({ verdict: "failed", errorLine: "nope" })]);
    expect(() => manifestEntry(refusal, "x", meld)).toThrow(
      "cannot save x: no expectation could be recorded: wasmtime cannot run the original",
    );
  });

  test("a manifest whose fixtures list is not last, or written inline with entries, is refused", () => {
    expect(usage(() => appendEntry("fixtures:\n  - name: a\nschema: seam.fixtures/1\n", "x", "m.yaml"))).toBe(
      "m.yaml: fixtures is not the manifest's last key, so an entry cannot be appended",
    );
    expect(usage(() => appendEntry("schema: seam.fixtures/1\nfixtures: [{ name: a }]\n", "x", "m.yaml"))).toStartWith(
      "m.yaml: the fixtures list is written inline",
    );
  });
});
