import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { classifyJco, classifyKiln, parseKilnTranscript, parseSignature } from "./classify.ts";
import { resultMatches } from "../fixtures/judge.ts";
import { formatSignature } from "./records.ts";
import { ROOT } from "../core/paths.ts";
import { KILND_CASES } from "../../testing/kilnd-cases.ts";
import { procResult, recordedProc } from "../../testing/run-records.ts";

const TRANSCRIPTS = join(ROOT, "fixtures", "kilnd-0.4.4", "transcripts");

const sha16 = (s: string) => (s === "" ? "" : createHash("sha256").update(s).digest("hex").slice(0, 16));

describe("kilnd 0.4.4 transcripts, as recorded", () => {
  test("every recorded case is in the table, and every row is a recorded case", () => {
    const index = JSON.parse(readFileSync(join(TRANSCRIPTS, "index.json"), "utf8")) as { case: string }[];
    expect(KILND_CASES.map((r) => r[0]).sort()).toEqual(index.map((c) => c.case).sort());
  });

  test.each(KILND_CASES)("%s → %s %s", (name, verdict, signature, guestSha, values) => {
    const c = classifyKiln(recordedProc(name));
    expect(c.verdict).toBe(verdict as never);
    expect(c.signature ? formatSignature(c.signature) : "").toBe(signature);
    expect(sha16(c.stdout)).toBe(guestSha);
    expect(c.values ? c.values.map((v) => `${v.type}(${v.text})`).join(" ") : (c.results ?? []).join(" ")).toBe(values);
  });

  test("the table agrees with the recorder's own account (README: verdict line, guest result)", () => {
    const readme = readFileSync(join(ROOT, "fixtures", "kilnd-0.4.4", "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| ([a-z0-9_.-]+) \| `kilnd[^|]*` \| (\d+) \| ([^|]+) \| ([^|]*) \|$/gm)];
    expect(rows.length).toBeGreaterThan(130);
    for (const [, name, , line, result] of rows) {
      const [, verdict, signature, , values] = KILND_CASES.find((r) => r[0] === name)!;
      const said = line!.trim();
      if (said === "✓ Execution completed successfully") expect(verdict).toBe("passed");
      else if (said === "(no verdict line)") expect(verdict).toBe("exit-nonzero");
      else expect(signature).toBe(said);
      expect(values).toBe(result!.trim());
    }
  });

  test("the guest's stdout is exact: big_output's 1,049,600 bytes hash as the manifest says", () => {
    const c = classifyKiln(recordedProc("big_output.fused-core"));
    expect(Buffer.byteLength(c.stdout)).toBe(1049600);
    expect(createHash("sha256").update(c.stdout).digest("hex")).toBe(
      "ea704210df4b9482e103e5185c8cba099572dbd300213b532c59bb0db7bcc66b",
    );
    expect(c.kiln?.wasiCalls).toBe(2030);
    expect(c.kiln?.fuel).toBe(89736441);
    expect(c.kiln?.peakMemoryBytes).toBeGreaterThan(0);
  });

  test("[WASI-TRACE] lines are counted, and kept out of the guest's output and out of the signature", () => {
    const t = parseKilnTranscript(
      recordedProc("hello_c_cli.fused-core").stdout,
      recordedProc("hello_c_cli.fused-core").stderr,
    );
    expect(t.facts.wasiCalls).toBe(7);
    expect(t.stderr).not.toContain("WASI-TRACE");
    expect(t.guest).toBe("Hello wasm component world from C!\n");
    expect(t.completion).toEqual({ fn: "_start", values: [] });
  });

  test("a refused component is unsupported-form, with kiln's signature; kilnd's [ERROR] lines are kept", () => {
    const c = classifyKiln(recordedProc("hello_c_cli.fused-component"));
    expect([c.verdict, c.signature?.code]).toEqual(["unsupported-form", "E0BBB"]);
    expect(c.kiln?.errors.join("\n")).toContain("kiln runs core modules");
  });

  test("a fused component kilnd does run answers --invoke with its result alone on a line, untyped", () => {
    const c = classifyKiln(recordedProc("compute_direct.0.fused-component"));
    expect([c.verdict, c.results, c.values, c.stdout]).toEqual(["passed", ["7"], undefined, ""]);
  });

  test("a guest's non-zero exit has no verdict line: exit-nonzero, status 1 read off its wasi:cli/exit call (err)", () => {
    const c = classifyKiln(recordedProc("exit_code.fused-core"));
    expect([c.verdict, c.guestExit, c.stdout]).toEqual(["exit-nonzero", 1, "exit_code: exiting with status 3\n"]);
    expect(c.errorLine).toContain("called wasi:cli/exit exit(err)");
    const untraced = recordedProc("exit_code.fused-core");
    const noTrace = { ...untraced, stderr: untraced.stderr.replace(/^.*wasi:cli\/exit::exit.*$/m, "") };
    expect(classifyKiln(noTrace).guestExit).toBeNull();
  });

  test("a component kilnd ran is judged by what it did, though kilnd prints its RFC #46 line after it", () => {
    const c = classifyKiln(recordedProc("command_composed.fused-component"));
    expect([c.verdict, c.signature?.code]).toEqual(["trapped", "E2199"]);
    expect(c.stdout.startsWith("\0".repeat(42))).toBe(true);
    expect(c.stdout).toContain("ider component)");
    expect(classifyKiln(recordedProc("hello_c_cli.original")).verdict).toBe("unsupported-form");
  });

  test("ls_s_1_ kilnd's exit status is recorded but not trusted: its transcript decides", () => {
    expect(classifyKiln(recordedProc("hello_c_cli.fused-component", 0)).verdict).toBe("unsupported-form");
    expect(classifyKiln(recordedProc("trap.fused-core", 0)).verdict).toBe("trapped");
    expect(classifyKiln(recordedProc("hello_c_cli.fused-core", 1)).verdict).toBe("passed");
    expect(classifyKiln(recordedProc("edge.not-wasm", 0)).signature?.code).toBe("E03F2");
  });

  test("a guest's last line without a newline stays without one (kilnd's blank line is not the guest's)", () => {
    // Derived from a real transcript: the guest's final newline removed, nothing else changed.
    const real = recordedProc("hello_c_cli.fused-core");
    const c = classifyKiln({ ...real, stdout: real.stdout.replace("from C!\n\n✓ Function", "from C!\n✓ Function") });
    expect([c.verdict, c.stdout]).toEqual(["passed", "Hello wasm component world from C!"]);
  });

  test("kilnd's own log line glued to an unterminated guest line is split off", () => {
    // Derived from a real transcript: guest text placed before kilnd's [ERROR] line, with no newline.
    const real = recordedProc("compute_core_names.0.fused-core");
    const c = classifyKiln({
      ...real,
      stdout: real.stdout.replace("[ERROR] No entry point", "partial[ERROR] No entry point"),
    });
    expect(c.stdout).toBe("partial");
  });

  test("a flood past the capture still finds kilnd's verdict in the kept tail; a panic is a crash", () => {
    const real = recordedProc("hello_c_cli.fused-core");
    const cut = real.stdout.indexOf("Hello");
    const c = classifyKiln({
      ...real,
      stdout: real.stdout.slice(0, cut) + "x".repeat(100),
      stdoutTruncated: true,
      stdoutTail: real.stdout.slice(cut + 10),
    });
    expect(c.verdict).toBe("passed");
    expect(
      classifyKiln(procResult({ code: 101, stderr: "thread 'main' panicked at src/main.rs:1:1:\nboom\n" })).verdict,
    ).toBe("crashed");
  });
});

describe("signatures and typed values (pure)", () => {
  test("parses [Category][Ecode] message and the optional ASIL bracket", () => {
    expect(parseSignature("✗ Execution failed: [Runtime][E0BBB] Export not found")).toEqual({
      category: "Runtime",
      code: "E0BBB",
      message: "Export not found",
    });
    // ASIL builds add a third bracket (kiln's error formatting); no recorded 0.4.4 build has it.
    expect(parseSignature("[Runtime][E0BBB][ASIL-C] Export not found")).toEqual({
      category: "Runtime",
      code: "E0BBB",
      asil: "ASIL-C",
      message: "Export not found",
    });
    expect(
      parseSignature(
        "[ComponentRuntime][E5DC2] wasi:cli/run export references an out-of-bounds component instance index",
      )?.code,
    ).toBe("E5DC2");
    expect(parseSignature("no signature here")).toBeUndefined();
  });

  test("I32(42) meets 42; an unsigned result meets kilnd's I32 of the same bits; floats by value", () => {
    expect(resultMatches("42", "42", { type: "I32", text: "42" })).toBe(true);
    expect(resultMatches("4098775966", "-196191330", { type: "I32", text: "-196191330" })).toBe(true);
    expect(resultMatches("-36", "-36", { type: "I32", text: "-36" })).toBe(true);
    expect(resultMatches("2349787916", "-2128831035", { type: "I32", text: "-2128831035" })).toBe(false);
    expect(resultMatches("18446744073709551615", "-1", { type: "I64", text: "-1" })).toBe(true);
    expect(resultMatches("4294967295", "-1", { type: "I64", text: "-1" })).toBe(false);
    expect(resultMatches("-4294967338", "-42", { type: "I32", text: "-42" })).toBe(false);
    expect(resultMatches("1.5", "1.50", { type: "F64", text: "1.50" })).toBe(true);
    expect(resultMatches("42", "43", undefined)).toBe(false);
  });

  test("jco: a RuntimeError is the guest's trap; silent non-zero is the guest's exit; else the engine failed", () => {
    expect(
      classifyJco(
        procResult({
          code: 1,
          stderr: "RuntimeError: wasm trap: wasm `unreachable` instruction executed\n    at main",
        }),
      ).verdict,
    ).toBe("trapped");
    expect(classifyJco(procResult({ code: 1, stderr: "" })).verdict).toBe("exit-nonzero");
    const f = classifyJco(
      procResult({
        code: 1,
        stderr:
          "Error: Unable to transpile command for execution\n  [cause]: ComponentError: bad\n  Caused by:\n      lowered result types do not match\n",
      }),
    );
    expect(f.verdict).toBe("failed");
    expect(f.errorLine).toContain("lowered result types do not match");
  });
});
