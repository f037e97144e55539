import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildReport,
  cargoArgv,
  countLine,
  findCollisions,
  findCrate,
  findScenarios,
  idsForTest,
  KNOWN_STATUSES,
  parseScenarios,
  prefixOf,
  runLsGate,
  upstreamPerId,
  type ScenarioSet,
} from "./ls-gate.ts";
import type { ReadTest, RunnerOutput } from "./lib/test-output.ts";
import { isLsGateReport, renderLsGateMarkdown, type LsGateReport } from "./lib/ls-report.ts";
import { SeamError } from "./lib/errors.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import { ROOT } from "./lib/tools.ts";
import { BUN_XML } from "./testing/sample-reports.ts";

// The real-cargo and nested `bun test` runs below take longer than bun's 5 s default on 2 cores.
setDefaultTimeout(300_000);

const DEMO = join(ROOT, "fixtures", "ls-demo");
const COUNT_LINE = /^\d+ passed, \d+ failed, \d+ skipped$/;

function scenarios(yaml: string, path = "s.yaml"): ScenarioSet {
  return parseScenarios(yaml, path);
}

function entries(...ids: [string, string][]): string {
  return (
    "loss-scenarios:\n" +
    ids.map(([id, status]) => `  - id: ${id}\n    title: t ${id}\n    status: ${status}\n`).join("")
  );
}

function read(name: string, outcome: ReadTest["outcome"] = "passed", binary = "src/lib.rs"): ReadTest {
  return { name, outcome, binary, match: name };
}

function gate(set: ScenarioSet, tests: ReadTest[], compat = false, error?: RunnerOutput["error"]): LsGateReport {
  return buildReport(
    { scenarios: set, runner: "cargo", compat, command: "cargo test" },
    { tests, ...(error ? { error } : {}) },
  );
}

function thrown(fn: () => unknown): SeamError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SeamError) return err;
    throw err;
  }
  throw new Error("expected a SeamError");
}

const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";

describe("scenarios file", () => {
  test("derives upstream's prefix: lower-case, dashes to underscores, one trailing underscore", () => {
    expect(prefixOf("LS-A-11")).toBe("ls_a_11_");
    expect(prefixOf("LS-CP-2")).toBe("ls_cp_2_");
    expect(prefixOf("LS-B-1-2")).toBe("ls_b_1_2_");
  });

  test("keeps approved entries and sets drafts aside", () => {
    const s = scenarios(entries(["LS-A-1", "approved"], ["LS-A-2", "draft"], ["LS-A-3", "approved"]));
    expect(s.approved.map((x) => x.id)).toEqual(["LS-A-1", "LS-A-3"]);
    expect(s.others.map((x) => [x.id, x.status])).toEqual([["LS-A-2", "draft"]]);
    expect(s.approved[1]!.line).toBe(8);
  });

  test("ls_g_4_ malformed YAML is one file:line:col error, exit 2", () => {
    const e = thrown(() => scenarios("loss-scenarios:\n  - id: LS-A-1\n    title: [unclosed\n", "safety/x.yaml"));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^safety\/x\.yaml:\d+:\d+: malformed YAML: /);
  });

  test("ls_g_4_ an empty file or a renamed top-level key is bad input, not zero IDs", () => {
    expect(thrown(() => scenarios("", "e.yaml")).message).toMatch(/^e\.yaml:1:1: expected a mapping/);
    const renamed = thrown(() =>
      scenarios(entries(["LS-A-1", "approved"]).replace("loss-scenarios", "loss_scenarios"), "r.yaml"),
    );
    expect(renamed.exitCode).toBe(2);
    expect(renamed.message).toContain("no top-level `loss-scenarios:` key");
    expect(thrown(() => scenarios("loss-scenarios: {id: LS-A-1}\n")).message).toContain("must be a list");
  });

  test("ls_g_4_ a file without one approved entry fails the gate (exit 1) instead of verifying nothing", () => {
    for (const text of [
      "loss-scenarios: []\n",
      "loss-scenarios:\n",
      entries(["LS-A-1", "draft"], ["LS-A-2", "verified"]),
    ]) {
      const e = thrown(() => scenarios(text, "z.yaml"));
      expect(e.exitCode).toBe(1);
      expect(e.message).toContain("the gate would verify nothing");
    }
  });

  test("ls_g_4_ a mistyped status (Approved, [approved], empty, a number) is an error naming file:line:col and the known statuses, exit 2", () => {
    const text = entries(
      ["LS-A-1", "approved"],
      ["LS-A-2", "Approved"],
      ["LS-A-3", "[approved]"],
      ["LS-A-4", ""],
      ["LS-A-5", "5"],
      ["LS-A-6", "aproved"],
    );
    const e = thrown(() => scenarios(text, "s.yaml"));
    expect(e.exitCode).toBe(2);
    const known = `known: ${KNOWN_STATUSES.join(", ")}`;
    expect(e.message.split("\n")).toEqual([
      `s.yaml:7:13: unknown status "Approved" (${known}); did you mean approved?`,
      `s.yaml:10:13: status must be one value, not a list ["approved"] (${known}); did you mean approved?`,
      `s.yaml:13:13: status is empty (${known})`,
      `s.yaml:16:13: unknown status 5 (${known})`,
      `s.yaml:19:13: unknown status "aproved" (${known})`,
    ]);
  });

  test("ls_g_4_ every known status is accepted; only approved is gated, and an entry without a status is listed, not gated", () => {
    const text =
      entries(...KNOWN_STATUSES.map((st, i): [string, string] => [`LS-K-${i + 1}`, st])) +
      "  - id: LS-K-99\n    title: no status\n";
    const s = scenarios(text);
    expect(s.approved.map((x) => x.id)).toEqual(["LS-K-1"]);
    expect(s.others.map((x) => x.status)).toEqual([...KNOWN_STATUSES.slice(1), ""]);
    // Upstream's lifecycle as meld's files use it: every status there is a known one.
    expect(KNOWN_STATUSES).toEqual(
      expect.arrayContaining(["approved", "draft", "proposed", "implemented", "verified"]),
    );
  });

  test("every bad entry is reported with its position: no id, malformed id, duplicate id, not a mapping", () => {
    const text = [
      "loss-scenarios:",
      "  - title: no id", //            line 2
      "    status: approved",
      "  - id: ls-a-1", //              line 4: lower-case
      "    status: approved",
      "  - id: LS-A-2",
      "    status: approved",
      "  - id: LS-A-2", //              line 8: duplicate
      "    status: approved",
      "  - just a string", //           line 10
      "  - id: 7", //                   line 11
      "",
    ].join("\n");
    const e = thrown(() => scenarios(text, "f.yaml"));
    expect(e.exitCode).toBe(2);
    expect(e.message.split("\n")).toEqual([
      "f.yaml:2:5: entry 1 has no `id`",
      'f.yaml:4:9: malformed id "ls-a-1" (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)',
      "f.yaml:8:9: duplicate id LS-A-2 (first at f.yaml:6:9)",
      "f.yaml:10:5: entry 5 is not a mapping",
      "f.yaml:11:9: malformed id 7 (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)",
    ]);
  });

  test("seam's own safety case parses, with the 20 approved scenarios the suite is written against", () => {
    const path = join(ROOT, "safety", "stpa", "loss-scenarios.yaml");
    const s = parseScenarios(readFileSync(path, "utf8"), path);
    expect(s.approved.map((x) => x.id)).toEqual([
      ...["LS-G-1", "LS-G-2", "LS-G-3", "LS-G-4", "LS-G-5"],
      ...["LS-C-1", "LS-C-2", "LS-C-3", "LS-C-4", "LS-C-5"],
      ...["LS-S-1", "LS-S-2", "LS-S-3", "LS-S-4", "LS-S-5", "LS-S-6", "LS-S-7", "LS-S-8", "LS-S-10", "LS-S-11"],
    ]);
    expect(s.others.every((x) => x.status === "draft")).toBe(true);
    expect(findCollisions(s)).toEqual([]);
  });

  test("the crate is found as cargo finds it (nearest Cargo.toml upward), and a workspace member finds the workspace's scenarios file", () => {
    expect(findCrate(join(DEMO, "src"))).toBe(DEMO);
    expect(findCrate(DEMO)).toBe(DEMO);
    const ws = tempDir("ls-gate-ws");
    mkdirSync(join(ws, "member", "src"), { recursive: true });
    mkdirSync(join(ws, "safety", "stpa"), { recursive: true });
    writeFileSync(join(ws, "Cargo.toml"), '[workspace]\nmembers = ["member"]\n');
    writeFileSync(join(ws, "member", "Cargo.toml"), '[package]\nname = "member"\n');
    writeFileSync(join(ws, "safety", "stpa", "loss-scenarios.yaml"), entries(["LS-A-1", "approved"]));
    expect(findCrate(join(ws, "member", "src"))).toBe(join(ws, "member"));
    expect(findScenarios(join(ws, "member"))).toBe(join(ws, "safety", "stpa", "loss-scenarios.yaml"));
    const lone = tempDir("ls-gate-lone");
    expect(findCrate(lone)).toBeUndefined();
    expect(findScenarios(lone)).toBe(join(lone, "safety", "stpa", "loss-scenarios.yaml"));
  });
});

describe("cargo test output", () => {
  test("one cargo run: -p, runner args before libtest's `--`, libtest args after, one `ls_` filter last", () => {
    expect(
      cargoArgv({ package: "meld-core", passthrough: ["--features", "x", "--", "--test-threads=1"] }).slice(1),
    ).toEqual([
      "test",
      "-p",
      "meld-core",
      "--no-fail-fast",
      "--features",
      "x",
      "--",
      "--color=never",
      "--test-threads=1",
      "ls_",
    ]);
    expect(() => cargoArgv({ passthrough: ["-q"] })).toThrow("cargo's --quiet hides the per-test lines the gate reads");
  });
});

describe("buckets", () => {
  const set = scenarios(
    entries(
      ["LS-A-1", "approved"],
      ["LS-A-11", "approved"],
      ["LS-A-4", "approved"],
      ["LS-A-6", "approved"],
      ["LS-A-9", "draft"],
    ),
  );

  test("ls_g_3_ ls_a_1_ and ls_a_11_ never count each other's tests, in either mode", () => {
    for (const compat of [false, true]) {
      const r = gate(set, [read("tests::ls_a_11_only"), read("ls_a_4_x"), read("ls_a_6_x")], compat);
      expect(r.ids.find((i) => i.id === "LS-A-1")!.bucket).toBe("missing");
      expect(r.ids.find((i) => i.id === "LS-A-11")!.tests.map((t) => t.name)).toEqual(["tests::ls_a_11_only"]);
    }
  });

  test("ls_g_3_ strict matching needs a name boundary; upstream's substring match does not", () => {
    const all = set.approved;
    expect(idsForTest("tools_a_1_x", all, false)).toEqual([]);
    expect(idsForTest("tools_a_1_x", all, true).map((s) => s.id)).toEqual(["LS-A-1"]);
    expect(idsForTest("test_ls_a_1_x", all, false).map((s) => s.id)).toEqual(["LS-A-1"]);
    expect(idsForTest("ls_a_1_and_ls_a_11_both", all, false).map((s) => s.id)).toEqual(["LS-A-1", "LS-A-11"]);
  });

  test("ls_g_3_ a refining ID's tests count only for it (strict) and the collision is reported", () => {
    const h = scenarios(entries(["LS-B-1", "approved"], ["LS-B-1-2", "approved"]));
    expect(findCollisions(h)).toEqual([{ id: "LS-B-1", shadowedBy: "LS-B-1-2" }]);
    const strict = gate(h, [read("ls_b_1_2_x")]);
    expect(strict.missing).toEqual(["LS-B-1"]);
    expect(strict.passed).toEqual(["LS-B-1-2"]);
    expect(gate(h, [read("ls_b_1_2_x")], true).passed).toEqual(["LS-B-1", "LS-B-1-2"]);
  });

  test("ls_g_2_ an ID whose tests are all ignored is not verified (exit 2); --compat reads it as upstream does", () => {
    const tests = [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x", "ignored"),
      read("ls_a_4_y", "ignored"),
      read("ls_a_6_x"),
    ];
    const strict = gate(set, tests);
    expect(strict.ignored).toEqual(["LS-A-4"]);
    expect(strict.passed).not.toContain("LS-A-4");
    expect(strict.exit_code).toBe(2);
    const compat = gate(set, tests, true);
    expect(compat.passed).toContain("LS-A-4");
    expect(compat.ignored_count).toBe(0);
    expect(compat.exit_code).toBe(0);
  });

  test("ls_g_5_ a typo'd LS test is an orphan that keeps the gate from reading green", () => {
    const typos = [
      "tests::ls_a_1l_typo",
      "ls_a1_missing_underscore",
      "LS-A-1 named by the ID itself",
      "outer > LS_A_4_upper_case",
    ];
    const tests = [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
      ...typos.map((t) => read(t)),
      read("calls_are_fine"),
      read("tools_2"),
    ];
    const r = gate(set, tests);
    expect(r.orphans).toEqual(typos);
    expect(r.passed_count).toBe(4);
    expect(r.exit_code).toBe(2);
    expect(renderLsGateMarkdown(r)).toContain("`tests::ls_a_1l_typo`");
  });

  test("tests for a draft ID are listed, not counted", () => {
    const r = gate(set, [read("ls_a_9_draft"), read("ls_a_1_x")]);
    expect(r.non_approved_tests).toEqual([{ id: "LS-A-9", tests: ["ls_a_9_draft"] }]);
    expect(r.orphans).toEqual([]);
  });

  test("one failed test fails its ID and the gate; a failing test outside any ID fails the gate too", () => {
    const r = gate(set, [
      read("ls_a_1_x"),
      read("ls_a_1_y", "failed"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
    ]);
    expect(r.failed).toEqual(["LS-A-1"]);
    expect(r.exit_code).toBe(1);
    const other = gate(set, [
      read("ls_a_1_x"),
      read("ls_a_11_x"),
      read("ls_a_4_x"),
      read("ls_a_6_x"),
      read("plain", "failed"),
    ]);
    expect(other.failed_count).toBe(0);
    expect(other.exit_code).toBe(1);
    expect(countLine(other)).toBe("4 passed, 1 failed, 0 skipped");
  });

  test("every approved ID verified and nothing else found: exit 0 and a ✅ comment", () => {
    const r = gate(set, [read("ls_a_1_x"), read("ls_a_11_x"), read("ls_a_4_x"), read("ls_a_6_x")]);
    expect([r.exit_code, r.passed_count, r.total]).toEqual([0, 4, 4]);
    expect(renderLsGateMarkdown(r).split("\n")[2]).toBe("✅ **4/4** approved LS entries verified");
  });

  test("ls_g_1_ a runner error leaves no ID verified, exits 1 and counts as a failure in the count line", () => {
    const r = gate(set, [read("ls_a_1_x"), read("ls_a_11_x")], true, {
      message: "cargo test did not build or run: boom",
      detail: ["error: boom"],
    });
    expect(r.failed).toEqual(["LS-A-1", "LS-A-11", "LS-A-4", "LS-A-6"]);
    expect(r.passed_count + r.missing_count).toBe(0);
    expect(r.ids[0]!.reason).toContain("did not complete");
    expect(r.exit_code).toBe(1);
    expect(countLine(r)).toBe("2 passed, 1 failed, 0 skipped");
    const md = renderLsGateMarkdown(r);
    expect(md).toContain("❌ test runner failed: cargo test did not build or run: boom");
    expect(md).toContain("```\nerror: boom\n```");
  });
});

describe("results schema and comment body", () => {
  const set = scenarios(entries(["LS-A-1", "approved"], ["LS-A-2", "approved"], ["LS-A-3", "approved"]));
  const r = gate(set, [read("ls_a_1_x"), read("ls_a_2_x", "ignored")]);

  test("the results JSON keeps upstream's keys and passes the schema check after a JSON round trip", () => {
    const back = JSON.parse(JSON.stringify(r));
    expect(isLsGateReport(back)).toBe(true);
    for (const key of ["total", "passed_count", "failed_count", "missing_count", "passed", "failed", "missing"])
      expect(back).toHaveProperty(key);
    expect(isLsGateReport({ ...back, passed_count: 5 })).toBe(false);
    expect(isLsGateReport({ ...back, schema: "seam.ls-gate/0" })).toBe(false);
    expect(isLsGateReport({ ...back, ids: [{ id: "LS-A-1" }] })).toBe(false);
    expect(isLsGateReport({ ...back, tests_read: { passed: -1, failed: 0, ignored: 0 } })).toBe(false);
    expect(isLsGateReport({ ...back, runner: { kind: "maven", command: "mvn" } })).toBe(false);
  });

  test("the comment body: heading, ⚠️ status naming the gaps, a count table with Ignored, no marker line", () => {
    const md = renderLsGateMarkdown(r, { runUrl: "https://ci.example/run/1" });
    const lines = md.split("\n");
    expect(lines[0]).toBe("## LS verification gate");
    expect(lines[2]).toBe(
      "⚠️ **1/3** approved LS entries verified — **1** missing regression tests, **1** with only ignored tests",
    );
    expect(md).toContain("| Ignored | 1 |");
    expect(md).toContain("<summary>Only ignored tests (1)</summary>");
    expect(md).toContain("[workflow run](https://ci.example/run/1)");
    expect(md).not.toContain("<!--");
  });

  test("titles cannot inject markup into the comment", () => {
    const evil = scenarios(
      "loss-scenarios:\n  - {id: LS-A-1, status: approved, title: '<img src=x> | **bold** _x_'}\n",
    );
    const md = renderLsGateMarkdown(gate(evil, []));
    expect(md).toContain("&lt;img src=x&gt; \\| \\*\\*bold\\*\\* \\_x\\_");
    expect(md).not.toContain("<img");
  });
});

describe("ls-gate CLI", () => {
  test("--help prints usage and exit codes on stdout, exit 0", async () => {
    const p = await runScript("ls-gate.ts", ["--help"]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("Usage: bun scripts/ls-gate.ts");
    expect(p.stdout).toContain("Exit: 0 every approved ID verified");
  });

  test("an unknown runner or flag is one usage line, exit 2", async () => {
    const a = await runScript("ls-gate.ts", ["--runner", "maven"]);
    expect([a.code, a.stderr.trim().split("\n")[0]]).toEqual([
      2,
      'ls-gate: error: --runner: unknown value "maven" (known: cargo, bun, junit)',
    ]);
    const b = await runScript("ls-gate.ts", ["--frobnicate"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--help");
  });

  test("--runner cargo on a folder without Cargo.toml is a usage error naming --project, exit 2", async () => {
    const dir = tempDir("ls-gate");
    mkdirSync(join(dir, "safety", "stpa"), { recursive: true });
    writeFileSync(join(dir, "safety", "stpa", "loss-scenarios.yaml"), entries(["LS-A-1", "approved"]));
    const p = await runScript("ls-gate.ts", ["--project", dir, "--results-json", join(dir, "r.json")]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`ls-gate: error: no Cargo.toml in ${dir}`);
    expect(existsSync(join(dir, "r.json"))).toBe(false);
  });

  test("--runner cargo outside any crate says so, naming the working folder and --project, and creates no output folder", async () => {
    const dir = tempDir("ls-gate");
    const p = await runScript("ls-gate.ts", ["--results-json", join(dir, "out", "r.json")], { cwd: dir });
    expect(p.code).toBe(2);
    expect(p.stderr.split("\n")[0]).toBe(`ls-gate: error: no Cargo.toml in ${dir} or any folder above it`);
    expect(p.stderr).toContain("pass --project CRATE_DIR");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("ls_g_4_ a usage error found after the scenarios are read leaves no empty output folder (out/ls-gate/ and the like)", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    writeFileSync(yaml, entries(["LS-A-1", "approved"]));
    const cases: [string[], RegExp][] = [
      [["--runner", "junit"], /needs at least one --junit FILE/],
      [["--runner", "bun", "--junit", join(dir, "a.xml"), "--junit", join(dir, "b.xml")], /keeps one JUnit report/],
      [["--runner", "cargo", "--project", dir], /no Cargo.toml in /],
      [["--runner", "bun", "--project", join(dir, "nope")], /project folder not found/],
      [["--runner", "bun", "--project", yaml], /is not a folder/],
    ];
    for (const [args, first] of cases) {
      const p = await runScript("ls-gate.ts", [
        ...args,
        "--scenarios",
        yaml,
        "--results-json",
        join(dir, "out", "ls-gate", "r.json"),
      ]);
      expect([p.code, p.stderr.split("\n")[0]]).toEqual([2, expect.stringMatching(first)]);
      expect(existsSync(join(dir, "out"))).toBe(false);
    }
  });

  test("explicit paths that do not exist or are folders are one line each, exit 2, nothing written", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    writeFileSync(yaml, entries(["LS-A-1", "approved"]));
    const junit = ["--runner", "junit", "--junit", join(dir, "x.xml")];
    const cases: [string[], string][] = [
      [
        [...junit, "--scenarios", join(dir, "missing.yaml")],
        `ls-gate: error: scenarios file not found: ${join(dir, "missing.yaml")}`,
      ],
      [[...junit, "--scenarios", dir], `ls-gate: error: scenarios file is not a regular file: ${dir}`],
      [
        ["--runner", "junit", "--junit", dir, "--scenarios", yaml],
        `ls-gate: error: --junit report is not a regular file: ${dir}`,
      ],
      [
        [...junit, "--scenarios", yaml, "--results-json", dir],
        `ls-gate: error: --results-json: cannot write ${dir}: it is a folder`,
      ],
      [
        [...junit, "--scenarios", yaml, "--results-json", join(yaml, "r.json")],
        `ls-gate: error: --results-json: cannot write to ${yaml}: ${yaml} is a file, not a folder`,
      ],
      [
        ["--runner", "bun", "--project", dir, "--scenarios", yaml, "--junit", join(yaml, "keep.xml")],
        `ls-gate: error: --junit: cannot write to ${yaml}: ${yaml} is a file, not a folder`,
      ],
    ];
    for (const [args, first] of cases) {
      const p = await runScript("ls-gate.ts", ["--results-json", join(dir, "out", "r.json"), ...args]);
      expect([p.code, p.stderr.split("\n")[0]]).toEqual([2, first]);
      expect(p.stderr).not.toContain("internal error");
    }
    const summary = await runScript(
      "ls-gate.ts",
      [...junit, "--scenarios", yaml, "--results-json", join(dir, "out", "r.json")],
      { env: { GITHUB_STEP_SUMMARY: join(dir, "no-such-dir", "summary.md") } },
    );
    expect([summary.code, summary.stderr.split("\n")[0]]).toEqual([
      2,
      `ls-gate: error: GITHUB_STEP_SUMMARY ${join(dir, "no-such-dir", "summary.md")} is in a folder that does not exist`,
    ]);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(existsSync(join(dir, "no-such-dir"))).toBe(false);
  });

  test("an output path that is also an input (the scenarios file, a JUnit report) is refused before it is overwritten", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    const text = entries(["LS-G-1", "approved"]);
    writeFileSync(yaml, text);
    writeFileSync(join(dir, "r.xml"), BUN_XML);
    for (const [flag, target] of [
      ["--results-json", yaml],
      ["--markdown", join(dir, "r.xml")],
    ]) {
      const p = await runScript("ls-gate.ts", [
        "--runner",
        "junit",
        "--junit",
        join(dir, "r.xml"),
        "--scenarios",
        yaml,
        "--results-json",
        join(dir, "out.json"),
        flag!,
        target!,
      ]);
      expect(p.code).toBe(2);
      expect(p.stderr.split("\n")[0]).toMatch(
        /^ls-gate: error: --(results-json|markdown) \S+ is also (the scenarios file|a --junit report): writing it would overwrite that file$/,
      );
    }
    expect(readFileSync(yaml, "utf8")).toBe(text);
    expect(readFileSync(join(dir, "r.xml"), "utf8")).toBe(BUN_XML);
  });

  test("ls_g_4_ a mistyped status in the CLI: file:line:col with the known statuses, exit 2, no results file", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    const own = readFileSync(join(ROOT, "safety", "stpa", "loss-scenarios.yaml"), "utf8");
    writeFileSync(
      yaml,
      own
        .replace("id: LS-C-5\n", "id: LS-C-5\n    status: Approved\n")
        .replace(/(id: LS-C-5[\s\S]*?)    status: approved\n/, "$1"),
    );
    const line =
      readFileSync(yaml, "utf8")
        .split("\n")
        .findIndex((l) => l === "    status: Approved") + 1;
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "junit",
      "--junit",
      join(dir, "x.xml"),
      "--scenarios",
      yaml,
      "--results-json",
      join(dir, "out", "r.json"),
    ]);
    expect(p.code).toBe(2);
    expect(p.stderr.split("\n")[0]).toBe(
      `ls-gate: error: ${yaml}:${line}:13: unknown status "Approved" (known: ${KNOWN_STATUSES.join(", ")}); did you mean approved?`,
    );
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("cargo not installed is one line naming the fix, exit 3, no results file", async () => {
    const dir = tempDir("ls-gate");
    const p = await runScript("ls-gate.ts", ["--project", DEMO, "--results-json", join(dir, "r.json")], {
      env: { CARGO: join(dir, "no-cargo") },
    });
    expect(p.code).toBe(3);
    expect(p.stderr).toContain(`ls-gate: error: CARGO=${join(dir, "no-cargo")} cannot be run (ENOENT`);
    expect(p.stderr).toContain("ls-gate: hint: point CARGO at a cargo binary, or unset it");
    expect(existsSync(join(dir, "r.json"))).toBe(false);
    const q = await runScript("ls-gate.ts", ["--project", DEMO, "--results-json", join(dir, "r.json")], {
      env: { CARGO: undefined, PATH: dir },
    });
    expect(q.code).toBe(3);
    expect(q.stderr).toContain("ls-gate: error: cargo not found (ENOENT");
    expect(q.stderr).toContain("ls-gate: hint: install Rust");
  });

  test("ls_g_4_ malformed scenarios YAML: file:line:col, exit 2, no results file", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    writeFileSync(yaml, "loss-scenarios:\n  - id: LS-A-1\n   status: approved\n");
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "junit",
      "--junit",
      join(dir, "x.xml"),
      "--scenarios",
      yaml,
      "--results-json",
      join(dir, "r.json"),
    ]);
    expect(p.code).toBe(2);
    const error = p.stderr.split("\n").filter((l) => l.startsWith("ls-gate: error:"));
    expect(error).toEqual([`ls-gate: error: ${yaml}:3:1: malformed YAML: Sequence item without - indicator`]);
    expect(existsSync(join(dir, "r.json"))).toBe(false);
  });

  test("--runner junit reads reports, writes results + markdown + step summary, ends with the count line", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    writeFileSync(yaml, entries(["LS-G-1", "approved"], ["LS-G-5", "approved"]));
    writeFileSync(join(dir, "r.xml"), BUN_XML);
    writeFileSync(join(dir, "summary.md"), "earlier step\n");
    const p = await runScript(
      "ls-gate.ts",
      [
        "--runner",
        "junit",
        "--junit",
        join(dir, "r.xml"),
        "--runner-status",
        "1",
        "--scenarios",
        yaml,
        "--results-json",
        join(dir, "out", "r.json"),
      ],
      {
        env: { GITHUB_STEP_SUMMARY: join(dir, "summary.md") },
      },
    );
    expect(p.code).toBe(1); // ls_g_2_fails is a failing test, even outside the approved IDs
    expect(p.stdout).toContain("[ OK ] LS-G-1 (1 pass)");
    expect(p.stdout).toContain("[ OK ] LS-G-5 (1 pass)");
    expect(lastLine(p.stdout)).toBe("2 passed, 1 failed, 2 skipped");
    expect(lastLine(p.stdout)).toMatch(COUNT_LINE);
    const report = JSON.parse(readFileSync(join(dir, "out", "r.json"), "utf8"));
    expect(isLsGateReport(report)).toBe(true);
    expect(report.runner.kind).toBe("junit");
    expect(readFileSync(join(dir, "out", "ls-gate.md"), "utf8")).toStartWith("## LS verification gate\n");
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toStartWith("earlier step\n## LS verification gate\n");
  });

  test("ls_g_1_ --runner junit with a report that was never written fails closed (exit 1) and says so", async () => {
    const dir = tempDir("ls-gate");
    const yaml = join(dir, "s.yaml");
    writeFileSync(yaml, entries(["LS-G-1", "approved"]));
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "junit",
      "--junit",
      join(dir, "never.xml"),
      "--scenarios",
      yaml,
      "--results-json",
      join(dir, "r.json"),
      "--json",
    ]);
    expect(p.code).toBe(1);
    const report = JSON.parse(p.stdout) as LsGateReport;
    expect(report.runner_error?.message).toContain("never.xml: the test command did not write it");
    expect(report.failed).toEqual(["LS-G-1"]);
    expect(lastLine(p.stderr)).toBe("0 passed, 1 failed, 0 skipped");
  });
});

describe("--runner bun (nested bun test runs)", () => {
  function project(files: Record<string, string>): string {
    const dir = tempDir("ls-gate-bun");
    mkdirSync(join(dir, "safety", "stpa"), { recursive: true });
    writeFileSync(
      join(dir, "safety", "stpa", "loss-scenarios.yaml"),
      entries(["LS-X-1", "approved"], ["LS-X-2", "approved"]),
    );
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const ok = `import { test, expect } from "bun:test";\ntest("ls_x_1_ passes", () => expect(1).toBe(1));\ntest("ls_x_2_ passes", () => expect(2).toBe(2));\n`;

  test("a healthy suite: exit 0, every ID verified, bun's report kept with --junit", async () => {
    const dir = project({ "a.test.ts": ok });
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "bun",
      "--project",
      dir,
      "--results-json",
      join(dir, "r.json"),
      "--junit",
      join(dir, "keep.xml"),
    ]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("[ OK ] LS-X-2 (1 pass)");
    expect(lastLine(p.stdout)).toBe("2 passed, 0 failed, 0 skipped");
    expect(readFileSync(join(dir, "keep.xml"), "utf8")).toContain('name="ls_x_1_ passes"');
    expect(p.stderr).toContain("(pass) ls_x_1_ passes"); // bun's own output is echoed as progress
  });

  test("as a function (all.ts): writes results, markdown and step summary; runner output arrives as whole lines", async () => {
    const dir = project({ "a.test.ts": ok });
    const lines: string[] = [];
    const { report, markdown } = await runLsGate({
      project: dir,
      runner: "bun",
      resultsJson: join(dir, "out", "results.json"),
      stepSummary: join(dir, "summary.md"),
      onProgress: (l) => lines.push(l),
    });
    expect(report.exit_code).toBe(0);
    expect(lines.filter((l) => l.startsWith("(pass) ls_x_") || l.startsWith("Ran 2 tests"))).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    expect(readFileSync(join(dir, "out", "ls-gate.md"), "utf8")).toBe(markdown);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toBe(markdown + "\n");
  });

  test("ls_g_1_ a test file that does not compile fails the gate although bun's JUnit omits it", async () => {
    const dir = project({
      "a.test.ts": ok,
      "b.test.ts": `import { test } from "bun:test";\nconst x: number = ;\ntest("ls_x_1_ never", () => {});\n`,
    });
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "bun",
      "--project",
      dir,
      "--results-json",
      join(dir, "r.json"),
      "--quiet",
    ]);
    expect(p.code).toBe(1);
    expect(p.stdout).toContain(
      "runner error: bun test reported 1 unhandled error outside any test in b.test.ts (did not load)",
    );
    expect(p.stdout).toContain("error: Unexpected ;");
    expect(lastLine(p.stdout)).toBe("2 passed, 1 failed, 0 skipped");
  });

  test("ls_g_1_ a test that calls process.exit(0) cannot end the run green", async () => {
    const dir = project({
      "a.test.ts": ok,
      "z.test.ts": `import { test } from "bun:test";\ntest("ls_x_2_ exits", () => { process.exit(0); });\n`,
    });
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "bun",
      "--project",
      dir,
      "--results-json",
      join(dir, "r.json"),
      "--quiet",
    ]);
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("wrote no JUnit report");
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).passed_count).toBe(0);
  });

  test("ls_g_1_ a hung suite is killed at --timeout and fails the gate", async () => {
    const dir = project({
      "h.test.ts": `import { test } from "bun:test";\ntest("ls_x_1_ spins", () => { for (;;) {} });\n`,
    });
    const p = await runScript("ls-gate.ts", [
      "--runner",
      "bun",
      "--project",
      dir,
      "--results-json",
      join(dir, "r.json"),
      "--quiet",
      "--timeout",
      "1",
    ]);
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("runner error: bun test did not finish within 1 s and was killed");
  });
});

describe("real cargo on fixtures/ls-demo", () => {
  const STRICT = {
    passed: ["LS-A-1", "LS-A-11", "LS-A-2", "LS-A-3", "LS-A-5", "LS-A-6", "LS-A-7", "LS-A-8"],
    failed: [] as string[],
    missing: ["LS-A-12", "LS-B-1"],
    ignored: ["LS-A-4", "LS-A-10"],
  };
  let strict: { code: number | null; report: LsGateReport; stderr: string };

  async function gateOnDemo(
    args: string[],
  ): Promise<{ code: number | null; report: LsGateReport; stdout: string; stderr: string }> {
    const dir = tempDir("ls-gate-cargo");
    const p = await runScript("ls-gate.ts", [
      "--project",
      DEMO,
      "--results-json",
      join(dir, "r.json"),
      "--json",
      "--quiet",
      ...args,
    ]);
    return { code: p.code, report: JSON.parse(p.stdout) as LsGateReport, stdout: p.stdout, stderr: p.stderr };
  }

  beforeAll(async () => {
    strict = await gateOnDemo([]);
  });

  test("strict buckets: lib, nested module, integration binary and doctest all read; ignored-only not verified", () => {
    const r = strict.report;
    expect({ passed: r.passed, failed: r.failed, missing: r.missing, ignored: r.ignored }).toEqual(STRICT);
    expect(strict.code).toBe(2);
    const tests = (id: string) => r.ids.find((i) => i.id === id)!.tests.map((t) => `${t.binary}: ${t.name}`);
    expect(tests("LS-A-1")).toEqual([
      "src/lib.rs: tests::ls_a_1_prefix_has_trailing_underscore",
      "tests/integration.rs: ls_a_1_integration_sees_public_api",
    ]);
    expect(tests("LS-A-2")).toEqual(["src/lib.rs: tests::outer::inner::ls_a_2_nested_module_path"]);
    expect(tests("LS-A-3")).toEqual(["doctests ls_demo: src/lib.rs - ls_a_3_docs::parts (line 23)"]);
    expect(tests("LS-A-6")).toEqual(["src/lib.rs: tests::ls_a_6_by_module::named_by_its_module"]);
    expect(r.orphans).toEqual(["tests::ls_a_1l_typo_matches_no_id"]);
    expect(r.non_approved_tests.map((n) => n.id)).toEqual(["LS-A-9", "LS-B-1-2"]);
    expect(r.collisions).toEqual([{ id: "LS-B-1", shadowedBy: "LS-B-1-2" }]);
    expect(r.runner.command).toBe("cargo test --no-fail-fast -- --color=never ls_");
    expect(lastLine(strict.stderr)).toBe("12 passed, 0 failed, 3 skipped");
  });

  test("run inside the crate (from its src/ folder) with no --project, it gates that crate as cargo would", async () => {
    const dir = tempDir("ls-gate-cargo");
    const p = await runScript("ls-gate.ts", ["--results-json", join(dir, "r.json"), "--json"], {
      cwd: join(DEMO, "src"),
    });
    expect(p.stderr).toContain(`ls-gate: running cargo test in ${DEMO}`);
    const r = JSON.parse(p.stdout) as LsGateReport;
    expect({ passed: r.passed, failed: r.failed, missing: r.missing, ignored: r.ignored }).toEqual(STRICT);
    expect(p.code).toBe(strict.code);
  });

  test("--compat gives exactly the buckets of upstream's one-cargo-run-per-ID gate", async () => {
    const compat = await gateOnDemo(["--compat"]);
    const ids = compat.report.ids.map((i) => i.id);
    const upstream = await upstreamPerId(ids, { project: DEMO });
    expect(upstream.runs).toBe(12);
    expect({ passed: compat.report.passed, failed: compat.report.failed, missing: compat.report.missing }).toEqual({
      passed: upstream.passed,
      failed: upstream.failed,
      missing: upstream.missing,
    });
    expect(compat.report.missing).toEqual(["LS-A-12"]);
    expect(compat.code).toBe(2);
  });

  test("an opt-in failing test fails its ID with the test and binary named, exit 1", async () => {
    const r = await gateOnDemo(["--", "--features", "failing"]);
    expect(r.code).toBe(1);
    expect(r.report.failed).toEqual(["LS-A-5"]);
    expect(r.report.ids.find((i) => i.id === "LS-A-5")!.tests).toEqual([
      { name: "tests::ls_a_5_opt_in_failure", binary: "src/lib.rs", outcome: "failed" },
    ]);
    expect(r.report.runner_error).toBeUndefined();
  });

  test("ls_g_1_ a crate that does not compile fails the gate (upstream: all missing, advisory)", async () => {
    const r = await gateOnDemo(["--", "--features", "broken"]);
    expect(r.code).toBe(1);
    expect(r.report.runner_error?.message).toBe(
      "cargo test did not build or run: feature `broken`: ls-demo deliberately fails to compile",
    );
    expect(r.report.failed_count).toBe(r.report.total);
    expect(r.report.missing_count + r.report.passed_count).toBe(0);
  });

  test("ls_g_1_ a test binary that aborts fails the gate where upstream reads its ID as missing", async () => {
    const r = await gateOnDemo(["--", "--features", "crash"]);
    expect(r.code).toBe(1);
    expect(r.report.runner_error?.message).toBe(
      "test binary src/lib.rs died before reporting its results (signal: 6, SIGABRT: process abort signal)",
    );
    expect(r.report.passed_count).toBe(0);
    const upstream = await upstreamPerId(["LS-A-8"], { project: DEMO, cargoArgs: ["--features", "crash"] });
    expect(upstream.missing).toEqual(["LS-A-8"]);
  });
});
