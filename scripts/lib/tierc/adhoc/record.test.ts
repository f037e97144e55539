import { describe, expect, test } from "bun:test";
import type { AdhocSpec } from "./inputs.ts";
import { sha256 } from "../../core/fsx.ts";
import { judgeRun } from "../../fixtures/judge.ts";
import type { RunRecord } from "../../engines/records.ts";
import { wasmtimeRun as run, adhocExpectation, ADHOC_COMMAND as COMMAND } from "../../../testing/run-records.ts";

const record = adhocExpectation;

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
    ).toContain("kiln showed no exit of the guest");
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
