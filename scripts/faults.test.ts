/**
 * faults — the README's Troubleshooting rules, one table per rule: a fault is never a verdict (1), every
 * engine run is bounded and honest about the bound (2), guest text is inert (3), one run per --out (4),
 * the token never shows (5), every process group is seam's to end (6), tests leave nothing behind (7).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { runProcess, type ProcResult } from "./lib/core/proc.ts";
import { classifyJco, classifyKiln, classifyWasmtime } from "./lib/engines/classify.ts";
import { classifyFuse } from "./lib/engines/fuse.ts";
import { cacheable, fuseCacheable } from "./lib/tierc/cache.ts";
import { rerunKilled } from "./lib/tierc/cells.ts";
import { refuseInterrupted, type Row, type TierCReport } from "./lib/tierc/report.ts";
import { loadResults } from "./lib/compare/io.ts";
import { loadReports } from "./lib/comment/plan.ts";
import { renderSections } from "./lib/comment/body.ts";
import { renderTierCMarkdown } from "./lib/tierc/render.ts";
import { reproMarkdown } from "./lib/tierc/bundle/text.ts";
import type { ReproInput } from "./lib/tierc/bundle/steps.ts";
import { KilnGuestDigest } from "./lib/engines/kiln-stream.ts";
import { parseKilnTranscript } from "./lib/engines/classify.ts";
import { runComponent } from "./lib/engines/run.ts";
import { flaggedTool, requireTool } from "./lib/tools/lookup.ts";
import { lockOut, LOCK_FILE } from "./lib/core/lock.ts";
import { makeScrubber } from "./lib/github/token.ts";
import { actionsContext } from "./lib/github/actions.ts";
import { byteSize, formatError, keyValues } from "./lib/core/cli.ts";
import { SeamError } from "./lib/core/errors.ts";
import { parseToolChoice } from "./lib/tierc/matrix.ts";
import { loadLedger, LEDGER_MAX_BYTES } from "./lib/tierc/ledger.ts";
import type { RunRecord } from "./lib/engines/records.ts";
import { ROOT } from "./lib/core/paths.ts";
import { appears, processesLeft, tempDir, watToWasm } from "./testing/testkit.ts";
import { writeFakeKilnd } from "./testing/fake-kilnd.ts";
import { procResult, runRecord } from "./testing/run-records.ts";
import { setDefaultTimeout } from "bun:test";

// Plain `bun test` (bun 1.4.5 ignores bunfig's [test] timeout): the subprocess tests here need more than 5 s.
setDefaultTimeout(300_000);

const dirs: string[] = [];
const scratch = (tag: string) => (dirs.push(tempDir(`seam-faults-${tag}`)), dirs.at(-1)!);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const proc = (p: Partial<ProcResult>): ProcResult => procResult({ argv: ["engine"], code: null, ms: 5, ...p });

/** A kilnd run record of the given verdict (nothing printed, no exit status unless given). */
const record = (verdict: RunRecord["verdict"], extra: Partial<RunRecord> = {}): RunRecord =>
  runRecord({
    engine: "kiln",
    engineVersion: "0.4.4",
    enginePath: "/x/kilnd",
    wasm: "a.wasm",
    form: "core",
    command: "kilnd a.wasm",
    verdict,
    exitCode: null,
    stdoutSha256: "",
    ...extra,
  });

const HELLO = join(ROOT, "fixtures", "hello_c_cli.wasm");

// ---------------------------------------------------------------------------------------------------
describe("rule 1: only a completed judgement is a verdict", () => {
  const classifiers = { kiln: classifyKiln, jco: classifyJco, wasmtime: classifyWasmtime };
  const ends: [string, Partial<ProcResult>, string][] = [
    [
      "interrupted by seam",
      { signal: "SIGKILL", fault: "interrupted", faultDetail: "interrupted by SIGINT" },
      "interrupted",
    ],
    ["over the memory cap", { signal: "SIGKILL", fault: "memory-limit", faultDetail: "over 4 GiB" }, "memory-limit"],
    ["over the output cap", { signal: "SIGKILL", fault: "output-limit", faultDetail: "over 1 GiB" }, "output-limit"],
    ["SIGKILL seam did not send (OOM killer)", { signal: "SIGKILL" }, "killed"],
    ["SIGTERM from outside", { signal: "SIGTERM" }, "killed"],
    ["SIGHUP from outside", { signal: "SIGHUP" }, "killed"],
    ["SIGINT from outside", { signal: "SIGINT" }, "killed"],
    ["the engine's own SIGSEGV", { signal: "SIGSEGV" }, "crashed"],
    ["the engine's own SIGABRT", { signal: "SIGABRT" }, "crashed"],
    ["seam's timeout", { signal: "SIGKILL", timedOut: true }, "timeout"],
    ["no engine", { spawnError: "ENOENT: no such file" }, "missing-engine"],
  ];
  for (const [engine, classify] of Object.entries(classifiers))
    for (const [what, p, verdict] of ends)
      test(`${engine}: ${what} is ${verdict}, with its cause`, () => {
        const c = classify(proc(p));
        expect(c.verdict).toBe(verdict as RunRecord["verdict"]);
        if (p.faultDetail) expect(c.errorLine).toContain(p.faultDetail);
        if (verdict === "killed") expect(c.errorLine).toContain(p.signal!);
      });

  const caching: [string, RunRecord[], boolean][] = [
    ["a pass", [record("passed")], true],
    ["a trap", [record("trapped")], true],
    ["an engine crash", [record("crashed")], true],
    ["an interrupted run", [record("interrupted")], false],
    ["a run over the memory cap", [record("memory-limit")], false],
    ["a run over the output cap", [record("output-limit")], false],
    ["a run killed from outside", [record("killed")], false],
    ["a crash only seen after a rerun", [record("crashed", { fault: "reproduced on a rerun" })], false],
    ["a timeout", [record("timeout")], false],
    ["a missing engine", [record("missing-engine")], false],
    ["one faulted invoke among passes", [record("passed"), record("interrupted")], false],
  ];
  for (const [what, records, ok] of caching)
    test(`${what} ${ok ? "is" : "is never"} cached`, () => expect(cacheable(records)).toBe(ok));

  const fuses: [string, Partial<ProcResult>, string, boolean][] = [
    [
      "meld interrupted",
      { signal: "SIGKILL", fault: "interrupted", faultDetail: "interrupted by SIGTERM" },
      "fault",
      false,
    ],
    ["meld over seam's timeout", { signal: "SIGKILL", timedOut: true }, "fault", false],
    ["meld crashed by its own SIGSEGV", { signal: "SIGSEGV" }, "crashed", true],
  ];
  for (const [what, p, verdict, cached] of fuses)
    test(`${what}: fusion ${verdict}, ${cached ? "" : "not "}cached`, () => {
      const f = classifyFuse(proc(p), undefined);
      expect(f.verdict).toBe(verdict as "fault");
      expect(fuseCacheable({ verdict: f.verdict } as never)).toBe(cached);
    });

  const reruns: [string, RunRecord[][], string, number][] = [
    [
      "a run killed from outside, fine on the rerun, is the rerun's pass",
      [[record("killed")], [record("passed")]],
      "passed",
      2,
    ],
    [
      "killed twice, it reproduces: the engine's crash, said so",
      [
        [record("killed", { fault: "x", errorLine: "killed: x" })],
        [record("killed", { fault: "x", errorLine: "killed: x" })],
      ],
      "crashed",
      2,
    ],
    ["a finished run is not rerun", [[record("trapped")]], "trapped", 1],
  ];
  for (const [what, runs, verdict, launches] of reruns)
    test(what, async () => {
      let n = 1;
      const out = await rerunKilled(runs[0]!, async () => runs[n++]!);
      expect([out[0]!.verdict, n]).toEqual([verdict as RunRecord["verdict"], launches]);
      if (verdict === "crashed")
        expect([out[0]!.errorLine, cacheable(out)]).toEqual(["killed: x, on a rerun too", false]);
    });

  const interrupted = { schema: "seam.tier-c/2", rows: [], interrupted: "SIGINT" };
  test("compare and post-comment refuse an interrupted run's results: one line, exit 2; the flag accepts them", () => {
    const dir = scratch("interrupted");
    const file = join(dir, "results.json");
    writeFileSync(
      file,
      JSON.stringify({ ...interrupted, tools: {}, options: {}, counts: {}, notices: [], exitCode: 0, generatedAt: "" }),
    );
    for (const read of [() => loadResults(file), () => loadReports([file], "--report")]) {
      let err: SeamError | undefined;
      try {
        read();
      } catch (e) {
        err = e as SeamError;
      }
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toMatch(/interrupted by SIGINT: not every row was judged$/);
      expect(err?.message).not.toContain("\n");
    }
    expect(loadResults(file, true).report.rows).toEqual([]);
    expect(loadReports([file], "--report", true).reports).toHaveLength(1);
    expect(() => refuseInterrupted(file, { interrupted: undefined })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------
/** A run of a guest that printed 200 MiB of 1 KiB lines ("x" × 1023 and a newline): passed, judged on
 * the whole stream (its size and sha256), with the kept part cut. */
function expectFlood(r: RunRecord): void {
  const line = Buffer.from("x".repeat(1023) + "\n");
  const h = createHash("sha256");
  for (let i = 0; i < 200 * 1024; i++) h.update(line);
  expect([r.verdict, r.stdoutBytes, r.stdoutSha256, r.stdoutTruncated]).toEqual([
    "passed",
    200 << 20,
    h.digest("hex"),
    true,
  ]);
}

describe("rule 2: bounded, and honest about the bound", () => {
  test("a process over its memory cap is killed by the watchdog and says which cap", async () => {
    const hog = "const a=[];for(;;){a.push(Buffer.alloc(16<<20,1));await Bun.sleep(5)}";
    const p = await runProcess([process.execPath, "-e", hog], { memoryLimitBytes: 200 << 20, timeoutMs: 60_000 });
    expect(p.fault).toBe("memory-limit");
    expect(p.faultDetail).toMatch(/over the memory limit of 200 MiB/);
    expect(p.timedOut).toBe(false);
  });

  test("a process over its output cap is killed and says so; its bytes are counted to the end", async () => {
    const p = await runProcess(["sh", "-c", "yes seam"], { outputLimitBytes: 8 << 20 });
    expect(p.fault).toBe("output-limit");
    expect(p.stdoutBytes).toBeGreaterThan(8 << 20);
  });

  test("a kilnd that exceeds the memory cap is the fault memory-limit, never a verdict, never cached", async () => {
    const kilnd = writeFakeKilnd(scratch("hog"), { FAKE_KILND_SCENARIO: "hog" });
    const r = await runComponent({
      wasm: HELLO,
      engine: "kiln",
      tool: flaggedTool("kilnd", kilnd),
      memoryLimitBytes: 256 << 20,
    });
    expect(r.verdict).toBe("memory-limit");
    expect(r.errorLine).toContain("over the memory limit of 256 MiB");
    expect(cacheable([r])).toBe(false);
  });

  test("kilnd printing 200 MiB: size and sha256 cover every byte, not the kept 64 MiB", async () => {
    const kilnd = writeFakeKilnd(scratch("flood"), { FAKE_KILND_SCENARIO: "flood", FAKE_KILND_FLOOD_MIB: "200" });
    const r = await runComponent({
      wasm: HELLO,
      engine: "kiln",
      tool: flaggedTool("kilnd", kilnd),
      timeoutMs: 300_000,
    });
    expectFlood(r);
  });

  // A real guest, not a double: a wasi:cli command (WAT, adapted by jco new) writing 200 MiB of 1 KiB lines,
  // honouring short writes (the preview1 adapter writes stdout 4 KiB at a time).
  const FLOOD_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start") (local $j i32) (local $n i32) (local $off i32)
    (loop $fill
      (i32.store8 (i32.add (i32.const 1024) (local.get $j))
        (select (i32.const 10) (i32.const 120) (i32.eq (i32.and (local.get $j) (i32.const 1023)) (i32.const 1023))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $j) (i32.const 65536))))
    (loop $blocks
      (local.set $off (i32.const 0))
      (loop $rest
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $off)))
        (i32.store (i32.const 4) (i32.sub (i32.const 65536) (local.get $off)))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $off (i32.add (local.get $off) (i32.load (i32.const 8))))
        (br_if $rest (i32.lt_u (local.get $off) (i32.const 65536))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $blocks (i32.lt_u (local.get $n) (i32.const 3200))))))`;

  for (const engine of ["wasmtime", "jco"] as const)
    test(`a real guest printing 200 MiB on ${engine}: size and sha256 cover every byte, the kept part is cut`, async () => {
      const dir = scratch(`flood-${engine}`);
      const core = await watToWasm(dir, "flood-core", FLOOD_WAT);
      const wasm = join(dir, "flood.wasm");
      const made = await runProcess([requireTool("jco").path, "new", core, "--wasi-command", "-o", wasm]);
      expect(made.code).toBe(0);
      const r = await runComponent({ wasm, engine, tool: requireTool(engine), timeoutMs: 300_000 });
      expectFlood(r);
    });

  test("the streamed guest digest equals the whole-transcript reading on every recorded kilnd case, in any chunking", () => {
    const dir = join(ROOT, "fixtures", "kilnd-0.4.4", "transcripts");
    let cases = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".stdout"))) {
      const out = readFileSync(join(dir, f));
      const guest = Buffer.from(parseKilnTranscript(out.toString("utf8"), "").guest);
      for (const size of [1, 13, 65536]) {
        const d = new KilnGuestDigest();
        for (let i = 0; i < out.length; i += size) d.push(out.subarray(i, i + size));
        expect(d.digest()).toEqual({ bytes: guest.length, sha256: createHash("sha256").update(guest).digest("hex") });
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(500);
  });

  const sizes: [string, number | string][] = [
    ["4G", 4 * 2 ** 30],
    ["4GiB", 4 * 2 ** 30],
    ["512M", 512 * 2 ** 20],
    ["1.5g", 1.5 * 2 ** 30],
    ["4096", "--memory-limit expects a size of at least 1M, got: 4096"],
    ["12K", "--memory-limit expects a size of at least 1M, got: 12K"],
    ["lots", "--memory-limit expects a size of at least 1M, got: lots"],
  ];
  for (const [text, want] of sizes)
    test(`--memory-limit ${text}`, () => {
      let got: number | string;
      try {
        got = byteSize("--memory-limit", text);
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got).toBe(want);
    });
});

// ---------------------------------------------------------------------------------------------------
const HOSTILE: [string, string][] = [
  ["a backtick fence", "before\n```\n# heading </details> @octocat\n```\nafter"],
  ["a longer fence", "````\n</details>\n````"],
  ["raw ESC and control bytes", "red \x1b[31mtext\x1b[0m bell\x07 nul\x00"],
  ["a mention and HTML", "X=@octocat </details><img src=x onerror=alert(1)>"],
  ["a pipe and a newline", "a | b\nc"],
];

describe("rule 3: guest, argument and environment text is inert", () => {
  const row = (why: string): Row => ({
    fixture: "f",
    mode: "multi",
    form: "core",
    verdict: "seam-bug",
    outcome: "unexpected",
    why,
    cells: [],
    // an export's arguments and the values the engines print reach the calls table
    calls: [
      { call: `f(${JSON.stringify(why)})`, expected: why, actual: { "reference(original)": why, "kiln(fused)": why } },
    ],
  });
  const report = (why: string): TierCReport => ({
    schema: "seam.tier-c/2",
    generatedAt: "",
    tools: { meld: null, kilnd: null, reference: null },
    options: { memory: ["multi"], fixtures: ["f"], strict: false },
    rows: [row(why)],
    counts: { "seam-bug": 1 },
    notices: [`guest said: ${why}`],
    exitCode: 1,
  });
  const inert = (md: string) => {
    // seam's own folds open and close in pairs; a guest's `</details>` would be one close too many
    const count = (re: RegExp) => (md.match(re) ?? []).length;
    expect(count(/<\/details>/g)).toBe(count(/<details>/g));
    expect(md).not.toMatch(/<img/);
    expect(md).not.toMatch(/(^|[^\w\u200d])@octocat/m);
    expect(md).not.toMatch(/[\x00\x07\x1b]/);
  };
  for (const [what, text] of HOSTILE) {
    test(`summary.md: ${what}`, () => inert(renderTierCMarkdown(report(text))));
    test(`the PR comment: ${what}`, () =>
      inert(renderSections([{ path: "r.json", kind: "tier-c", report: report(text) }], {}).join("\n")));
    test(`REPRO.md: ${what} in guest stdout, args and env stays inside its fence`, () => {
      const md = reproMarkdown(reproInput(text), "same signature", {
        "step-1.kilnd.stdout": new TextEncoder().encode(text),
      });
      expect(md).not.toMatch(/[\x00\x07\x1b]/);
      const { outside, open } = outsideFences(md);
      expect(open).toBe(false);
      expect(outside).not.toMatch(/^#+ heading/m);
      expect(outside).not.toContain("</details>");
      expect(outside).not.toMatch(/(^|[^\w\u200d])@octocat/m);
    });
  }
  const oneLine: [string, () => unknown][] = [
    ["a newline in an --env value", () => keyValues("--env", ["A", "B=x\ny"])],
    ["--env 'A;touch x;B=1'", () => keyValues("--env", ["A;touch /tmp/x;B=1"])],
    [
      "an ESC in a message",
      () => {
        throw new SeamError("bad \x1b[2J input\nsecond line");
      },
    ],
  ];
  for (const [what, fn] of oneLine)
    test(`error messages stay one line: ${what}`, () => {
      let line = "";
      try {
        fn();
      } catch (e) {
        line = formatError("seam", e).split("\n")[0]!;
        expect(
          formatError("seam", e)
            .split("\n")
            .filter((l) => !l.includes(": hint: ")),
        ).toHaveLength(1);
      }
      expect(line).toMatch(/^seam: error: /);
      expect(line).not.toMatch(/[\x1b]/);
    });
});

/** The markdown outside its fenced blocks, read as CommonMark does: a fence closes only on a line of at
 * least as many backticks and nothing else. `open`: a fence was left unclosed. */
function outsideFences(md: string): { outside: string; open: boolean } {
  let fence = 0;
  const outside: string[] = [];
  for (const line of md.split("\n")) {
    const m = /^(`{3,})\s*([^`]*)$/.exec(line);
    if (fence === 0 && m) fence = m[1]!.length;
    else if (fence > 0 && m && m[1]!.length >= fence && m[2]!.trim() === "") fence = 0;
    else if (fence === 0) outside.push(line);
  }
  return { outside: outside.join("\n"), open: fence > 0 };
}

function reproInput(text: string): ReproInput {
  const fuse = {
    schema: "seam.fuse/1",
    verdict: "fused",
    meld: null,
    argv: [],
    command: "",
    memory: "multi",
    mode: "core",
    inputs: [],
    output: null,
    ms: 0,
  } as never;
  return {
    fixture: "f",
    mode: "multi",
    form: "core",
    side: "kiln",
    title: `kilnd: the guest's stdout differs: ${text}`,
    summary: `kilnd printed ${text}`,
    wasm: "fused.core.wasm",
    fuse,
    meldFlags: ["--memory", "multi"],
    env: { X: text },
    steps: [
      {
        args: ["fused.core.wasm", "--wasi", "--arg", text],
        expect: { kind: "stdout", exit: 0, stdout: "hello\n" },
        record: record("passed", { stdout: text }),
        missed: `stdout differs: got ${text}`,
      },
    ],
    expectText: "exit 0",
    expected: `the reference printed ${text}`,
    reference: `jco: ${text}`,
    evidence: `the original runs; ${text}`,
    tools: { kilnd: "kilnd", meld: "meld", reference: "jco" },
    originalPath: "original.wasm",
    sources: [],
  };
}

// ---------------------------------------------------------------------------------------------------
describe("rule 4: one run per --out at a time", () => {
  test("a second run on a held --out is one line naming the holder's pid, exit 2", async () => {
    const out = scratch("lock");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    writeFileSync(join(out, LOCK_FILE), `${holder.pid}\n`);
    try {
      let err: SeamError | undefined;
      try {
        lockOut(out);
      } catch (e) {
        err = e as SeamError;
      }
      expect([err?.exitCode, err?.message]).toEqual([2, `${out} is in use by another seam run (pid ${holder.pid})`]);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  test("a stale lock (its process gone) is taken over, and the run is told whose it was", async () => {
    const out = scratch("stale");
    const gone = await runProcess(["sh", "-c", "echo $$"]);
    const pid = Number(gone.stdout.trim());
    writeFileSync(join(out, LOCK_FILE), `${pid}\n`);
    const lock = lockOut(out);
    expect(lock.tookOverFrom).toBe(pid);
    expect(readFileSync(lock.path, "utf8")).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  test("one process may take its own lock again (all.ts, then its tier-c step)", () => {
    const out = scratch("reentrant");
    const a = lockOut(out);
    expect(lockOut(out).tookOverFrom).toBeUndefined();
    a.release();
  });

  test("two tier-c runs on one --out: the second stops at once, and the first's files are untouched", async () => {
    const out = scratch("two-runs");
    const bundle = join(out, "hello_c_cli-multi-core");
    writeFileSync(join(out, "marker"), "first run's");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    writeFileSync(join(out, LOCK_FILE), `${holder.pid}\n`);
    try {
      const p = await runProcess([
        process.execPath,
        join(ROOT, "scripts", "tier-c.ts"),
        "--fixture",
        "hello_c_cli",
        "--out",
        out,
      ]);
      expect(p.code).toBe(2);
      expect(p.stderr.split("\n")[0]).toBe(`tier-c: error: ${out} is in use by another seam run (pid ${holder.pid})`);
      expect([
        readFileSync(join(out, "marker"), "utf8"),
        existsSync(bundle),
        existsSync(join(out, "results.json")),
      ]).toEqual(["first run's", false, false]);
    } finally {
      holder.kill("SIGKILL");
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe("rule 5: the token never shows", () => {
  const TOKEN = "ghs_Secret0123456789abcdefXYZ";
  const scrub = makeScrubber([TOKEN]);
  const forms: [string, string][] = [
    ["as written", TOKEN],
    ["upper-cased", TOKEN.toUpperCase()],
    ["lower-cased", TOKEN.toLowerCase()],
    ["split across lines", `${TOKEN.slice(0, 9)}\n${TOKEN.slice(9)}`],
    ["split by an escaped newline", `${TOKEN.slice(0, 4)}\\n${TOKEN.slice(4)}`],
    [
      "JSON-escaped per character",
      [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    ],
    ["inside a JSON string", JSON.stringify({ token: TOKEN })],
    ["URL-encoded", [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")],
    ["URL-encoded upper-case hex", [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("")],
    ["base64", Buffer.from(TOKEN).toString("base64")],
    ["x-access-token basic auth", `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`],
    ["another user's basic auth", Buffer.from(`bot:${TOKEN}`).toString("base64")],
    ["base64url after two bytes", Buffer.from(`ab${TOKEN}`).toString("base64url")],
    ["base64 of the upper-cased token", Buffer.from(TOKEN.toUpperCase()).toString("base64")],
    ["in a URL's userinfo", `https://x-access-token:${TOKEN}@github.com/o/r.git`],
  ];
  for (const [what, form] of forms)
    test(`the token ${what} is scrubbed`, () => {
      const out = scrub(`server said: <${form}> end`);
      expect(out.toLowerCase()).not.toContain(TOKEN.slice(4, 16).toLowerCase());
      expect(out).not.toContain(Buffer.from(TOKEN).toString("base64").slice(4, 16));
      expect(out.startsWith("server said: <") && out.endsWith("> end")).toBe(true);
    });
  test("text without the token is left as it is", () =>
    expect(scrub("ghs and Secret, 0123, a://b")).toBe("ghs and Secret, 0123, a://b"));
  const urls: [string, string][] = [
    ["https://user:pass@ghe.example.com", "https://ghe.example.com/o/r/actions/runs/7"],
    ["https://only-user@ghe.example.com/", "https://ghe.example.com/o/r/actions/runs/7"],
  ];
  for (const [server, link] of urls)
    test(`credentials in GITHUB_SERVER_URL (${server}) never reach the run link`, () =>
      expect(actionsContext({ GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "7" }).runUrl).toBe(
        link,
      ));
  test("userinfo is stripped from any URL in output", () =>
    expect(scrub("clone https://me:pw@host.example/x and ftp://a@b/c")).toBe(
      "clone https://host.example/x and ftp://b/c",
    ));
});

// ---------------------------------------------------------------------------------------------------
describe("rule 6: every process group seam starts is its own to end", () => {
  const child = (code: string) => [
    process.execPath,
    "-e",
    `import { runProcess, interruptAll } from "${join(ROOT, "scripts/lib/core/proc.ts")}";\n${code}`,
  ];

  test("a parent SIGKILLed mid-run leaves no child behind (the sh guard ends its group)", async () => {
    const tag = `${(Math.random() * 1e6) | 0}.25`;
    const parent = spawn(
      child(`await runProcess(["sleep", "${tag}"]);`)[0]!,
      child(`await runProcess(["sleep", "${tag}"]);`).slice(1),
      { stdio: "ignore" },
    );
    expect(await appears(`sleep ${tag}`)).toBe(true);
    parent.kill("SIGKILL");
    expect(await processesLeft(`sleep ${tag}`, 2_500)).toBe("");
  });

  test("interruptAll kills every running group, marks them interrupted and starts nothing more", async () => {
    const tag = `${(Math.random() * 1e6) | 0}.5`;
    const code = `const runs = [runProcess(["sleep", "${tag}"]), runProcess(["sleep", "${tag}"])];
await Bun.sleep(300); interruptAll("SIGTERM");
const after = await runProcess(["sleep", "${tag}"]);
console.log(JSON.stringify([...(await Promise.all(runs)).map((r) => r.fault), after.fault, after.faultDetail]));`;
    const p = await runProcess(child(code), { timeoutMs: 30_000 });
    expect(JSON.parse(p.stdout)).toEqual([
      "interrupted",
      "interrupted",
      "interrupted",
      "not started: interrupted by SIGTERM",
    ]);
    expect(await processesLeft(`sleep ${tag}`)).toBe("");
  });

  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)
    test(`run-kiln under ${sig}: exit ${code}, no process left within 2 s`, async () => {
      const tag = `seam-faults-hang-${sig}-${process.pid}`;
      const kilnd = writeFakeKilnd(scratch(`hang-${sig}`), { FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag });
      const p = spawn(process.execPath, [join(ROOT, "scripts", "run-kiln.ts"), HELLO, "--kilnd", kilnd], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      p.stderr!.on("data", (c) => (err += c));
      expect(await appears(tag)).toBe(true);
      p.kill(sig);
      const exit = await new Promise<number | null>((done) => p.on("close", (c) => done(c)));
      expect(exit).toBe(code);
      expect(err).toMatch(new RegExp(`^run-kiln: ${sig}: stopped [1-9]\\d* running tool\\(s\\)\n$`));
      expect(await processesLeft(tag)).toBe("");
    });

  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    test(`tier-c under ${sig} while kiln cells hang: no process left, no results, nothing faulted in the cache`, async () => {
      const tag = `seam-faults-tierc-${sig}-${process.pid}`;
      const dir = scratch(`tierc-${sig}`);
      const kilnd = writeFakeKilnd(dir, { FAKE_KILND_SCENARIO: "hang", FAKE_KILND_HANG_TAG: tag });
      const out = join(dir, "out");
      const argv = [
        join(ROOT, "scripts", "tier-c.ts"),
        "--fixture",
        "hello_c_cli",
        "--form",
        "core",
        "--kilnd",
        kilnd,
        "--out",
        out,
      ];
      const p = spawn(process.execPath, argv, { stdio: "ignore" });
      expect(await appears(tag, 120_000)).toBe(true);
      p.kill(sig);
      await new Promise((done) => p.on("close", done));
      expect(await processesLeft(tag)).toBe("");
      expect(existsSync(join(out, "results.json"))).toBe(false);
      const cached = existsSync(join(out, ".cache"))
        ? readdirSync(join(out, ".cache"), { recursive: true }).map(String)
        : [];
      const texts = cached.filter((f) => f.endsWith(".json")).map((f) => readFileSync(join(out, ".cache", f), "utf8"));
      expect(texts.filter((t) => /"verdict": ?"(interrupted|killed|crashed|timeout)"/.test(t))).toEqual([]);
      expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    });
});

// ---------------------------------------------------------------------------------------------------
describe("rule 7 and the smaller ones", () => {
  test("a test run leaves nothing in TMPDIR (a representative subset, under a fresh TMPDIR)", async () => {
    const tmp = scratch("tmpdir");
    const files = ["scripts/lib/tierc/cache.test.ts", "scripts/fuse.test.ts", "scripts/lib/core/proc.test.ts"].filter(
      (f) => existsSync(join(ROOT, f)),
    );
    const p = await runProcess([process.execPath, "test", ...files], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      timeoutMs: 600_000,
    });
    expect(p.code).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });

  const labels: [string, string][] = [
    [
      "bad label=/x/kilnd",
      '--kilnd/--meld bad label=/x/kilnd: "bad label" is not a label (letters, digits, _ . - only)',
    ],
    ["old=", "--kilnd/--meld old=: no path after the label"],
  ];
  for (const [text, message] of labels)
    test(`--kilnd ${text}: a label error, not "not an executable file"`, () =>
      expect(() => parseToolChoice(text)).toThrow(message));
  test("--kilnd old=/x/kilnd and a bare path still read as before", () => {
    expect(parseToolChoice("old=/x/kilnd")).toEqual({ label: "old", path: "/x/kilnd" });
    expect(parseToolChoice("/x/kilnd")).toEqual({ path: "/x/kilnd" });
  });

  test("--env refuses a name no shell takes, the same for run-kiln and tier-c", () =>
    expect(() => keyValues("--env", ["A;touch /tmp/x;B=1"])).toThrow(
      "--env expects NAME=VALUE with NAME a variable name, got: A;touch /tmp/x;B=1",
    ));

  test("a stack overflow is trapped on jco too (V8's RangeError)", () => {
    const c = classifyJco(
      proc({ code: 1, stderr: "RangeError: Maximum call stack size exceeded\n    at wasm://wasm/x:1:1\n" }),
    );
    expect([c.verdict, c.errorLine]).toEqual(["trapped", "RangeError: Maximum call stack size exceeded"]);
  });

  test("a ledger over 1 MiB is refused before it is read: one line", () => {
    const file = join(scratch("ledger"), "known-blockers.yaml");
    writeFileSync(file, "# x\n".repeat(LEDGER_MAX_BYTES / 4 + 1));
    expect(() => loadLedger(file)).toThrow(/is \d+ bytes, over the 1048576 a ledger may have$/);
  });
});
