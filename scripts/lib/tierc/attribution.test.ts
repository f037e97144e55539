import { describe, expect, test } from "bun:test";
import { shardFixtures } from "./matrix.ts";
import { decide, type CellRun, type RowInputs } from "./attribution.ts";
import { parseLedger } from "./ledger.ts";
import type { FuseRecord } from "../engines/records.ts";
import { LEDGER_YAML } from "../../testing/matrix-kit.ts";

const run = (ok: boolean | null, why = "", code?: string, status?: string): CellRun => ({
  status: status ?? (ok === null ? "skipped" : ok ? "passed" : "failed"),
  ok,
  why,
  records: [],
  ms: 1,
  cached: false,
  ...(code
    ? { signature: { category: "Runtime", code, message: code === "E0BBB" ? "Export not found" : "other" } }
    : {}),
});
const fused = { verdict: "fused" } as FuseRecord;
const ev = (cell: CellRun = run(true)) => ({ what: "jco ran the same fused component", engine: "jco", cell });
const row = (over: Partial<RowInputs>): RowInputs => ({
  fixture: "hello_c_cli",
  mode: "multi",
  form: "component",
  reference: "jco",
  refOrig: run(true),
  kilnOrig: run(true),
  fuse: fused,
  evidence: ev(),
  kilnFused: run(true),
  ...over,
});
const refused = (code: string) => run(false, "kilnd runs core modules only (RFC #46)", code, "unsupported-form");
const ledger375 = parseLedger(LEDGER_YAML, "known-blockers.yaml");

describe("attribution (pure)", () => {
  test("pass, and each tool's bug attributed to that tool", () => {
    expect(decide(row({}), []).verdict).toBe("pass");
    expect(decide(row({ kilnFused: run(false, "x", "E0BBB") }), []).verdict).toBe("seam-bug");
    expect(decide(row({ evidence: ev(run(false, "stdout differs")) }), []).verdict).toBe("meld-bug");
    expect(decide(row({ fuse: { verdict: "crashed", message: "panicked" } as FuseRecord }), []).verdict).toBe(
      "meld-bug",
    );
    expect(decide(row({ kilnOrig: run(false, "x", "E03ED"), kilnFused: run(false, "x", "E03ED") }), []).verdict).toBe(
      "kiln-unsupported",
    );
    expect(decide(row({ refOrig: run(false, "bad fixture") }), []).verdict).toBe("reference-fail");
  });

  test("a core module importing what the original does not import at its top level is meld's: meld left it unresolved", () => {
    const inputs = {
      form: "core" as const,
      evidence: undefined,
      noEvidence: "meld refused the component form: x",
      unresolved: ["`seam:fixtures/math@0.1.0` `add`"],
    };
    const d = decide(row({ ...inputs, kilnFused: run(false, "Unknown WASI function", "E03EE") }), []);
    expect([d.verdict, d.outcome]).toEqual(["meld-bug", "unexpected"]);
    expect(d.why).toStartWith("meld left `seam:fixtures/math@0.1.0` `add` unresolved");
    expect(decide(row({ ...inputs, kilnFused: run(true) }), []).verdict).toBe("pass");
    expect(decide(row({ ...inputs, unresolved: [], kilnFused: run(false, "x", "E03EE") }), []).verdict).toBe(
      "unattributed",
    );
  });

  test("ls_s_2_ a fused failure is only kiln's when the reference runs meld's output", () => {
    const both = decide(row({ evidence: ev(run(false, "trap")), kilnFused: run(false, "x", "E0BBB") }), []);
    expect(both.verdict).toBe("meld-bug");
    const seam = decide(row({ kilnFused: run(false, "x", "E0BBB") }), []);
    expect(seam.why).toContain("the same fused component passes on jco");
    expect(seam.evidence).toBe("jco ran the same fused component");
    const none = decide(
      row({
        form: "core",
        evidence: undefined,
        noEvidence: "meld refused the component form: x",
        kilnFused: run(false, "x", "E03EE"),
      }),
      [],
    );
    expect([none.verdict, none.outcome, none.evidence]).toEqual([
      "unattributed",
      "unexpected",
      "none: meld refused the component form: x",
    ]);
  });

  test("kilnd that refuses every component: no per-fixture kiln-unsupported, the fused component is kiln's", () => {
    const d = decide(row({ kilnOrig: refused("E07DA"), kilnFused: refused("E0BBB") }), []);
    expect([d.verdict, d.outcome]).toEqual(["seam-bug", "unexpected"]);
    expect(d.why).toContain("no kilnd baseline (kilnd runs no component)");
    expect(decide(row({ kilnOrig: refused("E07DA"), kilnFused: refused("E0BBB") }), ledger375).verdict).toBe(
      "expected-fail",
    );
  });

  test("core form: judged by meld's component output on the reference, never by the unfused baseline", () => {
    const core = (over: Partial<RowInputs>) =>
      row({
        form: "core",
        kilnOrig: run(false, "x", "E03ED"),
        evidence: { what: "jco ran meld's component output", engine: "jco", cell: run(true) },
        ...over,
      });
    expect(decide(core({}), []).verdict).toBe("pass");
    const bug = decide(core({ kilnFused: run(false, "stdout differs at byte 72") }), []);
    expect([bug.verdict, bug.why]).toEqual([
      "seam-bug",
      "kilnd fails the fused core module: stdout differs at byte 72; meld's component output of the same input passes on jco",
    ]);
    expect(
      decide(
        core({ evidence: { what: "x", engine: "jco", cell: run(false, "wrong") }, kilnFused: run(false, "x") }),
        [],
      ).verdict,
    ).toBe("meld-bug");
    expect(decide(core({ kilnFused: run(false, "x", "E0BBB") }), ledger375).verdict).toBe("seam-bug"); // the ledger entry covers the component form only
    // A broken component output does not make a core module that kilnd runs correctly anyone's bug.
    const passes = decide(core({ evidence: { what: "x", engine: "jco", cell: run(false, "wrong") } }), []);
    expect([passes.verdict, passes.why]).toEqual([
      "pass",
      "kilnd runs the fused core module and meets the expectation (); meld's component output of the same input fails on jco, which this row does not use",
    ]);
    expect(
      decide(
        core({
          evidence: { what: "x", engine: "jco", cell: run(false, "wrong") },
          kilnFused: run(null, "kilnd absent"),
        }),
        [],
      ).verdict,
    ).toBe("skipped");
  });

  test("ls_s_7_ meld's refusal is fuse-refused, not a failure; a missing tool is skipped with its fix", () => {
    const r = decide(row({ fuse: { verdict: "refused", message: "Fusion failed: x" } as FuseRecord }), []);
    expect([r.verdict, r.outcome]).toEqual(["fuse-refused", "ok"]);
    const noKiln = decide(
      row({ kilnOrig: run(null, "kilnd absent (set KILND)"), kilnFused: run(null, "kilnd absent (set KILND)") }),
      [],
    );
    expect([noKiln.verdict, noKiln.outcome]).toEqual(["skipped", "ok"]);
    expect(noKiln.why).toContain("set KILND");
  });

  test("ledger: expected-fail, ls_s_3_ blocker-moved with old and new signature, xpass, unexpected", () => {
    expect(decide(row({ kilnFused: run(false, "x", "E0BBB") }), ledger375)).toMatchObject({
      verdict: "expected-fail",
      outcome: "expected",
    });
    const moved = decide(row({ kilnFused: run(false, "x", "E2199") }), ledger375);
    expect(moved.verdict).toBe("blocker-moved");
    expect(moved.why).toBe("kiln#375 moved: was [Runtime][E0BBB] Export not found, now [Runtime][E2199] other");
    expect(decide(row({}), ledger375)).toMatchObject({
      verdict: "xpass",
      why: "kiln#375 looks fixed for hello_c_cli (multi, component): remove the entry from the ledger",
    });
    expect(decide(row({ mode: "shared", kilnFused: run(false, "x", "E0BBB") }), ledger375).outcome).toBe("unexpected");
  });

  test("a malformed ledger names file:line:col and the field", () => {
    expect(() =>
      parseLedger("blockers:\n  - ref: kiln#1\n    signature: { code: E12 }\n    fixtures: [a]\n", "kb.yaml"),
    ).toThrow("kb.yaml:3:24: kiln#1: code E12 is not E + 4 upper-case hex digits");
    expect(() => parseLedger("blockers: [\n", "kb.yaml")).toThrow(/^kb\.yaml:\d+:\d+: malformed YAML/);
    expect(() =>
      parseLedger("blockers:\n  - title: no ref\n    signature: { code: E0BBB }\n    fixtures: ['*']\n", "kb.yaml"),
    ).toThrow("kb.yaml:2:5: blocker without `ref`");
    expect(() =>
      parseLedger(
        "blockers:\n  - ref: kiln#1\n    signature: { code: E0BBB }\n    fixtures: [a]\n    forms: [kore]\n",
        "kb.yaml",
      ),
    ).toThrow("kb.yaml:5:12: kiln#1: unknown form kore (expected one of: component, core)");
  });

  test("shards are disjoint, deterministic, and cover every fixture", () => {
    const fx = ["e", "a", "d", "b", "c"].map((name) => ({ name }));
    const parts = [1, 2, 3].map((index) => shardFixtures(fx, { index, count: 3 }).map((f) => f.name));
    expect(parts.flat().sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(parts).toEqual([["a", "d"], ["b", "e"], ["c"]]);
  });
});
