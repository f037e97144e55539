import { describe, expect, test } from "bun:test";
import { compareReports } from "./compare.ts";
import { renderCompareMarkdown } from "./render.ts";
import type { ComparableReport } from "./types.ts";
import { E0BBB, E2199, pass, seamBug, results, classes, seamError } from "../../testing/compare-rows.ts";

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

  test("ls_s_3_ another signature in the same layer is moved: seam-bug E0BBB → E2199, and expected-fail → blocker-moved", () => {
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

  test("each side's tools: meld version, kilnd sha256, reference engine, seam's code digest (all optional)", () => {
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
