/** tier-c: ad hoc runs, any component judged against the reference engine. */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TierCReport } from "./lib/tierc/report.ts";
import { providerConsumerWat, runScript, tempDir, watToWasm } from "./testing/testkit.ts";
import { buildFixtures } from "./lib/fixtures/build.ts";
import { runComponent } from "./lib/engines/run.ts";
import { loadManifest } from "./lib/fixtures/manifest.ts";
import { judgeRun } from "./lib/fixtures/judge.ts";
import { ROOT } from "./lib/core/paths.ts";
import { MANIFEST, kilnd, fixtures, verdicts, setUpMatrixKit } from "./testing/matrix-kit.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

beforeAll(setUpMatrixKit);

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
      "ad hoc run: each expectation was recorded from wasmtime 49.0.3 on the unfused original; known blockers from fixtures/known-blockers.yaml (on the default ledger, its entries scoped by signature: the others name corpus fixtures)",
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
