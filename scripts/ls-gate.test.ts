import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KNOWN_STATUSES } from "./lib/lsgate/scenarios.ts";
import { isLsGateReport, type LsGateReport } from "./lib/lsgate/report.ts";
import { runScript, tempDir } from "./testing/testkit.ts";
import { ROOT } from "./lib/core/paths.ts";
import { BUN_XML } from "./testing/sample-reports.ts";
import { DEMO, entries, lastLine } from "./testing/ls-scenarios.ts";

// Each test runs ls-gate as a subprocess; on 2 cores that can take longer than bun's 5 s default.
setDefaultTimeout(300_000);

const COUNT_LINE = /^\d+ passed, \d+ failed, \d+ skipped$/;

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
