import { beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { loadFixtures, runMatrix, shardFixtures, type MatrixFixture, type MatrixOptions } from "./tier-c.ts";
import { decide, type CellRun, type RowInputs } from "./lib/attribution.ts";
import { mergeReports, writeReports, type TierCReport } from "./lib/tierc-report.ts";
import { compareReports, type ReportDiff } from "./lib/compare.ts";
import { loadLedger, parseLedger, type Blocker } from "./lib/ledger.ts";
import { writeFakeKilnd, type Scenario } from "./testing/fake-kilnd.ts";
import { runProcess } from "./lib/proc.ts";
import type { FuseRecord, RunRecord } from "./lib/records.ts";
import { providerConsumerWat, runScript, tempDir, watToWasm } from "./testing/testkit.ts";
import { buildFixtures } from "./lib/fixture-build.ts";
import { runComponent } from "./run-kiln.ts";
import { loadManifest } from "./lib/manifest.ts";
import { judgeRun } from "./lib/judge.ts";
import { ROOT, requireTool } from "./lib/tools.ts";

const HELLO_LINE = "Hello wasm component world from C!\n";
const MANIFEST = join(ROOT, "fixtures", "manifest.yaml");

// ---------------------------------------------------------------- pure: attribution and the ledger

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
const LEDGER_YAML = `blockers:
  - ref: kiln#375
    title: cross-core imports
    signature: { category: Runtime, code: E0BBB, message: "Export not found" }
    fixtures: [hello_c_cli]
    modes: [multi]
    forms: [component]
`;
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

// ---------------------------------------------------------------- real meld + reference, fake kilnd

let work: string;
let kilnd: string;
let fixtures: MatrixFixture[];

function judgeFor(expected: { stdout?: string; results?: Record<string, string> }) {
  return (r: RunRecord, invoke?: string) => {
    if (r.verdict !== "passed")
      return { ok: false, why: `expected a clean run, got ${r.verdict}: ${r.errorLine ?? ""}` };
    if (invoke) {
      const want = expected.results![invoke];
      return r.results?.[0] === want
        ? { ok: true, why: `${invoke} = ${want}` }
        : { ok: false, why: `${invoke} returned ${r.results?.[0]}, expected ${want}` };
    }
    return r.stdout === expected.stdout ? { ok: true, why: "stdout matches" } : { ok: false, why: "stdout differs" };
  };
}

beforeAll(async () => {
  work = tempDir("seam-tierc");
  kilnd = writeFakeKilnd(work);
  const composed = await watToWasm(work, "compute_composed", providerConsumerWat());
  fixtures = [
    {
      name: "hello_c_cli",
      file: join(ROOT, "fixtures", "hello_c_cli.wasm"),
      args: [],
      env: {},
      invokes: [],
      expectText: `stdout ${JSON.stringify(HELLO_LINE)}`,
      judge: judgeFor({ stdout: HELLO_LINE }),
    },
    {
      name: "compute_composed",
      file: composed,
      args: [],
      env: {},
      invokes: ["compute", "greet"],
      expectText: "compute() = 42, greet() = 7",
      judge: judgeFor({ results: { compute: "42", greet: "7" } }),
    },
  ];
});

/** Fake-kilnd rules: scenario per wasm path substring. Fused files are <key>.<form>.fused.wasm in the cache, fused.<form>.wasm in a bundle. */
function rules(name: string, r: { match: string; scenario: Scenario }[]): string {
  const p = join(work, `${name}.rules.json`);
  writeFileSync(p, JSON.stringify(r));
  return p;
}

function opts(tag: string, over: Partial<MatrixOptions> & { scenario?: Scenario; rules?: string } = {}): MatrixOptions {
  const { scenario, rules: rulesFile, ...rest } = over;
  return {
    fixtures,
    modes: ["multi"],
    forms: ["component"],
    outDir: join(work, tag),
    jobs: 2,
    strict: false,
    cache: true,
    ledger: [],
    reference: "wasmtime",
    timeoutMs: 20_000,
    kilnd,
    env: {
      ...process.env,
      FAKE_KILND_SCENARIO: scenario ?? "run",
      FAKE_KILND_RULES: rulesFile ?? "",
      FAKE_KILND_LOG: join(work, `${tag}.launches`),
    },
    ...rest,
  };
}

/** A kilnd that runs components (the guest runs for real) but fails fused ones with `scenario`. */
const fusedOnly = (scenario: Scenario) => rules(`fused-${scenario}`, [{ match: "fused.", scenario }]);

const verdicts = (r: TierCReport) =>
  Object.fromEntries(r.rows.map((x) => [`${x.fixture}/${x.mode}/${x.form}`, x.verdict]));
const launches = (tag: string) =>
  existsSync(join(work, `${tag}.launches`))
    ? readFileSync(join(work, `${tag}.launches`), "utf8")
        .split("\n")
        .filter(Boolean).length
    : 0;

async function matrix(o: MatrixOptions): Promise<TierCReport> {
  const r = await runMatrix(o);
  writeReports(r, o.outDir);
  return r;
}

describe("kilnd 0.4.4 as recorded (the fake replays its transcripts), real meld and wasmtime", () => {
  test("components are refused once for all, never kiln-unsupported; the fused component is kiln's, the core row passes", async () => {
    const r = await matrix(
      opts("recorded", {
        fixtures: loadFixtures(MANIFEST, ["hello_c_cli"]),
        forms: ["component", "core"],
        scenario: "replay",
      }),
    );
    expect(verdicts(r)).toEqual({ "hello_c_cli/multi/component": "seam-bug", "hello_c_cli/multi/core": "pass" });
    const component = r.rows.find((x) => x.form === "component")!;
    expect(component.why).toContain("[Runtime][E0BBB] Export not found");
    expect(component.why).toContain(
      "no kilnd baseline (kilnd runs no component); the same fused component passes on wasmtime",
    );
    expect(component.evidence).toBe("wasmtime ran the same fused component");
    expect(r.notices.filter((n) => n.includes("kilnd runs core modules only (RFC #46)"))).toHaveLength(1);
    expect(r.rows.find((x) => x.form === "core")!.why).toContain("stdout matches (35 bytes)");
  });

  test("with the ledger's kiln#375 (forms: [component]) the component row is expected-fail and the run exits 0", async () => {
    const r = await matrix(
      opts("recorded-ledger", {
        fixtures: loadFixtures(MANIFEST, ["hello_c_cli"]),
        forms: ["component", "core"],
        scenario: "replay",
        ledger: loadLedger(join(ROOT, "fixtures", "known-blockers.yaml")),
      }),
    );
    expect(verdicts(r)).toEqual({ "hello_c_cli/multi/component": "expected-fail", "hello_c_cli/multi/core": "pass" });
    expect(r.exitCode).toBe(0);
  });

  test("the core path's lost environment, stdin and exit status are seam-bugs with bundles that reproduce", async () => {
    const r = await matrix(
      opts("core-bugs", {
        fixtures: loadFixtures(MANIFEST, ["args_env", "stdin_echo", "exit_code"]),
        forms: ["core"],
        scenario: "replay",
      }),
    );
    expect(verdicts(r)).toEqual({
      "args_env/multi/core": "seam-bug",
      "exit_code/multi/core": "seam-bug",
      "stdin_echo/multi/core": "seam-bug",
    });
    expect(r.rows.map((x) => x.reproduced)).toEqual(["same signature", "same signature", "same signature"]);
    const args = r.rows[0]!;
    expect(args.why).toContain('stdout differs at byte 72: expected "hello from the h", got "<unset>');
    const dir = join(work, "core-bugs", args.bundle!);
    const script = readFileSync(join(dir, "repro.sh"), "utf8");
    expect(script).toContain('"$MELD" fuse original.wasm -o fused.core.wasm --memory multi --reproducible');
    expect(script).toContain(
      `"$KILND" fused.core.wasm --wasi --wasi-arg alpha --wasi-arg 'two words' --wasi-arg 'ünïcode' --wasi-env SEAM_FX_GREETING --wasi-env SEAM_FX_NUMBER`,
    );
    expect(script).toContain("export SEAM_FX_GREETING='hello from the host'");
    const md = readFileSync(join(dir, "REPRO.md"), "utf8");
    expect(md).toContain("env SEAM_FX_GREETING=hello from the host");
    expect(md).toContain("env SEAM_FX_GREETING=<unset>");
    expect(r.rows[1]!.why).toContain("lost the guest's exit status");
    expect(readFileSync(join(work, "core-bugs", r.rows[2]!.bundle!, "repro.sh"), "utf8")).toContain(
      "fused.core.wasm --wasi < stdin.bin",
    );
  });

  test("a core module whose component form meld refused is unattributed: no reference can judge it", async () => {
    const r = await matrix(
      opts("unattributed", {
        fixtures: loadFixtures(MANIFEST, ["resources_across"]),
        forms: ["component", "core"],
        scenario: "replay",
      }),
    );
    expect(verdicts(r)).toEqual({
      "resources_across/multi/component": "fuse-refused",
      "resources_across/multi/core": "unattributed",
    });
    const core = r.rows.find((x) => x.form === "core")!;
    expect(core.evidence).toStartWith("none: meld refused the component form");
    expect(core.actualSignature).toBe("[Runtime][E03EE] Unknown WASI function");
    expect(r.exitCode).toBe(1);
  });
});

describe("the matrix with real meld and wasmtime, kilnd through the fake", () => {
  test("a kilnd that runs components: all pass, every cell real except kilnd's transcript", async () => {
    const r = await matrix(opts("pass", { modes: ["multi", "shared"] }));
    expect(verdicts(r)).toEqual({
      "compute_composed/multi/component": "pass",
      "compute_composed/shared/component": "pass",
      "hello_c_cli/multi/component": "pass",
      "hello_c_cli/shared/component": "pass",
    });
    expect(r.exitCode).toBe(0);
    expect(r.tools.meld?.version).toBe("0.65.1");
  });

  test("E0BBB on fused only is a seam-bug (exit 1) with a bundle whose repro.sh reproduces it", async () => {
    const r = await matrix(opts("seam", { rules: fusedOnly("e0bbb"), fixtures: fixtures.slice(0, 1) }));
    const row = r.rows[0]!;
    expect([row.verdict, row.outcome, r.exitCode]).toEqual(["seam-bug", "unexpected", 1]);
    expect(row.actualSignature).toBe("[Runtime][E0BBB] Export not found");
    expect(row.why).toContain("baseline passes on kilnd");
    expect(row.reproduced).toBe("same signature");
    const dir = join(work, "seam", row.bundle!);
    const script = readFileSync(join(dir, "repro.sh"), "utf8");
    expect(script).not.toContain(work);
    expect(script).not.toContain(ROOT);
    expect(script).toContain('"$KILND" fused.component.wasm --component --wasi');
    expect(readFileSync(join(dir, "REPRO.md"), "utf8")).toContain("seam re-ran repro.sh: **same signature**");
  });

  test("ls_s_5_ repro.sh re-runs from another folder with the fake kilnd and meld on PATH", async () => {
    const dir = join(work, "seam", "hello_c_cli-multi-component");
    const binDir = tempDir("seam-bin");
    writeFakeKilnd(binDir);
    const meld = requireTool("meld").path;
    writeFileSync(join(binDir, "meld"), `#!/bin/sh\nexec '${meld}' "$@"\n`);
    chmodSync(join(binDir, "meld"), 0o755);
    const p = await runProcess(["sh", join(dir, "repro.sh")], {
      cwd: tempDir("seam-elsewhere"),
      env: { PATH: `${binDir}:/usr/bin:/bin`, FAKE_KILND_SCENARIO: "e0bbb" },
    });
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("[Runtime][E0BBB] Export not found");
  });

  test("the ledger turns it into expected-fail (exit 0); a new signature is blocker-moved (exit 1)", async () => {
    const ledger: Blocker[] = parseLedger(LEDGER_YAML, "kb.yaml");
    const fx = fixtures.slice(0, 1);
    const expected = await matrix(opts("expected", { rules: fusedOnly("e0bbb"), fixtures: fx, ledger }));
    expect([expected.rows[0]!.verdict, expected.exitCode]).toEqual(["expected-fail", 0]);
    const moved = await matrix(opts("moved", { rules: fusedOnly("e2199"), fixtures: fx, ledger }));
    expect([moved.rows[0]!.verdict, moved.exitCode]).toEqual(["blocker-moved", 1]);
    expect(moved.notices.join("\n")).toContain(
      "was [Runtime][E0BBB] Export not found, now [Runtime][E2199] out of bounds memory access",
    );
    const xpass = await matrix(opts("xpass", { fixtures: fx, ledger }));
    expect([xpass.rows[0]!.verdict, xpass.exitCode]).toEqual(["xpass", 0]);
    expect(xpass.notices.join("\n")).toContain(
      "kiln#375 looks fixed for hello_c_cli (multi, component): remove the entry",
    );
    const strict = await matrix(opts("xpass-strict", { fixtures: fx, ledger, strict: true }));
    expect(strict.exitCode).toBe(1);
  });

  test("a baseline that fails (not a refusal) is kiln-unsupported; a hang on fused is a timeout verdict, not a stuck run", async () => {
    const fx = fixtures.slice(0, 1);
    expect(verdicts(await matrix(opts("unsupported", { scenario: "e0fa0", fixtures: fx })))).toEqual({
      "hello_c_cli/multi/component": "kiln-unsupported",
    });
    const hang = await matrix(opts("hang", { rules: fusedOnly("hang"), fixtures: fx, timeoutMs: 1500 }));
    expect(hang.rows[0]!.verdict).toBe("seam-bug");
    expect(hang.rows[0]!.cells.find((c) => c.step === "kiln(fused)")!.status).toBe("timeout");
  });

  test("kilnd absent: kiln cells skipped with the fix, reference and fuse cells real (both forms), exit 0", async () => {
    const r = await matrix(
      opts("nokiln", {
        forms: ["component", "core"],
        kilnd: undefined,
        env: { ...process.env, KILND: undefined, MELD_KILND: undefined, PATH: "/usr/bin:/bin" },
      }),
    );
    expect(Object.values(verdicts(r))).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(r.exitCode).toBe(0);
    expect(r.notices[0]).toContain("KILND=");
    const core = r.rows.find((x) => x.fixture === "hello_c_cli" && x.form === "core")!;
    expect(core.cells.map((c) => c.status)).toEqual(["passed", "skipped", "fused", "passed", "skipped"]);
    expect(core.why).toContain("meld's component output passes on wasmtime");
  });

  test("ls_s_6_ a warm rerun launches no tool; a changed kilnd binary re-runs exactly the kiln cells", async () => {
    const o = opts("cache", { forms: ["component", "core"], scenario: "auto" });
    await matrix(o);
    const cold = launches("cache");
    expect(cold).toBeGreaterThan(0);
    const warm = await matrix(o);
    expect(launches("cache")).toBe(cold);
    expect(warm.rows.flatMap((x) => x.cells).every((c) => c.cached || c.status === "skipped")).toBe(true);
    appendFileSync(kilnd, "# a new kilnd build\n");
    const after = await matrix(o);
    const rerun = after.rows.flatMap((x) => x.cells.filter((c) => !c.cached).map((c) => c.step));
    expect([...new Set(rerun)].sort()).toEqual(["kiln(fused)", "kiln(original)"]);
  });

  test("each fusion runs once per fixture × mode × form, even where the core row borrows the component as evidence", async () => {
    const meld = requireTool("meld").path;
    const counting = join(work, "counting-meld");
    writeFileSync(
      counting,
      `#!/bin/sh\n[ "$1" = fuse ] && echo "$@" >> '${join(work, "meld.count")}'\nexec '${meld}' "$@"\n`,
    );
    chmodSync(counting, 0o755);
    await matrix(
      opts("fuse-once", {
        meld: counting,
        forms: ["component", "core"],
        modes: ["multi", "shared"],
        cache: false,
        scenario: "auto",
      }),
    );
    // repro.sh of a bundle fuses original.wasm again, on purpose: count the matrix's own fusions.
    const lines = readFileSync(join(work, "meld.count"), "utf8")
      .split("\n")
      .filter((l) => l && !l.includes(" original.wasm "));
    expect(lines.length).toBe(fixtures.length * 2 * 2);
  });

  test("--kilnd A --kilnd B: each input fused once, one verdict column per build, the diff against the first", async () => {
    const dir = tempDir("seam-builds");
    // Two kilnd builds that differ: "old" is kilnd 0.4.4 as recorded (it refuses components), "new" runs them.
    const old = writeFakeKilnd(
      dir,
      { FAKE_KILND_SCENARIO: "auto", FAKE_KILND_LOG: join(dir, "old.launches") },
      "kilnd-old",
    );
    const next = writeFakeKilnd(
      dir,
      { FAKE_KILND_SCENARIO: "run", FAKE_KILND_LOG: join(dir, "new.launches") },
      "kilnd-new",
    );
    const meld = requireTool("meld").path;
    const counting = join(dir, "counting-meld");
    writeFileSync(
      counting,
      `#!/bin/sh\n[ "$1" = fuse ] && echo "$@" >> '${join(dir, "meld.count")}'\nexec '${meld}' "$@"\n`,
    );
    chmodSync(counting, 0o755);
    const r = await matrix(
      opts("builds", {
        kilnd: [
          { label: "old", path: old },
          { label: "new", path: next },
        ],
        meld: counting,
        cache: false,
        modes: ["multi", "shared"],
      }),
    );
    // Fusions: one per fixture × mode (component form only here); bundles' repro.sh fuse original.wasm on purpose.
    const fusions = readFileSync(join(dir, "meld.count"), "utf8")
      .split("\n")
      .filter((l) => l && !l.includes(" original.wasm "));
    expect(fusions.length).toBe(fixtures.length * 2);
    const runs = (f: string) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .filter((l) => l && !l.includes("--help") && !l.includes("--version") && !l.includes("fused.component.wasm"))
        .length;
    // Each build runs hello once and compute's two exports, on the original and on each mode's fused file.
    const perBuild = 3 + 3 * 2;
    expect([runs("old.launches"), runs("new.launches")]).toEqual([perBuild, perBuild]);
    expect(r.builds?.map((b) => b.label)).toEqual(["old", "new"]);
    expect(Object.fromEntries(r.rows.map((x) => [`${x.fixture}/${x.mode}/${x.build}`, x.verdict]))).toMatchObject({
      "hello_c_cli/multi/old": "seam-bug",
      "hello_c_cli/multi/new": "pass",
      "compute_composed/multi/old": "pass",
      "compute_composed/multi/new": "pass",
    });
    const diff = r.buildDiffs![0]!;
    expect([diff.base.build, diff.head.build, diff.summary]).toEqual(["old", "new", "2 fixed, 0 regressed since base"]);
    expect(diff.changes.map((c) => `${c.fixture} ${c.mode}: ${c.class}`)).toEqual([
      "hello_c_cli multi: fixed",
      "hello_c_cli shared: fixed",
    ]);
    const md = readFileSync(join(work, "builds", "summary.md"), "utf8");
    expect(md).toContain("| fixture | memory | form | old | new | why (old) |");
    expect(md).toContain("**new against old: 2 fixed, 0 regressed since base**");
    expect(r.rows.find((x) => x.build === "old" && x.fixture === "hello_c_cli")!.bundle).toBe(
      "hello_c_cli-multi-component-old",
    );
  });

  test("shards 1/2 and 2/2 merged give the same rows as one run", async () => {
    const strip = (r: TierCReport) =>
      r.rows.map(({ cells, ...rest }) => ({ ...rest, cells: cells.map(({ ms, cached, ...c }) => c) }));
    const whole = await matrix(opts("whole", { scenario: "e0bbb" }));
    await matrix(opts("s1", { scenario: "e0bbb", shard: { index: 1, count: 2 } }));
    await matrix(opts("s2", { scenario: "e0bbb", shard: { index: 2, count: 2 } }));
    const merged = mergeReports([join(work, "s1"), join(work, "s2")], join(work, "merged"), false);
    expect(strip(merged)).toEqual(strip(whole));
    expect(merged.exitCode).toBe(whole.exitCode);
  });

  test("a meld that writes a valid but wrong component is a meld-bug (contract test with a named fake meld)", async () => {
    const other = await watToWasm(work, "wrong", providerConsumerWat(1));
    const fakeMeld = join(work, "fake-meld-wrong-output");
    writeFileSync(
      fakeMeld,
      `#!/bin/sh\n[ "$1" = "--version" ] && { echo "meld 0.0.0-fake"; exit 0; }\nwhile [ "$1" != "-o" ]; do shift; done\ncp '${other}' "$2"\n`,
    );
    chmodSync(fakeMeld, 0o755);
    const r = await matrix(opts("meldbug", { meld: fakeMeld, fixtures: fixtures.slice(1) }));
    expect(r.rows[0]!.verdict).toBe("meld-bug");
    expect(r.rows[0]!.why).toContain("compute returned 43, expected 42");
  });

  test("jco as the reference engine gives the same verdicts", async () => {
    const r = await matrix(opts("jco", { reference: "jco" }));
    expect(verdicts(r)).toEqual({ "compute_composed/multi/component": "pass", "hello_c_cli/multi/component": "pass" });
    expect(r.tools.reference?.engine).toBe("jco");
  });
});

// ---------------------------------------------------------------- compare, on results from the fake kilnd

describe("compare two runs (real meld and wasmtime, kilnd through the fake)", () => {
  // compute_composed's original fails on kilnd in every run (kiln-unsupported: the unchanged row);
  // hello_c_cli's fused file fails with E0BBB, passes, or fails with E2199.
  const unsupportedCompute = { match: "compute_composed", scenario: "e0fa0" as Scenario };
  const runs: Record<"e0bbb" | "pass" | "e2199", string> = { e0bbb: "", pass: "", e2199: "" };
  const reports: Partial<Record<keyof typeof runs, TierCReport>> = {};
  const changed = (d: ReportDiff) => d.changes.map((c) => `${c.fixture} ${c.mode} ${c.form}: ${c.class}`);

  beforeAll(async () => {
    for (const k of ["e0bbb", "pass", "e2199"] as const) {
      const rs = rules(`cmp-${k}`, [unsupportedCompute, ...(k === "pass" ? [] : [{ match: "fused.", scenario: k }])]);
      reports[k] = await matrix(opts(`cmp-${k}`, { rules: rs }));
      runs[k] = join(work, `cmp-${k}`);
    }
  });

  test("E0BBB against a pass: exactly hello_c_cli, fixed one way and regressed the other; another signature is moved", () => {
    expect(Object.values(reports).map((r) => verdicts(r!))).toEqual([
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "seam-bug" },
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "pass" },
      { "compute_composed/multi/component": "kiln-unsupported", "hello_c_cli/multi/component": "seam-bug" },
    ]);
    const fixed = compareReports(reports.e0bbb!, reports.pass!);
    expect([changed(fixed), fixed.unchanged, fixed.tripped]).toEqual([
      ["hello_c_cli multi component: fixed"],
      1,
      false,
    ]);
    expect(fixed.changes[0]!.base).toMatchObject({
      verdict: "seam-bug",
      signature: "[Runtime][E0BBB] Export not found",
    });
    const regressed = compareReports(reports.pass!, reports.e0bbb!);
    expect([changed(regressed), regressed.unchanged, regressed.tripped]).toEqual([
      ["hello_c_cli multi component: regressed"],
      1,
      true,
    ]);
    const moved = compareReports(reports.e0bbb!, reports.e2199!);
    expect([changed(moved), moved.unchanged]).toEqual([["hello_c_cli multi component: moved"], 1]);
    expect(moved.changes[0]!.head?.signature).toBe("[Runtime][E2199] out of bounds memory access");
    expect(moved.head.tools.kilnd?.sha256).toMatch(/^[0-9a-f]{64}$/); // kilnd has no --version: its sha256 names it
  });

  test("CLI: a regression exits 1, a fix alone exits 0, a move trips only --fail-on moved; --junit makes the regression a failure", async () => {
    const regressed = await runScript("tier-c.ts", [
      "compare",
      runs.pass,
      runs.e0bbb,
      "--junit",
      join(work, "cmp.junit.xml"),
    ]);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toContain(
      "**0 fixed, 1 regressed since base** · 1 unchanged · ❌ fails (--fail-on regressed)",
    );
    expect(regressed.stdout).toContain(
      "| ❌ regressed | hello_c_cli | multi | component | ✅ pass | ❌ seam-bug `[Runtime][E0BBB] Export not found` | no longer passes |",
    );
    expect(readFileSync(join(work, "cmp.junit.xml"), "utf8")).toContain(
      '<failure message="regressed: no longer passes">',
    );
    const fixed = await runScript("tier-c.ts", ["compare", join(runs.e0bbb, "results.json"), runs.pass, "--json"]);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      summary: "1 fixed, 0 regressed since base",
      counts: { fixed: 1, regressed: 0 },
      unchanged: 1,
    });
    expect((await runScript("tier-c.ts", ["compare", runs.e0bbb, runs.e2199])).code).toBe(0);
    const strict = await runScript("tier-c.ts", [
      "compare",
      runs.e0bbb,
      runs.e2199,
      "--fail-on",
      "moved",
      "--out",
      join(work, "cmp.md"),
    ]);
    expect([strict.code, strict.stdout]).toEqual([1, ""]);
    expect(readFileSync(join(work, "cmp.md"), "utf8")).toContain("| ❗ moved | hello_c_cli |");
  });

  test("CLI: bad input exits 2 with one line naming the file", async () => {
    const notResults = join(work, "cmp-not-results.json");
    const notJson = join(work, "cmp-not-json.json");
    writeFileSync(notResults, JSON.stringify({ schema: "seam.ls-gate/1" }));
    writeFileSync(notJson, "{ not json");
    const cases: [string[], string | RegExp][] = [
      [
        ["compare", runs.pass, join(work, "nowhere.json")],
        `tier-c: error: ${join(work, "nowhere.json")} not found: pass a tier-c results.json or its --out folder`,
      ],
      [
        ["compare", notResults, runs.pass],
        `tier-c: error: ${notResults}: not a tier-c results file (schema "seam.ls-gate/1"; compare reads seam.tier-c/1, seam.tier-c/2)`,
      ],
      [
        ["compare", notJson, runs.pass],
        new RegExp(`^tier-c: error: ${notJson}: not JSON \\(.*\\): pass a tier-c results\\.json$`),
      ],
      [
        ["compare", runs.pass, runs.pass, "--fail-on", "sometimes"],
        'tier-c: error: --fail-on: unknown value "sometimes" (known: regressed, moved, any, none)',
      ],
    ];
    for (const [args, line] of cases) {
      const p = await runScript("tier-c.ts", args);
      expect([p.code, p.stdout]).toEqual([2, ""]);
      // One error line, and at most a hint naming the fix.
      const lines = p.stderr.trimEnd().split("\n");
      expect(lines.slice(1).every((l) => l.startsWith("tier-c: hint: "))).toBe(true);
      expect(lines.length).toBeLessThanOrEqual(2);
      if (typeof line === "string") expect(lines[0]).toBe(line);
      else expect(lines[0]).toMatch(line);
    }
    const one = await runScript("tier-c.ts", ["compare", runs.pass]);
    expect([one.code, one.stderr.split("\n")[0]]).toEqual([
      2,
      "tier-c: error: compare needs BASE and HEAD, got 1 path(s)",
    ]);
  });

  test("tier-c --baseline: runs, compares, embeds the diff, writes compare.json and compare.md; the diff alone can fail the run", async () => {
    const ledger = join(work, "cmp-ledger.yaml");
    writeFileSync(ledger, LEDGER_YAML);
    const out = join(tempDir("seam-baseline"), "out");
    const env = { FAKE_KILND_RULES: fusedOnly("e0bbb"), FAKE_KILND_SCENARIO: "run" };
    const args = [
      "--out",
      out,
      "--fixture",
      "hello_c_cli",
      "--form",
      "component",
      "--kilnd",
      kilnd,
      "--reference",
      "wasmtime",
      "--ledger",
      ledger,
      "--baseline",
      runs.pass,
    ];
    const p = await runScript("tier-c.ts", args, { env });
    // The run alone passes (a known blocker: expected-fail); against a base where hello_c_cli passed it regressed.
    expect(p.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport;
    expect([report.rows[0]!.verdict, report.exitCode]).toEqual(["expected-fail", 0]);
    expect(report.diff!.summary).toBe("0 fixed, 1 regressed, 1 gone since base");
    expect(report.diff!.corpus.note).toBe(
      "the corpora differ: compared on the 1 common row; 1 row only in base (fixture compute_composed), listed as gone",
    );
    expect(JSON.parse(readFileSync(join(out, "compare.json"), "utf8"))).toEqual(report.diff!);
    expect(readFileSync(join(out, "compare.md"), "utf8")).toContain(
      "| ❌ regressed | hello_c_cli | multi | component | ✅ pass | 🟡 expected-fail (kiln#375) `[Runtime][E0BBB] Export not found` | no longer passes |",
    );
    expect(p.stdout).toContain("**0 fixed, 1 regressed, 1 gone since base**");
    expect((await runScript("tier-c.ts", [...args, "--fail-on", "none"], { env })).code).toBe(0);
  });

  test("tier-c --baseline on the --out folder itself reads the previous results first and moves them to baseline.json", async () => {
    const out = join(tempDir("seam-baseline"), "out");
    const args = [
      "--out",
      out,
      "--fixture",
      "hello_c_cli",
      "--form",
      "component",
      "--kilnd",
      kilnd,
      "--reference",
      "wasmtime",
    ];
    const env = { FAKE_KILND_SCENARIO: "run" };
    expect((await runScript("tier-c.ts", args, { env })).code).toBe(0);
    const previous = readFileSync(join(out, "results.json"), "utf8");
    const p = await runScript("tier-c.ts", [...args, "--baseline", out], { env });
    expect(p.code).toBe(0);
    expect(readFileSync(join(out, "baseline.json"), "utf8")).toBe(previous);
    const diff = (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport).diff!;
    expect([diff.summary, diff.base.file]).toEqual([
      "no change since base (1 row unchanged)",
      join(out, "baseline.json"),
    ]);
  });

  test("tier-c --baseline with a path that does not exist is exit 2 before anything runs; --fail-on needs --baseline", async () => {
    const out = join(tempDir("seam-baseline"), "out");
    const p = await runScript("tier-c.ts", ["--out", out, "--fixture", "hello_c_cli", "--baseline", join(out, "nope")]);
    expect([p.code, p.stderr.trimEnd()]).toEqual([
      2,
      `tier-c: error: ${join(out, "nope")} not found: pass a tier-c results.json or its --out folder`,
    ]);
    expect(existsSync(out)).toBe(false);
    const q = await runScript("tier-c.ts", ["--fail-on", "any"]);
    expect([q.code, q.stderr.split("\n")[0]]).toEqual([2, "tier-c: error: --fail-on applies to --baseline"]);
  });
});

// ---------------------------------------------------------------- ad hoc: any component, the reference as the oracle

describe("ad hoc runs: tier-c FILE.wasm|DIR, judged against the reference engine's run of the original", () => {
  const results = (out: string) => JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as TierCReport;
  const cellOf = (r: TierCReport["rows"][number], step: string) => r.cells.find((c) => c.step === step)!;

  test("a composed component no test has seen, --invoke of its two exports: every row judged against the reference's results", async () => {
    const bias = 100 + Math.floor(Math.random() * 100_000);
    const dir = tempDir("seam-adhoc-composed");
    const file = await watToWasm(dir, "Fresh-Composed", providerConsumerWat(bias));
    const out = join(dir, "out");
    const args = [
      file,
      "--invoke",
      "compute",
      "--invoke",
      "greet",
      "--memory",
      "multi,shared",
      "--kilnd",
      kilnd,
      "--out",
      out,
    ];
    const p = await runScript("tier-c.ts", args, { env: { FAKE_KILND_SCENARIO: "run" } });
    expect([p.code, p.stderr]).toEqual([
      0,
      expect.stringContaining(`ad hoc fresh_composed: expectation recorded on wasmtime`),
    ]);
    const r = results(out);
    expect(verdicts(r)).toEqual({
      "fresh_composed/multi/component": "pass",
      "fresh_composed/multi/core": "pass",
      "fresh_composed/shared/component": "pass",
      "fresh_composed/shared/core": "pass",
    });
    for (const row of r.rows) {
      expect(cellOf(row, "reference(original)").detail).toBe(`compute returned ${42 + bias}`);
      expect(cellOf(row, "kiln(fused)").detail).toBe(`compute returned ${42 + bias}`);
    }
    expect(r.tools.reference?.engine).toBe("wasmtime");
    expect(r.notices).toContain(
      "ad hoc run: each expectation was recorded from wasmtime 49.0.3 on the unfused original; no known-blocker ledger (its entries name corpus fixtures; pass --ledger FILE to use one)",
    );
    // The same rows against a meld whose output adds one more: judged by the recorded results, it is meld's bug.
    const wrong = await watToWasm(dir, "wrong", providerConsumerWat(bias + 1));
    const fakeMeld = join(dir, "fake-meld-plus-one");
    writeFileSync(
      fakeMeld,
      `#!/bin/sh\n[ "$1" = "--version" ] && { echo "meld 0.0.0-fake"; exit 0; }\nwhile [ "$1" != "-o" ]; do shift; done\ncp '${wrong}' "$2"\n`,
    );
    chmodSync(fakeMeld, 0o755);
    const bad = await runScript(
      "tier-c.ts",
      [...args, "--form", "component", "--meld", fakeMeld, "--out", join(dir, "out-wrong")],
      { env: { FAKE_KILND_SCENARIO: "run" } },
    );
    expect(bad.code).toBe(1);
    const rows = results(join(dir, "out-wrong")).rows;
    expect(rows.map((x) => [x.mode, x.verdict])).toEqual([
      ["multi", "meld-bug"],
      ["shared", "meld-bug"],
    ]);
    expect(rows[0]!.why).toContain(`compute: result differs: expected ${42 + bias}, got ${43 + bias}`);
  });

  test("a folder of commands: one row per command per mode and form; a core module in it is skipped with a line", async () => {
    // kilnd as recorded (its 0.4.4 transcripts replayed: it refuses components, runs these core modules),
    // with the corpus's ledger passed explicitly: an ad hoc run consults one only when told to.
    const dir = tempDir("seam-adhoc-folder");
    const cmds = join(dir, "cmds");
    mkdirSync(cmds);
    for (const f of ["hello_c_cli", "hello_cpp_cli", "trap"])
      writeFileSync(join(cmds, `${f}.wasm`), readFileSync(join(ROOT, "fixtures", `${f}.wasm`)));
    writeFileSync(join(cmds, "plain-core.wasm"), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const out = join(dir, "out");
    const ledger = join(ROOT, "fixtures", "known-blockers.yaml");
    const p = await runScript(
      "tier-c.ts",
      [cmds, "--memory", "multi,shared", "--kilnd", kilnd, "--out", out, "--ledger", ledger],
      { env: { FAKE_KILND_SCENARIO: "auto" } },
    );
    expect(p.code).toBe(0);
    const skip = `${join(cmds, "plain-core.wasm")}: a core module, skipped (tier-c fuses components)`;
    expect(p.stderr.split("\n")).toContain(skip);
    const r = results(out);
    expect(r.notices).toContain(skip);
    const keys = ["hello_c_cli", "hello_cpp_cli", "trap"].flatMap((f) =>
      ["multi", "shared"].flatMap((m) => ["component", "core"].map((form) => `${f}/${m}/${form}`)),
    );
    expect(Object.keys(verdicts(r))).toEqual(keys);
    expect(
      Object.fromEntries(
        r.rows.map((x) => [
          `${x.fixture}/${x.mode}/${x.form}`,
          x.form === "core" ? x.verdict : `${x.verdict} ${x.blocker?.ref}`,
        ]),
      ),
    ).toEqual(Object.fromEntries(keys.map((k) => [k, k.endsWith("core") ? "pass" : "expected-fail kiln#375"])));
    const hello = r.rows.find((x) => x.fixture === "hello_cpp_cli" && x.form === "core")!;
    expect([cellOf(hello, "reference(original)").detail, cellOf(hello, "kiln(fused)").detail]).toEqual([
      "exit 0, stdout matches (37 bytes)",
      "exit 0, stdout matches (37 bytes)",
    ]);
    expect(
      cellOf(
        r.rows.find((x) => x.fixture === "trap" && x.form === "core")!,
        "kiln(fused)",
      ).detail,
    ).toBe("trapped as expected");
  });

  test("a component the reference cannot run is reference-fail with the why, and exit 1", async () => {
    const dir = tempDir("seam-adhoc-refail");
    const file = await watToWasm(dir, "not_a_command", providerConsumerWat(3));
    const out = join(dir, "out");
    const p = await runScript("tier-c.ts", [file, "--form", "core", "--kilnd", kilnd, "--out", out], {
      env: { FAKE_KILND_SCENARIO: "run" },
    });
    expect(p.code).toBe(1);
    const row = results(out).rows[0]!;
    expect([row.verdict, row.outcome]).toEqual(["reference-fail", "unexpected"]);
    expect(row.why).toStartWith(
      "the original fails its expectation on wasmtime: no expectation could be recorded: wasmtime cannot run the original as a wasi:cli command: failed (",
    );
    expect(row.why).toContain("no exported instance named `wasi:cli/run");
    expect(row.why).toEndWith("if it is not a command, name the exports to call with --invoke");
    expect(readFileSync(join(out, row.bundle!, "REPRO.md"), "utf8")).toContain("no expectation could be recorded");
  });

  test("--save-fixture writes an entry that loads, whose expectation the component meets; fixtures.ts build keeps it; an existing name is refused", async () => {
    const dir = tempDir("seam-adhoc-save");
    const corpus = join(dir, "corpus");
    mkdirSync(corpus);
    const manifest = join(corpus, "manifest.yaml");
    writeFileSync(manifest, "# a test corpus\nschema: seam.fixtures/1\nfixtures: []\n");
    const input = join(dir, "Echo-Args.wasm");
    writeFileSync(input, readFileSync(join(ROOT, "fixtures", "args_env.wasm")));
    // args_env's own flags, so the recorded expectation can be held against the hand-written one.
    const corpusEntry = loadManifest(MANIFEST).fixtures.find((x) => x.name === "args_env")!;
    const flags = [
      ...corpusEntry.args.flatMap((a) => ["--arg", a]),
      ...Object.entries(corpusEntry.env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ];
    const args = [
      input,
      ...flags,
      "--kilnd",
      kilnd,
      "--out",
      join(dir, "out"),
      "--manifest",
      manifest,
      "--save-fixture",
      "echo_args",
    ];
    // kilnd 0.4.4 as recorded: it loses the env values on the core path (seam-bug, exit 1); meld's outcome is still kept.
    const p = await runScript("tier-c.ts", args, { env: { FAKE_KILND_SCENARIO: "auto" } });
    expect(p.code).toBe(1);
    expect(p.stderr.split("\n").slice(-4)).toContain(
      `saved fixture echo_args: ${join(corpus, "echo_args.wasm")} and its entry in ${manifest}`,
    );
    expect(Object.keys(verdicts(results(join(dir, "out"))))).toEqual([
      "echo_args/multi/component",
      "echo_args/multi/core",
      "echo_args/shared/component",
      "echo_args/shared/core",
    ]);
    const saved = loadManifest(manifest).fixtures;
    expect(saved.map((f) => [f.name, f.build, f.relFile, f.sources, f.args, f.env])).toEqual([
      ["echo_args", "prebuilt", "echo_args.wasm", ["echo_args.wasm"], corpusEntry.args, corpusEntry.env],
    ]);
    const f = saved[0]!;
    expect(f.expect).toEqual(corpusEntry.expect);
    expect([f.meld, f.meldCore]).toEqual([
      { multi: { outcome: "pass" }, shared: { outcome: "pass" } },
      { multi: { outcome: "fused" }, shared: { outcome: "fused" } },
    ]);
    const again = await runComponent({ wasm: f.file, engine: "wasmtime", args: f.args, env: f.env });
    const bytes = Buffer.byteLength((corpusEntry.expect as { stdout: string }).stdout);
    expect(judgeRun(again, f)).toEqual({ ok: true, why: `exit 0, stdout matches (${bytes} bytes)` });
    const build = await buildFixtures({ manifestPath: manifest, check: true });
    expect(build.fixtures.map((x) => [x.name, x.status])).toEqual([["echo_args", "unchanged"]]);
    // An existing name: one line, exit 2, before anything runs; nothing changes.
    const before = readFileSync(manifest, "utf8");
    const q = await runScript("tier-c.ts", [
      input,
      "--out",
      join(dir, "out-again"),
      "--manifest",
      manifest,
      "--save-fixture",
      "echo_args",
    ]);
    expect([q.code, q.stdout, q.stderr.split("\n")[0]]).toEqual([
      2,
      "",
      `tier-c: error: fixture echo_args already exists in ${manifest} (line 4)`,
    ]);
    expect(readFileSync(manifest, "utf8")).toBe(before);
    expect(existsSync(join(dir, "out-again"))).toBe(false);
  });

  test("usage errors are one line, exit 2, before anything runs", async () => {
    const dir = tempDir("seam-adhoc-usage");
    const empty = join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(join(dir, "core.wasm"), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const hello = join(ROOT, "fixtures", "hello_c_cli.wasm");
    const two = join(dir, "two");
    mkdirSync(two);
    for (const n of ["a", "b"]) writeFileSync(join(two, `${n}.wasm`), readFileSync(hello));
    const cases: [string[], string][] = [
      [
        [hello, "--fixture", "hello_c_cli"],
        "tier-c: error: --fixture picks corpus fixtures and FILE/DIR arguments run ad hoc: pass one or the other",
      ],
      [
        ["--invoke", "compute"],
        "tier-c: error: --invoke applies to an ad hoc run: name the component (FILE.wasm or DIR)",
      ],
      [[empty], `tier-c: error: ${empty} holds no component (0 .wasm file(s) there, none a component)`],
      [[join(dir, "core.wasm")], `tier-c: error: ${join(dir, "core.wasm")} is a core module: tier-c fuses components`],
      [[hello, hello], `tier-c: error: ${join("fixtures", "hello_c_cli.wasm")} is given twice`],
      [
        [hello, "--save-fixture", "Bad-Name"],
        "tier-c: error: --save-fixture Bad-Name: a fixture name is lower-case letters, digits and _, starting with a letter",
      ],
      [
        [hello, "--save-fixture", "x", "--memory", "multi"],
        "tier-c: error: --save-fixture records what meld does in both memory modes and both forms, so it needs the whole run",
      ],
      [[two, "--save-fixture", "x"], "tier-c: error: --save-fixture keeps one component, and this run has 2"],
    ];
    for (const [args, line] of cases) {
      const out = join(dir, "out");
      const p = await runScript("tier-c.ts", [...args, "--out", out]);
      expect([p.code, p.stdout, p.stderr.split("\n")[0]]).toEqual([2, "", line]);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("tier-c CLI", () => {
  test("ls_s_8_ a run killed mid-matrix leaves the previous results.json whole and no temp files", async () => {
    const out = join(tempDir("seam-tierc-kill"), "out");
    const tag = `seam-kill-${process.pid}-${Date.now()}`;
    mkdirSync(out, { recursive: true });
    const previous = JSON.stringify({ schema: "seam.tier-c/1", rows: [], note: "previous run" });
    writeFileSync(join(out, "results.json"), previous);
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "scripts", "tier-c.ts"),
        "--out",
        out,
        "--fixture",
        "hello_c_cli",
        "--form",
        "component",
        "--kilnd",
        kilnd,
        "--reference",
        "wasmtime",
        "--no-cache",
      ],
      {
        env: { ...process.env, FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag },
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
      },
    );
    // Kill the whole tree as soon as the first cell has finished: the matrix is then mid-way.
    await new Promise<void>((resolve) =>
      child.stderr!.on("data", (c: Buffer) => c.toString().includes("[1/") && resolve()),
    );
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.on("close", r));
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe(previous);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await runProcess(["pkill", "-f", tag]); // SIGKILL gave tier-c no chance to stop the kilnd it started
  });

  test("usage errors are one line, exit 2", async () => {
    const p = await runScript("tier-c.ts", ["--memory", "triple"]);
    expect([p.code, p.stderr.split("\n")[0]]).toEqual([
      2,
      'tier-c: error: --memory: unknown value "triple" (known: multi, shared)',
    ]);
    expect((await runScript("tier-c.ts", ["--shard", "3/2"])).code).toBe(2);
    const form = await runScript("tier-c.ts", ["--form", "kore"]);
    expect([form.code, form.stderr.split("\n")[0]]).toEqual([
      2,
      'tier-c: error: --form: unknown value "kore" (known: component, core)',
    ]);
  });

  test("ls_s_10_ KILND naming a program that is not kilnd, or nothing, is exit 3 naming it, never a green run", async () => {
    const out = join(tempDir("seam-tierc-wrong-kilnd"), "out");
    for (const [kilnd, first] of <[string, string][]>[
      ["/bin/true", "tier-c: error: KILND=/bin/true does not answer like kilnd: `kilnd --help` printed"],
      ["/nonexistent/kilnd", "tier-c: error: KILND=/nonexistent/kilnd is not an executable file"],
    ]) {
      const p = await runScript("tier-c.ts", ["--out", out, "--fixture", "hello_c_cli"], { env: { KILND: kilnd } });
      expect([p.code, p.stdout, p.stderr.split("\n")[0]!.slice(0, first.length)]).toEqual([3, "", first]);
      expect(p.stderr).toContain("hint: point KILND at a kilnd binary, or unset it");
      expect(existsSync(out)).toBe(false);
    }
  });

  test("on the corpus with kilnd absent: a table on stdout, results.json on disk, exit 0", async () => {
    const out = join(tempDir("seam-tierc-cli"), "out");
    const p = await runScript("tier-c.ts", ["--out", out, "--reference", "wasmtime", "--fixture", "hello_c_cli"], {
      env: { KILND: undefined, MELD_KILND: undefined },
    });
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("| hello_c_cli | multi | component |");
    expect(p.stdout).toContain("| hello_c_cli | multi | core |");
    expect(p.stderr).toMatch(/\[\d+\/\d+\] hello_c_cli/);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).schema).toBe("seam.tier-c/2");
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toContain('<testcase classname="tier-c.hello_c_cli"');
  });
});
