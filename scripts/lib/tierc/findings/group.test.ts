import { describe, expect, test } from "bun:test";
import { clip, differenceKind, normaliseSignature, rootCause } from "./cause.ts";
import { groupFindings } from "./group.ts";
import { renderFindingsList, renderFindingsMarkdown } from "./render.ts";
import type { Cell, Row, TierCReport } from "../report.ts";
import { SCHEMAS } from "../../engines/records.ts";

const cell = (step: Cell["step"], over: Partial<Cell> = {}): Cell => ({
  step,
  status: "passed",
  ok: true,
  detail: "",
  ms: 0,
  cached: false,
  ...over,
});
function row(fixture: string, over: Partial<Row>, kiln: Partial<Cell> = {}, bytes = 100): Row {
  return {
    fixture,
    mode: "multi",
    form: "core",
    verdict: "seam-bug",
    outcome: "unexpected",
    why: "",
    bundle: `${fixture}-multi-core`,
    cells: [
      cell("reference(original)"),
      cell("kiln(original)"),
      cell("fuse", { status: "fused", detail: `${bytes} bytes, sha256 abc` }),
      cell("reference(fused)"),
      cell("kiln(fused)", { ok: false, status: "failed", ...kiln }),
    ],
    ...over,
  };
}
const report = (rows: Row[]): TierCReport =>
  ({
    schema: SCHEMAS.tierC,
    tools: {
      meld: { version: "0.65.1", path: "meld" },
      kilnd: { version: "unknown", path: "kilnd", sha256: "f".repeat(64) },
      reference: { engine: "wasmtime", version: "49" },
    },
    options: { memory: ["multi"], fixtures: [], strict: false },
    rows,
    counts: {},
    exitCode: 1,
    notices: [],
  }) as unknown as TierCReport;

describe("findings by root cause", () => {
  test("a signature is normalised: numbers, addresses and quoted names that vary are stripped", () => {
    expect(normaliseSignature("[Runtime][E1771] wrong count at 0x1f: 3 'foo'")).toBe(
      "[Runtime][E1771] wrong count at N: N …",
    );
    expect(normaliseSignature("[Runtime][E03ED] No _start export found - command components must export _start")).toBe(
      "[Runtime][E03ED] No _start export found",
    );
    expect(differenceKind('stdout differs at byte 72: expected "a", got "b"')).toBe("the guest's stdout differs");
    expect(differenceKind("compute: result differs: expected 42, got 7")).toBe("an export returns another value");
  });

  test("rows failing in the same stage the same way share one finding, represented by the smallest input's bundle", () => {
    const rows = [
      row("big", { mode: "multi" }, { detail: "stdout differs at byte 72: x" }, 900),
      row("small", { mode: "shared" }, { detail: "stdout differs at byte 3: y" }, 50),
      row("trap", {}, { signature: "[Runtime][E2199] call stack exhausted at 12" }),
      row("names", { verdict: "meld-bug", why: "meld left `seam:fixtures/math@0.1.0` `add` unresolved: …" }),
      row("passes", { verdict: "pass", outcome: "ok" }),
      row("refused", { verdict: "fuse-refused", outcome: "ok" }),
    ];
    const f = groupFindings(report(rows));
    expect(f.failingRows).toBe(4);
    expect(f.findings.length).toBe(3);
    const stdout = f.findings.find((x) => x.kind === "the guest's stdout differs")!;
    expect(stdout.rows.map((x) => x.fixture)).toEqual(["big", "small"]);
    expect(stdout.representative).toBe("small-multi-core");
    expect(stdout.tracker).toBe("pulseengine/kiln");
    const meld = f.findings.find((x) => x.whose === "meld")!;
    expect([meld.tracker, meld.issue.title]).toEqual([
      "pulseengine/meld",
      "meld 0.65.1: core output imports `seam:fixtures/math@0.1.0` `add`, which the composition provides itself",
    ]);
    expect(rootCause(rows[2]!)?.kind).toBe("[Runtime][E2199] call stack exhausted at N");
    expect(renderFindingsMarkdown(f)).toContain("4 failing rows make 3 findings, 3 not in the known-blocker ledger");
    expect(
      renderFindingsList(f)
        .split("\n")
        .filter((l) => l.startsWith("- ")).length,
    ).toBe(3);
  });

  test("an issue title names an installed kilnd by its bare version; the body keeps its provenance", () => {
    const r = report([row("trap", {}, { signature: "[Runtime][E2199] call stack exhausted" })]);
    const provenance = "0.4.4 (release asset x86_64-unknown-linux-gnu, sha256 865e5031cfdd…)";
    r.tools.kilnd = { version: provenance, path: ".tools/bin/kilnd", sha256: "8".repeat(64) };
    const [f] = groupFindings(r).findings;
    expect(f!.issue.title).toStartWith("kilnd 0.4.4: ");
    expect(f!.issue.body).toContain(`kilnd: ${provenance}`);
    expect(f!.issue.body).toContain("reference engine: wasmtime 49.");
    const byJco = report([
      row("trap", { evidence: "jco ran meld's component output" }, { signature: "[Runtime][E2199] x" }),
    ]);
    expect(groupFindings(byJco).findings[0]!.issue.body).toContain("reference engine: jco.");
  });

  test("rows of one kind that differ in detail get a title of the kind, not the first row's detail", () => {
    const rows = [
      row("names", { verdict: "meld-bug", why: "meld left `seam:fixtures/math@0.1.0` `add` unresolved: …" }),
      row("res", {
        verdict: "meld-bug",
        why: "meld left `seam:fixtures/counters@0.1.0` `[resource-drop]counter` unresolved: …",
      }),
    ];
    const [f] = groupFindings(report(rows)).findings;
    expect(f!.rows.length).toBe(2);
    expect(f!.issue.title).toBe("meld 0.65.1: an import the composition provides is left unresolved");
  });

  test("a finding the ledger knows says so, and comes after the unknown ones", () => {
    const known = row(
      "hello",
      {
        verdict: "expected-fail",
        outcome: "expected",
        form: "component",
        blocker: { ref: "kiln#375", title: "t", expected: "e" },
      },
      { signature: "[Runtime][E0BBB] Export not found" },
    );
    const f = groupFindings(report([known, row("x", {}, { detail: "stdout ends at byte 0, expected 9 bytes" })]));
    expect(f.findings.map((x) => x.known ?? "")).toEqual(["", "kiln#375: t"]);
  });
});

test("a long kind is clipped at a word, never inside a parenthesis it opened", () => {
  const long =
    "failed to parse WebAssembly module: lowered result types [I32] do not match result types [] of core function N (at offset NxN)";
  const cut = clip(long);
  expect(cut.length).toBeLessThanOrEqual(121);
  expect(cut).toEndWith("…");
  expect(cut).not.toContain("(");
  expect(clip("short")).toBe("short");
});
