import { describe, expect, test } from "bun:test";
import { findCall, judgeRun } from "./judge.ts";
import { loadManifest, type Fixture } from "./manifest.ts";
import { runRecord as run } from "../testing/run-records.ts";

const MANIFEST = loadManifest();

function fixture(name: string): Fixture {
  const f = MANIFEST.fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
}

describe("judgeRun", () => {
  test("exact stdout passes; a difference names the first differing byte", () => {
    const hello = fixture("hello_c_cli");
    expect(judgeRun(run({ stdout: "Hello wasm component world from C!\n" }), hello)).toEqual({
      ok: true,
      why: "exit 0, stdout matches (35 bytes)",
    });
    expect(judgeRun(run({ stdout: "Hello wasm component world from Rust\n" }), hello)).toEqual({
      ok: false,
      why: 'stdout differs at byte 32: expected "C!\\n", got "Rust\\n"',
    });
    expect(judgeRun(run({ stdout: "Hello" }), hello).why).toBe(
      'stdout ends at byte 5, expected 35 bytes (missing " wasm component ")',
    );
  });

  test("a trap is judged by the verdict alone", () => {
    expect(
      judgeRun(run({ verdict: "trapped", exitCode: 1, errorLine: "RuntimeError: unreachable" }), fixture("trap")).ok,
    ).toBe(true);
    expect(judgeRun(run({ stdout: "trap: reaching unreachable\n" }), fixture("trap"))).toEqual({
      ok: false,
      why: "expected trap, got passed",
    });
  });

  test("exit 3 is compared as non-zero: status 1 from wasi:cli/exit@0.2 passes, 2 does not, a status kilnd lost does not", () => {
    const f = fixture("exit_code");
    const out = "exit_code: exiting with status 3\n";
    expect(judgeRun(run({ verdict: "exit-nonzero", exitCode: 1, stdout: out }), f).ok).toBe(true);
    expect(judgeRun(run({ verdict: "exit-nonzero", exitCode: 3, stdout: out, engine: "wasmtime" }), f).ok).toBe(true);
    expect(judgeRun(run({ verdict: "exit-nonzero", exitCode: 2, stdout: out }), f).why).toBe(
      "exit status 2: expected 3 (or 1, as wasi:cli/exit@0.2 reports any error)",
    );
    const lost = judgeRun(
      run({
        verdict: "exit-nonzero",
        exitCode: 1,
        guestExit: null,
        stdout: out,
        engine: "kiln",
        errorLine: "kilnd printed no verdict line",
      }),
      f,
    );
    expect([lost.ok, lost.why]).toEqual([
      false,
      "expected exit 3, but kiln lost the guest's exit status (kilnd printed no verdict line)",
    ]);
    expect(judgeRun(run({ stdout: out }), f).why).toBe("expected exit 3, got passed");
  });

  test("big output is compared by full-stream sha256 and byte count, even when the kept text is truncated", () => {
    const f = fixture("big_output");
    const e = f.expect!;
    if (e.kind !== "exit") throw new Error("big_output exits");
    expect(
      judgeRun(
        run({ stdout: "x", stdoutTruncated: true, stdoutBytes: e.stdoutBytes!, stdoutSha256: e.stdoutSha256! }),
        f,
      ).ok,
    ).toBe(true);
    expect(judgeRun(run({ stdout: "x".repeat(10), stdoutBytes: 65536, stdoutSha256: "ab".repeat(32) }), f).why).toMatch(
      /^stdout differs: expected 1049600 bytes with sha256 ea704210df4b…, got 65536 bytes/,
    );
  });

  test("invoke results are compared per export, by full or bare name", () => {
    const f = fixture("compute_composed");
    expect(judgeRun(run({ invoke: "seam:fixtures/runner@0.1.0#compute", results: ["42"] }), f).ok).toBe(true);
    expect(judgeRun(run({ results: ["41"] }), f, "compute").why).toBe("compute: result differs: expected 42, got 41");
    expect(judgeRun(run({ verdict: "failed", errorLine: "[Runtime][E0BBB] Export not found" }), f, "greet").why).toBe(
      "greet: expected result 7, got failed ([Runtime][E0BBB] Export not found)",
    );
    expect(judgeRun(run({ results: ["1"] }), f, "nope").why).toBe("fixture compute_composed has no invoke call nope");
    expect(findCall(f, "seam:fixtures/runner@0.1.0#greet")?.result).toBe("7");
  });

  test("a missing engine never passes", () => {
    expect(judgeRun(run({ verdict: "missing-engine", errorLine: "kilnd not found" }), fixture("hello_c_cli"))).toEqual({
      ok: false,
      why: "engine missing: kilnd not found",
    });
  });
});
