import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  classify,
  compareJUnit,
  compareReports,
  loadResults,
  parseResults,
  renderCompareMarkdown,
  renderTierCSection,
  standing,
  type ComparableReport,
  type ComparableRow,
  type RowState,
} from "./compare.ts";
import { SeamError } from "./errors.ts";
import { syntheticPair } from "../testing/sample-reports.ts";
import { tempDir } from "../testing/testkit.ts";
import type { TierCReport } from "./tierc-report.ts";

const E0BBB = "[Runtime][E0BBB] Export not found";
const E2199 = "[Runtime][E2199] out of bounds memory access";

const pass = (fixture: string, over: Partial<ComparableRow> = {}): ComparableRow => ({
  fixture,
  mode: "multi",
  verdict: "pass",
  outcome: "ok",
  why: "fused runs on kilnd",
  ...over,
});
const seamBug = (fixture: string, sig = E0BBB, over: Partial<ComparableRow> = {}): ComparableRow => ({
  fixture,
  mode: "multi",
  verdict: "seam-bug",
  outcome: "unexpected",
  why: `fused fails: ${sig}`,
  actualSignature: sig,
  ...over,
});
const results = (rows: ComparableRow[], over: Partial<ComparableReport> = {}): ComparableReport => ({
  schema: "seam.tier-c/1",
  generatedAt: "2026-01-01T00:00:00Z",
  tools: {
    meld: { version: "0.65.1", path: "/m" },
    kilnd: { version: "0.4.4", path: "/k", sha256: "1".repeat(64) },
    reference: { engine: "jco", version: "1.35.0" },
  },
  rows,
  ...over,
});
const classes = (d: ReturnType<typeof compareReports>) =>
  d.changes.map((c) => `${c.fixture}/${c.mode}/${c.form}: ${c.class}`);
const st = (verdict: string, outcome: string, signature?: string): RowState => ({
  verdict,
  outcome,
  why: "",
  ...(signature ? { signature } : {}),
});

function seamError(f: () => unknown): SeamError {
  try {
    f();
  } catch (e) {
    if (e instanceof SeamError) return e;
    throw e;
  }
  throw new Error("no SeamError");
}

describe("compare: the changed rows and their classes", () => {
  test("E0BBB on one side, a pass on the other: exactly that row, fixed one way and regressed the other", () => {
    const failing = results([pass("args_env"), seamBug("hello_c_cli"), pass("trap")]);
    const passing = results([pass("args_env"), pass("hello_c_cli"), pass("trap")]);
    const fixed = compareReports(failing, passing);
    expect(classes(fixed)).toEqual(["hello_c_cli/multi/component: fixed"]);
    expect([fixed.unchanged, fixed.tripped, fixed.summary]).toEqual([2, false, "1 fixed, 0 regressed since base"]);
    const regressed = compareReports(passing, failing);
    expect(classes(regressed)).toEqual(["hello_c_cli/multi/component: regressed"]);
    expect(regressed.changes[0]!.head).toMatchObject({ verdict: "seam-bug", signature: E0BBB });
    expect([regressed.tripped, regressed.summary]).toEqual([true, "0 fixed, 1 regressed since base"]);
  });

  test("ls_s_3_ another signature in the same stage is moved: seam-bug E0BBB → E2199, and expected-fail → blocker-moved", () => {
    const blocker = { ref: "kiln#375" };
    const base = results([
      seamBug("hello_c_cli"),
      { ...seamBug("args_env"), verdict: "expected-fail", outcome: "expected", blocker },
      pass("trap"),
    ]);
    const head = results([
      seamBug("hello_c_cli", E2199),
      { ...seamBug("args_env", E2199), verdict: "blocker-moved", outcome: "moved", blocker },
      pass("trap"),
    ]);
    const d = compareReports(base, head);
    expect(classes(d)).toEqual(["args_env/multi/component: moved", "hello_c_cli/multi/component: moved"]);
    expect(d.tripped).toBe(false);
    expect(compareReports(base, head, { failOn: "moved" }).tripped).toBe(true);
    expect(d.summary).toBe("0 fixed, 0 regressed, 2 moved since base");
  });

  test("a row whose verdict, signature and outcome are equal is unchanged, whatever else differs", () => {
    const d = compareReports(
      results([seamBug("a", E0BBB, { why: "one run" })]),
      results([seamBug("a", E0BBB, { why: "another run", bundle: "a-multi" })]),
    );
    expect([d.changes.length, d.unchanged, d.summary]).toEqual([0, 1, "no change since base (1 row unchanged)"]);
  });

  test("fail closed: a pass that becomes skipped (kilnd vanished) is regressed, and a failure is never fixed by being skipped or declined", () => {
    const skipped = (f: string) => pass(f, { verdict: "skipped", why: "kilnd absent (set KILND=/path/to/kilnd)" });
    const d = compareReports(
      results([pass("a"), seamBug("b"), seamBug("c")]),
      results([skipped("a"), skipped("b"), pass("c", { verdict: "kiln-unsupported" })]),
    );
    expect(classes(d)).toEqual([
      "a/multi/component: regressed",
      "b/multi/component: regressed",
      "c/multi/component: regressed",
    ]);
    expect(d.changes[0]!.reason).toContain("no longer judged (kilnd absent");
    expect(d.tripped).toBe(true);
  });

  test("the transition rules, pair by pair", () => {
    const P = st("pass", "ok");
    const X = st("xpass", "xpass");
    const S = st("skipped", "ok");
    const R = st("fuse-refused", "ok");
    const U = st("kiln-unsupported", "ok");
    const F = st("unsupported-form", "ok");
    const K = st("expected-fail", "expected", E0BBB);
    const B = st("seam-bug", "unexpected", E0BBB);
    const B2 = st("seam-bug", "unexpected", E2199);
    const M = st("meld-bug", "unexpected");
    const MK = st("meld-bug", "expected");
    const RF = st("reference-fail", "unexpected");
    const A = st("unattributed", "unexpected", E0BBB);
    const cases: [RowState, RowState, string | null][] = [
      [P, P, null],
      [P, X, "reclassified"],
      [S, P, "reclassified"],
      [R, P, "fixed"],
      [F, P, "fixed"],
      [B, P, "fixed"],
      [K, X, "fixed"],
      [P, R, "regressed"],
      [P, K, "regressed"],
      [P, S, "regressed"],
      [B, S, "regressed"],
      [R, S, "regressed"],
      [S, B, "regressed"],
      [S, K, "reclassified"],
      [S, R, "reclassified"],
      [B, U, "regressed"],
      [B, F, "regressed"],
      [R, U, "reclassified"],
      [R, M, "regressed"],
      [R, K, "reclassified"],
      [B, B2, "moved"],
      [K, B2, "moved"],
      [B, K, "reclassified"],
      [B, A, "reclassified"],
      [MK, M, "moved"],
      [M, MK, "reclassified"],
      [B, M, "regressed"],
      [M, RF, "regressed"],
      [M, B, "reclassified"],
    ];
    const got = cases.map(
      ([b, h]) => `${b.verdict}/${b.outcome} → ${h.verdict}/${h.outcome}: ${classify(b, h)?.class ?? null}`,
    );
    expect(got).toEqual(cases.map(([b, h, c]) => `${b.verdict}/${b.outcome} → ${h.verdict}/${h.outcome}: ${c}`));
  });

  test("an unknown verdict never crashes: it stands by its outcome and is never read as a pass unless it says xpass", () => {
    expect(["ok", "xpass", "expected", "unexpected", "moved", "strange"].map((o) => standing("brand-new", o))).toEqual([
      "out-of-scope",
      "pass",
      "known-fail",
      "fail",
      "fail",
      "fail",
    ]);
    const d = compareReports(
      results([pass("a"), seamBug("b")]),
      results([
        pass("a", { verdict: "brand-new", outcome: "ok" }),
        pass("b", { verdict: "brand-new", outcome: "unexpected" }),
      ]),
    );
    expect(classes(d)).toEqual(["a/multi/component: regressed", "b/multi/component: regressed"]);
    expect(renderCompareMarkdown(d)).toContain("❔ brand-new");
  });

  test("the key is fixture × memory × form; a missing form reads as component", () => {
    const base = results([pass("a"), pass("a", { mode: "shared" })]);
    const head = results(
      [
        pass("a", { form: "component" }),
        seamBug("a", E0BBB, { form: "core" }),
        pass("a", { mode: "shared", form: "component" }),
      ],
      { schema: "seam.tier-c/2" },
    );
    const d = compareReports(base, head);
    expect(classes(d)).toEqual(["a/multi/core: new"]);
    expect(d.unchanged).toBe(2);
  });

  test("results of different corpora compare on their common rows and say how many rows, and which fixtures, are on one side only", () => {
    const d = compareReports(
      results([pass("a"), pass("b"), pass("gone_one")]),
      results([pass("a"), seamBug("b"), pass("c"), pass("d"), pass("d", { mode: "shared" })]),
    );
    expect(d.corpus).toMatchObject({
      same: false,
      common: 2,
      onlyBase: { rows: 1, fixtures: ["gone_one"] },
      onlyHead: { rows: 3, fixtures: ["c", "d"] },
    });
    expect(d.corpus.note).toBe(
      "the corpora differ: compared on the 2 common rows; 3 rows only in head (fixtures c, d) and 1 row only in base (fixture gone_one), listed as new and gone",
    );
    expect(classes(d)).toEqual([
      "b/multi/component: regressed",
      "c/multi/component: new",
      "d/multi/component: new",
      "d/shared/component: new",
      "gone_one/multi/component: gone",
    ]);
    expect(renderCompareMarkdown(d)).toContain("⚠️ the corpora differ");
    expect(compareReports(results([pass("a")]), results([pass("a")])).corpus).toEqual({
      same: true,
      common: 1,
      onlyBase: { rows: 0, fixtures: [] },
      onlyHead: { rows: 0, fixtures: [] },
    });
  });

  test("--fail-on: regressed trips on regressions only, moved also on moves, any on every change, none never", () => {
    const base = results([pass("a"), seamBug("b"), seamBug("c")]);
    const fixOnly = results([pass("a"), pass("b"), seamBug("c")]);
    const moveOnly = results([pass("a"), seamBug("b"), seamBug("c", E2199)]);
    const trips = (head: ComparableReport) =>
      (["regressed", "moved", "any", "none"] as const).map((failOn) => compareReports(base, head, { failOn }).tripped);
    expect(trips(fixOnly)).toEqual([false, false, true, false]);
    expect(trips(moveOnly)).toEqual([false, true, true, false]);
    expect(trips(results([seamBug("a"), seamBug("b"), seamBug("c")]))).toEqual([true, true, true, false]);
  });

  test("each side's tools: meld version, kilnd sha256, reference engine, seam's code identity (all optional)", () => {
    const head = results([pass("a")], {
      schema: "seam.tier-c/2",
      tools: {
        meld: { version: "0.66.0", sha256: "2".repeat(64) },
        kilnd: { version: "0.4.5", sha256: "3".repeat(64) },
        reference: { engine: "wasmtime", version: "49.0.3" },
        seam: { code: "4".repeat(64) },
      },
    });
    const d = compareReports(results([pass("a")]), head);
    expect(d.base.tools).toEqual({
      meld: { version: "0.65.1" },
      kilnd: { version: "0.4.4", sha256: "1".repeat(64) },
      reference: { engine: "jco", version: "1.35.0" },
      seam: null,
    });
    expect(d.head.tools).toEqual({
      meld: { version: "0.66.0", sha256: "2".repeat(64) },
      kilnd: { version: "0.4.5", sha256: "3".repeat(64) },
      reference: { engine: "wasmtime", version: "49.0.3" },
      seam: "4".repeat(64),
    });
    const md = renderCompareMarkdown(d);
    expect(md).toContain("| kilnd | 0.4.4 `111111111111` | 0.4.5 `333333333333` ← changed |");
    expect(md).toContain("| seam code | — | `444444444444` ← changed |");
    expect(compareReports(results([pass("a")], { tools: undefined }), results([pass("a")])).base.tools).toEqual({
      meld: null,
      kilnd: null,
      reference: null,
      seam: null,
    });
  });

  test("several builds: the first by default, --build picks one, per-side builds compare two builds of one run, an unknown label is an error", () => {
    const old = { path: "/old/kilnd", version: "0.4.4", sha256: "5".repeat(64) };
    const neu = { path: "/new/kilnd", version: "0.4.5", sha256: "6".repeat(64) };
    const run = results(
      [
        seamBug("a", E0BBB, { build: "old" }),
        pass("a", { build: "new" }),
        pass("b", { build: "old" }),
        seamBug("b", E2199, { build: "new" }),
      ],
      {
        schema: "seam.tier-c/2",
        builds: [
          { label: "old", kilnd: old, meld: null },
          { label: "new", kilnd: neu, meld: null },
        ],
      },
    );
    const d = compareReports(run, run, { baseBuild: "old", headBuild: "new" });
    expect(classes(d)).toEqual(["b/multi/component: regressed", "a/multi/component: fixed"]);
    expect([d.base.build, d.head.build, d.base.tools.kilnd?.sha256, d.head.tools.kilnd?.sha256]).toEqual([
      "old",
      "new",
      "5".repeat(64),
      "6".repeat(64),
    ]);
    const single = results([pass("a"), pass("b")]);
    expect(classes(compareReports(single, run))).toEqual(["a/multi/component: regressed"]);
    expect(classes(compareReports(single, run, { build: "new" }))).toEqual(["b/multi/component: regressed"]);
    const err = seamError(() => compareReports(single, run, { build: "newest" }));
    expect([err.exitCode, err.message]).toEqual([2, 'head: no build "newest" (its builds: old, new)']);
    expect(seamError(() => compareReports(single, run, { baseBuild: "old" })).message).toBe(
      "base: has no builds, so --base-build old cannot be read",
    );
  });

  test("a side listing one key twice is an error naming it", () => {
    const err = seamError(() =>
      compareReports(results([pass("a"), seamBug("a")]), results([pass("a")]), { baseFile: "base.json" }),
    );
    expect([err.exitCode, err.message]).toEqual([
      2,
      "base.json: a × multi × component appears twice: one row per fixture × memory × form",
    ]);
  });
});

describe("compare: reading results files", () => {
  test("bad input is one line naming the file, exit 2: missing, a folder without results.json, not JSON, another schema, a row without a key", () => {
    const dir = tempDir("seam-compare");
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "bad.json"), "{not json");
    writeFileSync(join(dir, "gate.json"), JSON.stringify({ schema: "seam.ls-gate/1", total: 0 }));
    writeFileSync(join(dir, "norows.json"), JSON.stringify({ schema: "seam.tier-c/1" }));
    writeFileSync(
      join(dir, "nofixture.json"),
      JSON.stringify({ schema: "seam.tier-c/2", rows: [{ mode: "multi", verdict: "pass", outcome: "ok" }] }),
    );
    const cases: [string, string][] = [
      [
        join(dir, "missing.json"),
        `${join(dir, "missing.json")} not found: pass a tier-c results.json or its --out folder`,
      ],
      [join(dir, "empty"), `${join(dir, "empty")} has no results.json: pass a tier-c results.json or its --out folder`],
      [join(dir, "bad.json"), `${join(dir, "bad.json")}: not JSON`],
      [
        join(dir, "gate.json"),
        `${join(dir, "gate.json")}: not a tier-c results file (schema "seam.ls-gate/1"; compare reads seam.tier-c/1, seam.tier-c/2)`,
      ],
      [join(dir, "norows.json"), `${join(dir, "norows.json")}: says seam.tier-c/1 but has no rows list`],
      [join(dir, "nofixture.json"), `${join(dir, "nofixture.json")}: row 1 has no fixture`],
    ];
    for (const [path, message] of cases) {
      const err = seamError(() => loadResults(path));
      expect(err.exitCode).toBe(2);
      expect(err.message).toStartWith(message);
      expect(err.message).not.toContain("\n");
    }
  });

  test("a --out folder reads as its results.json", () => {
    const dir = tempDir("seam-compare");
    writeFileSync(join(dir, "results.json"), JSON.stringify(results([pass("a")])));
    expect(loadResults(dir).file).toBe(join(dir, "results.json"));
    expect(parseResults("x.json", JSON.stringify(results([pass("a")]))).rows).toHaveLength(1);
  });
});

describe("compare: renderings", () => {
  test("JUnit: a change that trips --fail-on is a <failure>, a gone row is skipped, the rest pass", () => {
    const d = compareReports(results([pass("a"), seamBug("b"), pass("gone")]), results([seamBug("a"), pass("b")]));
    const xml = compareJUnit(d);
    expect(xml).toContain('tests="4" failures="1" skipped="1"');
    expect(xml).toContain('<testcase classname="tier-c.compare" name="0 unchanged rows"');
    expect(xml).toMatch(
      /<testcase classname="tier-c\.compare\.a" name="a multi component" time="0\.000">\n\s+<failure message="regressed: no longer passes">/,
    );
    expect(compareJUnit(compareReports(results([pass("a")]), results([seamBug("a")]), { failOn: "none" }))).toContain(
      'failures="0"',
    );
  });

  test("a Tier C section with a diff: the summary and base identity first, the changed rows, the unchanged rows folded", () => {
    const { base, head } = syntheticPair(200);
    const section = renderTierCSection({ ...head, diff: compareReports(base, head) });
    const lines = section.split("\n");
    expect(lines[0]).toBe("## meld → kiln seam (Tier C)");
    expect(lines[2]).toStartWith(
      "**2 fixed, 2 regressed, 4 moved since base** — base: meld 0.65.1 · kilnd 0.4.4 `aaaaaaaaaaaa` · reference jco 1.35.0",
    );
    expect(section).toContain("<details><summary>192 unchanged rows</summary>");
    expect(section.indexOf("| ❌ regressed | fixture_0000 | multi | core |")).toBeLessThan(
      section.indexOf("<details>"),
    );
  });

  test("under a byte cap the unchanged rows go first, then changed rows from the least severe; regressions stay longest", () => {
    const { base, head, expected } = syntheticPair(2_000);
    const r = { ...head, diff: compareReports(base, head) } as TierCReport & {
      diff: ReturnType<typeof compareReports>;
    };
    const bytes = (s: string) => Buffer.byteLength(s, "utf8");
    const full = renderTierCSection(r);
    expect(bytes(full)).toBeGreaterThan(200_000);
    const roomy = renderTierCSection(r, { maxBytes: 30_000 });
    expect(bytes(roomy)).toBeLessThanOrEqual(30_000);
    expect((roomy.match(/^\| [❌❗✅] (regressed|moved|fixed) \|/gmu) ?? []).length).toBe(
      expected.fixed + expected.moved + expected.regressed,
    );
    expect(roomy).toMatch(/<summary>1920 unchanged rows \(\d+ shown, \d+ left out to fit\)<\/summary>/);
    const tight = renderTierCSection(r, { maxBytes: 8_000 });
    expect(bytes(tight)).toBeLessThanOrEqual(8_000);
    expect(tight).toContain("1920 unchanged rows, left out to fit.");
    expect(tight).toMatch(/… and \d+ more changed rows, left out to fit/);
    expect((tight.match(/^\| ❌ regressed \|/gmu) ?? []).length).toBeGreaterThan(0);
    expect(tight).not.toContain("| ✅ fixed |");
  });
});
