/**
 * judge — holds one engine run against a fixture's expectation and says why, in the words every report
 * uses: exact stdout (the first differing byte) or its sha256 and size, the exit status compared as
 * "non-zero", a trap, each invoke call's result (kilnd's typed integers by their bits). Also the
 * expectation itself in words, as REPRO.md states it. Pure.
 * Used by scripts/fixtures.ts (verify), scripts/tier-c.ts (every cell, corpus and ad hoc) and the tests.
 */
import { sha256 } from "./fsx.ts";
import type { CommandExpectation, Fixture, InvokeCall } from "./manifest.ts";
import type { RunRecord, TypedValue } from "./records.ts";

export interface Judgement {
  ok: boolean;
  why: string;
}

/** The invoke call a run made, matched by full export name or by the function name after `#`. */
export function findCall(fixture: Fixture, invoke: string): InvokeCall | undefined {
  const fn = (s: string) => s.slice(s.lastIndexOf("#") + 1);
  return (
    fixture.invoke.find((c) => c.export === invoke) ??
    fixture.invoke.find((c) => fn(c.export) === fn(invoke) && (!invoke.includes("#") || !c.export.includes("#")))
  );
}

function snippet(bytes: Uint8Array, at: number): string {
  return JSON.stringify(new TextDecoder().decode(bytes.subarray(at, at + 16)));
}

/** Stdout against the expectation: by sha256 and size, or exact, naming the first byte that differs. */
function compareStdout(run: RunRecord, exp: Extract<CommandExpectation, { kind: "exit" }>): Judgement {
  if (exp.stdoutSha256 !== undefined) {
    if (run.stdoutSha256 === exp.stdoutSha256 && run.stdoutBytes === exp.stdoutBytes)
      return { ok: true, why: `stdout matches (${run.stdoutBytes} bytes, sha256)` };
    return {
      ok: false,
      why: `stdout differs: expected ${exp.stdoutBytes} bytes with sha256 ${exp.stdoutSha256.slice(0, 12)}…, got ${run.stdoutBytes} bytes with ${run.stdoutSha256.slice(0, 12)}…`,
    };
  }
  const want = new TextEncoder().encode(exp.stdout ?? "");
  if (run.stdoutSha256 === sha256(want) && run.stdoutBytes === want.length)
    return { ok: true, why: `stdout matches (${want.length} bytes)` };
  const got = new TextEncoder().encode(run.stdout);
  const n = Math.min(want.length, got.length);
  let i = 0;
  while (i < n && want[i] === got[i]) i++;
  if (i < n)
    return { ok: false, why: `stdout differs at byte ${i}: expected ${snippet(want, i)}, got ${snippet(got, i)}` };
  if (run.stdoutBytes < want.length)
    return {
      ok: false,
      why: `stdout ends at byte ${run.stdoutBytes}, expected ${want.length} bytes (missing ${snippet(want, run.stdoutBytes)})`,
    };
  return {
    ok: false,
    why: `stdout has ${run.stdoutBytes} bytes, expected ${want.length} (extra from byte ${want.length}: ${snippet(got, want.length)})`,
  };
}

/**
 * Does a returned value meet the expected text? The same text, or, for kilnd's typed integers, the same
 * bits: kilnd prints every 32-bit result as I32, so a u32 4098775966 comes back as I32(-196191330).
 * Floats compare by value.
 */
export function resultMatches(expected: string, got: string, typed?: TypedValue): boolean {
  if (got === expected) return true;
  if (!typed) return false;
  const bits = { I32: 32, I64: 64 }[typed.type];
  if (bits !== undefined) {
    if (!/^-?\d+$/.test(expected) || !/^-?\d+$/.test(got)) return false;
    const want = BigInt(expected);
    const inRange = want >= -(2n ** BigInt(bits - 1)) && want < 2n ** BigInt(bits);
    return inRange && BigInt.asUintN(bits, want) === BigInt.asUintN(bits, BigInt(got));
  }
  if (typed.type === "F32" || typed.type === "F64")
    return Number(expected) === Number(got) || (Number.isNaN(Number(expected)) && Number.isNaN(Number(got)));
  return false;
}

/** What a failed run said, for a why-line: its verdict, and its error line or results. */
function runOutcome(run: RunRecord): string {
  const detail = run.errorLine ?? (run.results?.length ? `result ${run.results.join(", ")}` : "");
  return detail ? `${run.verdict} (${detail})` : run.verdict;
}

/** One invoke call's run against what the fixture records for it. */
function judgeCall(run: RunRecord, fixture: Fixture, name: string | undefined): Judgement {
  if (!name) return { ok: false, why: `fixture ${fixture.name} is judged per invoke call; name the export` };
  const call = findCall(fixture, name);
  if (!call) return { ok: false, why: `fixture ${fixture.name} has no invoke call ${name}` };
  if (call.trap)
    return run.verdict === "trapped"
      ? { ok: true, why: `${name} trapped as expected` }
      : { ok: false, why: `${name}: expected trap, got ${runOutcome(run)}` };
  if (run.verdict !== "passed")
    return { ok: false, why: `${name}: expected result ${call.result}, got ${runOutcome(run)}` };
  const results = run.results ?? [];
  if (results.length === 1 && resultMatches(call.result!, results[0]!, run.values?.[0])) {
    return {
      ok: true,
      why: `${name} returned ${call.result}${results[0] === call.result ? "" : ` (${run.values?.[0]?.type}(${results[0]}))`}`,
    };
  }
  return {
    ok: false,
    why: `${name}: result differs: expected ${call.result}, got ${results.length ? results.join(", ") : "nothing"}`,
  };
}

/** A non-zero exit against the expected status; undefined when it meets it. */
function judgeExitStatus(run: RunRecord, exit: number): Judgement | undefined {
  if (run.verdict !== "exit-nonzero") return { ok: false, why: `expected exit ${exit}, got ${runOutcome(run)}` };
  // A guest's status is known only when the engine reports it: kilnd prints no verdict line and
  // exits 1 for every failure, so "non-zero" from kilnd does not show that the guest chose to exit.
  const status = run.guestExit === undefined ? run.exitCode : run.guestExit;
  if (status === null)
    return {
      ok: false,
      why: `expected exit ${exit}, but ${run.engine} lost the guest's exit status (${run.errorLine ?? "not reported"})`,
    };
  if (status !== exit && status !== 1)
    return { ok: false, why: `exit status ${status}: expected ${exit} (or 1, as wasi:cli/exit@0.2 reports any error)` };
  return undefined;
}

/**
 * Judges one engine run against a fixture's expectation. A guest's exit status is compared as
 * "non-zero": wasi:cli/exit@0.2 carries only ok/err, so engines report exit(3) as status 1 (measured:
 * jco 1.35 and wasmtime 49 both print 1); a status that is neither the expected code nor 1 is a
 * mismatch, and kilnd's status is not compared at all (upstream does not trust it).
 */
export function judgeRun(run: RunRecord, fixture: Fixture, invoke?: string): Judgement {
  if (run.verdict === "missing-engine") return { ok: false, why: `engine missing: ${run.errorLine ?? run.engine}` };
  if (fixture.kind === "invoke") return judgeCall(run, fixture, invoke ?? run.invoke);
  const exp = fixture.expect;
  if (!exp) return { ok: false, why: `fixture ${fixture.name} has no expectation` };
  if (exp.kind === "trap")
    return run.verdict === "trapped"
      ? { ok: true, why: "trapped as expected" }
      : { ok: false, why: `expected trap, got ${runOutcome(run)}` };
  if (exp.exit === 0 && run.verdict !== "passed") return { ok: false, why: `expected exit 0, got ${runOutcome(run)}` };
  const status = exp.exit === 0 ? undefined : judgeExitStatus(run, exp.exit);
  if (status) return status;
  const out = compareStdout(run, exp);
  return out.ok ? { ok: true, why: `exit ${exp.exit === 0 ? 0 : "non-zero"}, ${out.why}` } : out;
}

/** The expectation in words, as REPRO.md states it. */
export function expectationText(f: Fixture): string {
  if (f.kind === "invoke")
    return f.invoke.map((c) => (c.trap ? `${c.export}() traps` : `${c.export}() = ${c.result}`)).join(", ");
  const e = f.expect;
  if (!e) return "none";
  if (e.kind === "trap") return "the guest traps";
  const out = e.stdoutSha256
    ? `${e.stdoutBytes} bytes of stdout with sha256 ${e.stdoutSha256}`
    : `stdout ${JSON.stringify(e.stdout ?? "")}`;
  return `exit ${e.exit === 0 ? "0" : `${e.exit} (non-zero)`}, ${out}`;
}
