/** tier-c: kilnd 0.4.4 as recorded through the replaying fake, and the CLI. Shared setup: testing/matrix-kit.ts. */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { loadFixtures } from "./lib/tierc/matrix.ts";
import { loadLedger } from "./lib/tierc/ledger.ts";
import { runProcess } from "./lib/core/proc.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import { ROOT } from "./lib/core/paths.ts";
import { MANIFEST, work, kilnd, fixtures, opts, verdicts, matrix, setUpMatrixKit } from "./testing/matrix-kit.ts";

// Real meld, jco and wasmtime runs take longer than bun's 5 s default on a loaded 2-core machine.
setDefaultTimeout(120_000);

beforeAll(setUpMatrixKit);

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

  test("the core path's lost environment and stdin are seam-bugs with bundles that reproduce; exit_code passes, as 1 on every engine", async () => {
    const r = await matrix(
      opts("core-bugs", {
        fixtures: loadFixtures(MANIFEST, ["args_env", "stdin_echo", "exit_code"]),
        forms: ["core"],
        scenario: "replay",
      }),
    );
    expect(verdicts(r)).toEqual({
      "args_env/multi/core": "seam-bug",
      "exit_code/multi/core": "pass",
      "stdin_echo/multi/core": "seam-bug",
    });
    expect(r.rows.map((x) => x.reproduced)).toEqual(["same signature", undefined, "same signature"]);
    const args = r.rows[0]!;
    expect(args.why).toContain('stdout differs at byte 72: expected "hello from the h", got "<unset>');
    const dir = join(work, "core-bugs", args.bundle!);
    const script = readFileSync(join(dir, "repro.sh"), "utf8");
    expect(script).toContain('"$MELD" fuse original.wasm -o "$work/refused.wasm" --memory multi --reproducible');
    expect(script).toContain(
      `"$KILND" fused.core.wasm --wasi --wasi-arg alpha --wasi-arg 'two words' --wasi-arg 'ünïcode' --wasi-env SEAM_FX_GREETING --wasi-env SEAM_FX_NUMBER`,
    );
    expect(script).toContain("export SEAM_FX_GREETING='hello from the host'");
    const md = readFileSync(join(dir, "REPRO.md"), "utf8");
    expect(md).toContain("env SEAM_FX_GREETING=hello from the host");
    expect(md).toContain("env SEAM_FX_GREETING=<unset>");
    expect(md).toContain(`(\`step-1.kilnd.stdout\`, ${readFileSync(join(dir, "step-1.kilnd.stdout")).length} bytes`);
    expect(r.rows[1]!.why).toContain("exit 1 (the guest exits 3");
    expect(readFileSync(join(work, "core-bugs", r.rows[2]!.bundle!, "repro.sh"), "utf8")).toContain(
      "fused.core.wasm --wasi < stdin.bin",
    );
  });

  test("every bundle, copied alone to an empty folder, reproduces with only KILND and a bare PATH (exit 1), and cannot test without KILND (125)", async () => {
    const out = join(work, "core-bugs");
    const bin = tempDir("seam-bisect-bin");
    const fake = writeFakeKilnd(bin, { FAKE_KILND_SCENARIO: "replay" });
    const bundles = readdirSync(out).filter((d) => existsSync(join(out, d, "repro.sh")));
    expect(bundles.length).toBe(2);
    for (const b of bundles) {
      const alone = join(tempDir("seam-bisect"), "bundle");
      cpSync(join(out, b), alone, { recursive: true });
      for (const f of readdirSync(alone)) expect(readFileSync(join(alone, f), "latin1")).not.toContain(work);
      const run = (env: Record<string, string>) =>
        runProcess(["sh", "repro.sh"], { cwd: alone, env: { PATH: "/usr/bin:/bin", ...env }, timeoutMs: 60_000 });
      const p = await run({ KILND: fake });
      expect([b, p.code]).toEqual([b, 1]);
      expect(p.stdout).toMatch(/^REPRODUCED: step 1 \(the command\): guest stdout differs/m);
      expect((await run({})).code).toBe(125);
      rmSync(join(alone, "fused.core.wasm"));
      expect((await run({ KILND: fake })).code).toBe(125);
    }
  });

  test("findings group the failing rows by root cause, each with its smallest input's bundle", () => {
    const findings = JSON.parse(readFileSync(join(work, "core-bugs", "findings.json"), "utf8"));
    expect(findings.schema).toBe("seam.tier-c-findings/1");
    expect(findings.failingRows).toBe(2);
    expect(findings.findings.map((f: { kind: string }) => f.kind).sort()).toEqual([
      "the guest's stdout differs",
      "the guest's stdout ends early",
    ]);
    expect(readFileSync(join(work, "core-bugs", "findings.md"), "utf8")).toContain("pulseengine/kiln");
  });

  test("a core module that imports what the original does not is meld's: meld left it unresolved", async () => {
    const r = await matrix(
      opts("unattributed", {
        fixtures: loadFixtures(MANIFEST, ["resources_across"]),
        forms: ["component", "core"],
        scenario: "replay",
      }),
    );
    expect(verdicts(r)).toEqual({
      "resources_across/multi/component": "fuse-refused",
      "resources_across/multi/core": "meld-bug",
    });
    const core = r.rows.find((x) => x.form === "core")!;
    expect(core.why).toStartWith("meld left `");
    expect(core.why).toContain("`seam:fixtures/counters@0.1.0` `[resource-drop]counter`");
    expect(core.actualSignature).toBe("[Runtime][E03EE] Unknown WASI function");
    expect(r.exitCode).toBe(1);
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
      env: { KILND: "none", MELD_KILND: undefined },
    });
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("| hello_c_cli | multi | component |");
    expect(p.stdout).toContain("| hello_c_cli | multi | core |");
    expect(p.stderr).toMatch(/\[\d+\/\d+\] hello_c_cli/);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).schema).toBe("seam.tier-c/2");
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toContain('<testcase classname="tier-c.hello_c_cli"');
  });
});
