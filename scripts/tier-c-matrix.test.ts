/** tier-c: the matrix with real meld and wasmtime, kilnd through the fake (contract scenarios). */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mergeReports } from "./lib/tierc/write.ts";
import type { TierCReport } from "./lib/tierc/report.ts";
import { parseLedger, type Blocker } from "./lib/tierc/ledger.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { runProcess } from "./lib/core/proc.ts";
import { providerConsumerWat, tempDir, watToWasm } from "./testing/testkit.ts";
import { requireTool } from "./lib/tools/lookup.ts";
import { ROOT } from "./lib/core/paths.ts";
import {
  LEDGER_YAML,
  work,
  kilnd,
  fixtures,
  rules,
  opts,
  fusedOnly,
  verdicts,
  launches,
  matrix,
  setUpMatrixKit,
} from "./testing/matrix-kit.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

beforeAll(setUpMatrixKit);

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
    expect(readFileSync(join(dir, "REPRO.md"), "utf8")).toContain("repro.sh exited 1 and printed REPRODUCED");
  });

  test("ls_s_5_ repro.sh re-runs from another folder with the fake kilnd as KILND, and with MELD fuses again to the same file", async () => {
    const dir = join(work, "seam", "hello_c_cli-multi-component");
    const binDir = tempDir("seam-bin");
    const kilnd = writeFakeKilnd(binDir);
    const meld = requireTool("meld").path;
    const env = { PATH: "/usr/bin:/bin", FAKE_KILND_SCENARIO: "e0bbb", KILND: kilnd };
    const p = await runProcess(["sh", join(dir, "repro.sh")], { cwd: tempDir("seam-elsewhere"), env });
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("REPRODUCED: step 1 (the command): [Runtime][E0BBB] Export not found");
    const again = await runProcess(["sh", join(dir, "repro.sh")], { env: { ...env, MELD: meld } });
    expect([again.code, again.stdout]).toEqual([1, expect.not.stringContaining("another file")]);
    const fine = await runProcess(["sh", join(dir, "repro.sh")], { env: { ...env, FAKE_KILND_SCENARIO: "run" } });
    expect([fine.code, fine.stdout]).toEqual([0, expect.stringContaining("kilnd meets the expectation")]);
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
        env: { ...process.env, KILND: "none", MELD_KILND: undefined, PATH: "/usr/bin:/bin" },
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
    expect(r.rows[0]!.why).toContain("compute: result differs: expected 42, got 43");
  });

  test("jco as the reference engine gives the same verdicts", async () => {
    const r = await matrix(opts("jco", { reference: "jco" }));
    expect(verdicts(r)).toEqual({ "compute_composed/multi/component": "pass", "hello_c_cli/multi/component": "pass" });
    expect(r.tools.reference?.engine).toBe("jco");
  });
});
