#!/usr/bin/env bun
/**
 * ls-gate — the loss-scenario verification gate in ONE test run. Every `status: approved` entry of
 * safety/stpa/loss-scenarios.yaml must have a passing test whose full name contains its prefix
 * (`LS-A-11` → `ls_a_11_`, as meld's tools/run_ls_verification.py derives it). Upstream runs `cargo test`
 * once per ID, reads ignored-only IDs as verified and a build error as "missing"; this gate runs the suite
 * once, reads every test's own outcome, and fails closed when the runner did not build, crashed or hung.
 * Called by: `npm test` (seam's own suite, --runner bun), CI step "ls-gate", meld/kiln maintainers (--runner cargo).
 *
 * Usage: bun scripts/ls-gate.ts [--project DIR] [--scenarios FILE] [--runner cargo|bun|junit] [--package NAME]
 *          [--junit FILE]... [--runner-status N] [--results-json FILE] [--markdown FILE] [--compat] [--json]
 *          [--timeout SECONDS] [--quiet] [--run-url URL] [-- runner args [-- libtest args]]
 *   cargo: `cargo test [-p NAME] --no-fail-fast <runner args> -- --color=never <libtest args> ls_` in DIR
 *          (default DIR, as cargo: the crate the working folder is in, the nearest Cargo.toml upward)
 *   bun:   `bun test --reporter=junit --reporter-outfile=<tmp> --timeout=0 <runner args>` in DIR (--junit FILE keeps
 *          the XML; the gate bounds the whole run, so no per-test timeout unless runner args give one)
 *   junit: reads the --junit FILEs (nextest, pytest, bun …); --runner-status is the exit status of the
 *          command that wrote them (a non-zero status the XML does not explain fails the gate)
 * Buckets: passed (≥ 1 matching test passed, none failed) · failed · missing (none matched) · ignored (only
 *   ignored tests matched: not verified). --compat applies upstream's rules (ignored-only counts as passed,
 *   plain substring match, every matching ID counts a test) for side-by-side comparison.
 * Exit: 0 every approved ID verified · 1 an ID or any test failed, or the runner did not build, crashed,
 *   hung or left unreadable output · 2 bad input, or only gaps (missing, ignored-only, orphan tests; with
 *   --compat only missing) · 3 cargo not installed.
 * The last stdout line is `N passed, N failed, N skipped` for every test read (a runner error counts as a failure).
 */
import { accessSync, appendFileSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, relative } from "node:path";
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from "yaml";
import { child, enumField, parseYaml } from "./lib/yamlx.ts";
import { EXIT, SeamError, usageError } from "./lib/errors.ts";
import {
  color,
  enumValue,
  noDuplicates,
  parseCli,
  positiveSeconds,
  progress,
  runCli,
  splitPassthrough,
  wholeNumber,
} from "./lib/cli.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/proc.ts";
import { atomicWrite, atomicWriteJson, checkOutputs, makeTempDir, removeTemp, requireFile } from "./lib/fsx.ts";
import { explicitChoiceHint, identifyBinary, onPath, ROOT } from "./lib/tools.ts";
import {
  LS_GATE_SCHEMA,
  prefixOf,
  renderLsGateMarkdown,
  type LsBucket,
  type LsGateReport,
  type LsIdResult,
  type LsTest,
} from "./lib/ls-report.ts";
import { parseCargoTest, type RunnerError, type RunnerOutput } from "./lib/test-output.ts";
import { readJUnitFiles } from "./lib/junit.ts";
import { judgeBunRun } from "./lib/bun-test-output.ts";

export { prefixOf };
export type RunnerKind = LsGateReport["runner"]["kind"];

export interface Scenario {
  id: string;
  title: string;
  status: string;
  prefix: string;
  line: number;
}

export interface ScenarioSet {
  path: string;
  approved: Scenario[];
  /** Entries with another known status (draft, proposed, …) or none: listed, not gated. */
  others: Scenario[];
}

export interface GateOptions {
  scenarios: ScenarioSet;
  runner: RunnerKind;
  compat: boolean;
  command: string;
}

/**
 * The statuses a scenario may carry. Upstream gates `status: approved` only and never says which others
 * exist, so a typo (`Approved`, `[approved]`) would drop the scenario from the gate without a word. The set
 * is the lifecycle of rivet, the tool meld validates its STPA files with (schemas/common.yaml, `status`
 * allowed-values), plus `reviewed` from meld's own safety/schema/stpa.schema.json; meld's
 * loss-scenarios.yaml uses approved, proposed, implemented and verified, seam's approved and draft.
 * Any other value is an error (exit 2). An absent `status` is allowed, as in rivet and in 19 of meld's 81
 * entries, and, like every status but `approved`, is not gated.
 */
export const KNOWN_STATUSES = [
  "approved",
  "draft",
  "proposed",
  "reviewed",
  "implemented",
  "verified",
  "released",
  "accepted",
  "deprecated",
  "rejected",
] as const;

/** Upper-case segments after `LS-`: `LS-A-11`, `LS-CP-2`, `LS-B-1-2`. Anything else derives a prefix no test name can carry. */
export const ID_PATTERN = /^LS(?:-[A-Z0-9]+)+$/;

// ---------------------------------------------------------------------------------------------------------
// Scenarios YAML

/** Parses loss-scenarios.yaml; every problem is one `file:line:col: …` line in a SeamError (exit 2). */
export function parseScenarios(text: string, path: string): ScenarioSet {
  const y = parseYaml(
    text,
    path,
    "fix the scenarios file (upstream schema: a top-level `loss-scenarios:` list of mappings with `id`, `title`, `status`, …)",
  );
  const fail = (node: YamlNode | null | undefined, message: string): never => {
    y.problem(node, message);
    y.check();
    throw new Error("unreachable");
  };
  const root = y.root;
  if (!isMap(root)) fail(root, "expected a mapping with a top-level `loss-scenarios:` list");
  if (!(root as YAMLMap).has("loss-scenarios")) fail(root, "no top-level `loss-scenarios:` key");
  const list = child(root, "loss-scenarios");
  const items =
    list == null || (isScalar(list) && list.value == null) ? [] : isSeq(list) ? (list.items as YamlNode[]) : null;
  if (items === null) return fail(list, "`loss-scenarios:` must be a list");

  const seen = new Map<string, string>();
  const set: ScenarioSet = { path, approved: [], others: [] };
  items.forEach((item, n) => {
    const node = item as YamlNode;
    const where = y.at(node);
    if (!isMap(node)) return void y.problem(`${where}: entry ${n + 1} is not a mapping`);
    const idNode = node.get("id", true) as YamlNode | undefined;
    const id = isScalar(idNode) ? idNode.value : undefined;
    if (idNode === undefined) return void y.problem(`${where}: entry ${n + 1} has no \`id\``);
    const idWhere = y.at(idNode);
    if (typeof id !== "string" || !ID_PATTERN.test(id)) {
      return void y.problem(
        `${idWhere}: malformed id ${JSON.stringify(id)} (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)`,
      );
    }
    const first = seen.get(id);
    if (first) return void y.problem(`${idWhere}: duplicate id ${id} (first at ${first})`);
    seen.set(id, idWhere);
    const title = node.get("title");
    const status = enumField(y, node, "status", KNOWN_STATUSES);
    if (status === undefined && node.has("status")) return; // reported by enumField: the gate cannot tell whether it is approved
    const scenario: Scenario = {
      id,
      title: typeof title === "string" ? title.trim() : "",
      status: status ?? "",
      prefix: prefixOf(id),
      line: y.line(node),
    };
    (scenario.status === "approved" ? set.approved : set.others).push(scenario);
  });
  y.check();
  if (set.approved.length === 0) {
    // A gate that verifies nothing must not read green (LS-G-4).
    throw new SeamError(
      `${path}: no \`status: approved\` entries among ${items.length}: the gate would verify nothing`,
      {
        hint: "approve at least one loss scenario, or point --scenarios at the right file",
        exitCode: EXIT.fail,
      },
    );
  }
  return set;
}

// ---------------------------------------------------------------------------------------------------------
// Bucketing (pure)

/** `prefix` occurs in `text` where no letter or digit comes right before it (`test_ls_a_1_x` yes, `tools_a_1_x` no). */
function containsAtBoundary(text: string, prefix: string): boolean {
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
    if (at === 0 || !/[A-Za-z0-9]/.test(text[at - 1]!)) return true;
  }
  return false;
}

/** Looks like a loss-scenario test whatever ID it names: `ls_a_1l_`, `ls_g1_`, `LS-G-1 …`. */
const LS_LIKE = /(?<![A-Za-z0-9])ls[_-][a-z]+[_-]?\d/i;

/**
 * IDs a test counts for. Upstream (compat): every ID whose prefix is a substring of the test path.
 * Strict: the prefix must start at a name boundary, and when `ls_b_1_` and `ls_b_1_2_` both match, only
 * the longer (more specific) one counts.
 */
export function idsForTest(match: string, all: Scenario[], compat: boolean): Scenario[] {
  if (compat) return all.filter((s) => match.includes(s.prefix));
  const hits = all.filter((s) => containsAtBoundary(match, s.prefix));
  return hits.filter(
    (s) => !hits.some((o) => o !== s && o.prefix.length > s.prefix.length && o.prefix.startsWith(s.prefix)),
  );
}

/** Approved IDs whose prefix is contained in another ID's prefix: upstream counts the other's tests for them too. */
export function findCollisions(set: ScenarioSet): { id: string; shadowedBy: string }[] {
  const all = [...set.approved, ...set.others];
  return set.approved.flatMap((a) =>
    all.filter((b) => b !== a && b.prefix.includes(a.prefix)).map((b) => ({ id: a.id, shadowedBy: b.id })),
  );
}

export function bucketOf(tests: LsTest[], compat: boolean): LsBucket {
  if (tests.some((t) => t.outcome === "failed")) return "failed";
  if (tests.some((t) => t.outcome === "passed")) return "passed";
  if (tests.length > 0) return compat ? "passed" : "ignored";
  return "missing";
}

/** Turns the tests one run read into the gate's report; the exit code follows the rules in the header. */
export function buildReport(opts: GateOptions, run: RunnerOutput): LsGateReport {
  const { scenarios, compat } = opts;
  const all = [...scenarios.approved, ...scenarios.others];
  const testsOf = new Map<Scenario, LsTest[]>(all.map((s) => [s, []]));
  const orphans: string[] = [];
  for (const t of run.tests) {
    const hits = idsForTest(t.match, all, compat);
    const test: LsTest = {
      name: t.name,
      ...(t.binary ? { binary: t.binary } : {}),
      outcome: t.outcome,
      ...(t.ms !== undefined ? { ms: t.ms } : {}),
    };
    for (const s of hits) testsOf.get(s)!.push(test);
    if (hits.length === 0 && LS_LIKE.test(t.match)) orphans.push(t.name);
  }
  const ids: LsIdResult[] = scenarios.approved.map((s) => {
    const tests = testsOf.get(s)!;
    const bucket = bucketOf(tests, compat);
    const r: LsIdResult = { id: s.id, title: s.title, prefix: s.prefix, bucket, tests };
    if (run.error && bucket !== "failed") {
      r.bucket = "failed";
      r.reason = "not verified: the test run did not complete";
    }
    return r;
  });
  const non_approved_tests = scenarios.others
    .filter((s) => testsOf.get(s)!.length > 0)
    .map((s) => ({ id: s.id, tests: testsOf.get(s)!.map((t) => t.name) }));
  const list = (b: LsBucket) => ids.filter((i) => i.bucket === b).map((i) => i.id);
  const [passed, failed, missing, ignored] = [list("passed"), list("failed"), list("missing"), list("ignored")];
  const tests_read = { passed: 0, failed: 0, ignored: 0 };
  for (const t of run.tests) tests_read[t.outcome]++;
  const exit_code =
    run.error || failed.length || tests_read.failed
      ? EXIT.fail
      : missing.length || (!compat && (ignored.length || orphans.length))
        ? EXIT.usage
        : EXIT.ok;
  return {
    schema: LS_GATE_SCHEMA,
    total: ids.length,
    passed_count: passed.length,
    failed_count: failed.length,
    missing_count: missing.length,
    passed,
    failed,
    missing,
    ignored_count: ignored.length,
    ignored,
    compat,
    runner: { kind: opts.runner, command: opts.command },
    ids,
    orphans,
    non_approved_tests,
    collisions: findCollisions(scenarios),
    exit_code,
    ...(run.error ? { runner_error: run.error } : {}),
    tests_read,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Console (pure)

/** `N passed, N failed, N skipped` for every test read; a runner error counts as one failure. */
export function countLine(r: LsGateReport): string {
  const t = r.tests_read ?? { passed: 0, failed: 0, ignored: 0 };
  return `${t.passed} passed, ${t.failed + (r.runner_error ? 1 : 0)} failed, ${t.ignored} skipped`;
}

export function renderConsole(r: LsGateReport, scenarios: ScenarioSet, results?: string): string {
  const entries = scenarios.approved.length + scenarios.others.length;
  const out: string[] = [
    "== seam LS verification gate ==",
    `scenarios: ${scenarios.path} (${scenarios.approved.length} approved of ${entries})`,
    `runner:    ${r.runner.command}`,
    "",
  ];
  for (const i of r.ids) {
    const n = { passed: 0, failed: 0, ignored: 0 };
    for (const t of i.tests) n[t.outcome]++;
    const ign = n.ignored ? `, ${n.ignored} ignored` : "";
    if (i.reason) out.push(`${color.red("[FAIL]")} ${i.id} (${i.reason})`);
    else if (i.bucket === "passed") out.push(`${color.green("[ OK ]")} ${i.id} (${n.passed} pass${ign})`);
    else if (i.bucket === "failed")
      out.push(`${color.red("[FAIL]")} ${i.id} (${n.passed} pass, ${n.failed} fail${ign})`);
    else if (i.bucket === "ignored")
      out.push(`${color.yellow("[IGN ]")} ${i.id} (${n.ignored} ignored, none ran: not verified)`);
    else out.push(`${color.yellow("[MISS]")} ${i.id} (no \`${i.prefix}*\` test found)`);
  }
  const section = (title: string, lines: string[]) => (lines.length ? ["", title, ...lines.map((l) => `  ${l}`)] : []);
  out.push(
    ...section(
      "failing tests:",
      r.ids.flatMap((i) =>
        i.tests
          .filter((t) => t.outcome === "failed")
          .map((t) => `${i.id}: ${t.name}${t.binary ? ` (${t.binary})` : ""}`),
      ),
    ),
    ...section("orphan LS tests (match no ID in the file — a typo?):", r.orphans),
    ...section(
      "tests for non-approved IDs:",
      r.non_approved_tests.map((n) => `${n.id}: ${n.tests.join(", ")}`),
    ),
    ...section(
      "prefix collisions:",
      r.collisions.map(
        (c) =>
          `${c.id} (${prefixOf(c.id)}) is a substring of ${c.shadowedBy} (${prefixOf(c.shadowedBy)})${r.compat ? ": its tests count for both" : ""}`,
      ),
    ),
  );
  if (r.runner_error)
    out.push("", color.red(`runner error: ${r.runner_error.message}`), ...r.runner_error.detail.map((l) => `  | ${l}`));
  out.push(
    "",
    "== summary ==",
    `passed:  ${r.passed_count}`,
    `failed:  ${r.failed_count}`,
    `missing: ${r.missing_count}`,
    `ignored: ${r.ignored_count}${r.compat ? " (--compat: ignored-only IDs count as passed)" : ""}`,
  );
  if (results) out.push(`results: ${results}`);
  out.push(countLine(r));
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------
// Running the suite (I/O)

export interface RunSuiteOptions {
  runner: RunnerKind;
  project: string;
  package?: string;
  /** Runner args; for cargo, args after a second `--` go to libtest. */
  passthrough: string[];
  junit: string[];
  runnerStatus?: number;
  timeoutMs: number;
  /** The runner's own output, line by line, as it arrives (progress, not results). */
  onProgress?: (line: string) => void;
}

/** Turns output chunks into whole lines for onProgress. */
function lineSink(onLine?: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let rest = "";
  return {
    push(chunk) {
      if (!onLine) return;
      const lines = (rest + chunk).split(/\r?\n/);
      rest = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    },
    flush() {
      if (onLine && rest) onLine(rest);
      rest = "";
    },
  };
}

const CAPTURE = 256 << 20;

export function cargoArgv(opts: Pick<RunSuiteOptions, "package" | "passthrough">): string[] {
  const [cargoArgs, libtestArgs] = splitPassthrough(opts.passthrough);
  if (cargoArgs.some((a) => a === "-q" || a === "--quiet")) {
    throw usageError("cargo's --quiet hides the per-test lines the gate reads", "drop -q/--quiet from the runner args");
  }
  return [
    process.env.CARGO || "cargo",
    "test",
    ...(opts.package ? ["-p", opts.package] : []),
    "--no-fail-fast",
    ...cargoArgs,
    "--",
    "--color=never",
    ...libtestArgs,
    "ls_", // every prefix starts with it: one filter runs every test that can match, orphans included
  ];
}

function tooBig(r: ProcResult): RunnerError | undefined {
  if (r.stdoutTruncated || r.stderrTruncated)
    return { message: `runner output exceeded ${CAPTURE >> 20} MiB and could not be read whole`, detail: [] };
}

/** A file's text; a folder or an unreadable file is bad input (exit 2), never a stack trace. */
function readText(path: string, what: string): string {
  requireFile(path, what);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw usageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      "check the file's permissions",
    );
  }
}

/** The crate cargo would use when run in `from`: the nearest folder at or above it holding a Cargo.toml. */
export function findCrate(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Cargo.toml"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * PROJECT/safety/stpa/loss-scenarios.yaml, else the nearest one above PROJECT within its repository (a
 * workspace member finds its workspace's file, as cargo finds the workspace). None: PROJECT's path, so
 * the error names where it was expected.
 */
export function findScenarios(project: string): string {
  const rel = join("safety", "stpa", "loss-scenarios.yaml");
  for (let dir = resolve(project); ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return join(resolve(project), rel);
  }
}

/** What a run reads, checked before anything runs or is created; bad input throws a SeamError (exit 2). */
export function checkSuiteInputs(
  opts: Pick<RunSuiteOptions, "runner" | "project" | "package" | "passthrough" | "junit">,
): void {
  if (!existsSync(opts.project))
    throw usageError(`project folder not found: ${opts.project}`, "pass --project DIR, an existing folder");
  if (!statSync(opts.project).isDirectory())
    throw usageError(`--project ${opts.project} is not a folder`, "pass --project DIR, the folder the runner runs in");
  if (opts.runner === "junit") {
    if (opts.junit.length === 0)
      throw usageError(
        "--runner junit needs at least one --junit FILE",
        "pass the JUnit XML your test command writes, e.g. --junit target/nextest/ci/junit.xml",
      );
    for (const path of opts.junit) if (existsSync(path)) requireFile(path, "--junit report");
  } else if (opts.runner === "bun") {
    if (opts.junit.length > 1) throw usageError("--runner bun keeps one JUnit report: give --junit once");
  } else {
    cargoArgv(opts);
    if (
      !existsSync(join(opts.project, "Cargo.toml")) &&
      !opts.passthrough.some((a) => a.startsWith("--manifest-path"))
    ) {
      throw usageError(
        `no Cargo.toml in ${opts.project}`,
        "run it inside a crate, or pass --project CRATE_DIR (or `-- --manifest-path PATH`); seam's own suite is --runner bun",
      );
    }
  }
}

/**
 * CARGO names the cargo to run: one that cannot be run, or a program that is not cargo, is an error
 * (exit 3) before anything runs, not a broken suite.
 */
async function checkCargoVar(): Promise<void> {
  const cargo = process.env.CARGO;
  if (!cargo) {
    if (!onPath("cargo"))
      throw new SeamError("cargo not found (ENOENT: not on PATH)", {
        hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo; or use --runner junit with your runner's JUnit XML",
        exitCode: EXIT.missingTool,
      });
    return;
  }
  try {
    accessSync(cargo, constants.X_OK);
    if (!statSync(cargo).isFile()) throw Object.assign(new Error("a folder"), { code: "EISDIR" });
  } catch (err) {
    throw new SeamError(
      `CARGO=${cargo} cannot be run (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { hint: explicitChoiceHint("CARGO", "cargo"), exitCode: EXIT.missingTool },
    );
  }
  const who = await identifyBinary(cargo, {
    as: "cargo",
    args: ["--version"],
    answers: (o) => /^cargo \d+\.\d+/m.test(o),
  });
  if (!who.ok)
    throw new SeamError(
      `CARGO=${cargo} does not answer like cargo: \`cargo --version\` printed ${who.answer}, expected \`cargo X.Y.Z\``,
      { hint: explicitChoiceHint("CARGO", "cargo"), exitCode: EXIT.missingTool },
    );
}

/** Runs (or, for junit, reads) the suite once. Throws SeamError only for a runner that is not installed. */
export async function runSuite(opts: RunSuiteOptions): Promise<{ output: RunnerOutput; command: string }> {
  const sink = lineSink(opts.onProgress);
  const onStderr = opts.onProgress ? (c: Buffer) => sink.push(c.toString("utf8")) : undefined;
  const timeout = (what: string) => ({
    message: `${what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was killed (a hung test?)`,
    detail: [],
  });

  checkSuiteInputs(opts);

  if (opts.runner === "junit") {
    // A report that does not exist is the test command's failure, not bad input: readJUnitFiles fails closed on it.
    const files = opts.junit.map((path) => ({
      path,
      text: existsSync(path) ? readText(path, "--junit report") : undefined,
    }));
    return {
      output: readJUnitFiles(files, opts.runnerStatus),
      command: `read JUnit ${opts.junit.map((p) => relative(process.cwd(), p) || p).join(" ")}`,
    };
  }

  if (opts.runner === "cargo") {
    await checkCargoVar();
    const argv = cargoArgv(opts);
    const r = await runProcess(argv, {
      cwd: opts.project,
      env: { ...process.env, CARGO_TERM_COLOR: "never" },
      timeoutMs: opts.timeoutMs,
      maxCapture: CAPTURE,
      onStderr,
    });
    const command = shellLine(argv.map((a, i) => (i === 0 ? "cargo" : a)));
    if (r.spawnError) {
      if (process.env.CARGO) {
        throw new SeamError(`CARGO=${process.env.CARGO} cannot be run (${r.spawnError})`, {
          hint: explicitChoiceHint("CARGO", "cargo"),
          exitCode: EXIT.missingTool,
        });
      }
      throw new SeamError(`cargo not found (${r.spawnError})`, {
        hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo",
        exitCode: EXIT.missingTool,
      });
    }
    sink.flush();
    sink.push(r.stdout); // libtest's lines and failure output, after cargo's own progress
    sink.flush();
    if (r.timedOut) return { output: { tests: [], error: timeout("cargo test") }, command };
    const big = tooBig(r);
    return { output: big ? { tests: [], error: big } : parseCargoTest(r), command };
  }

  const dir = makeTempDir("seam-ls-gate");
  try {
    const xmlPath = join(dir, "bun-junit.xml");
    // The gate bounds the whole run (timeoutMs, then the process tree is killed: fail closed), so bun's
    // 5 s per-test default would only fail slow real-tool tests; pass --timeout yourself to keep one.
    const extra = opts.passthrough.some((a) => a.startsWith("--timeout"))
      ? opts.passthrough
      : ["--timeout=0", ...opts.passthrough];
    const argv = [process.execPath, "test", "--reporter=junit", `--reporter-outfile=${xmlPath}`, ...extra];
    const command = [
      "bun test --reporter=junit --reporter-outfile=$TMP/bun-junit.xml",
      ...extra.map((a) => shellLine([a])),
    ].join(" ");
    const r = await runProcess(argv, { cwd: opts.project, timeoutMs: opts.timeoutMs, maxCapture: CAPTURE, onStderr });
    sink.flush();
    if (r.timedOut) return { output: { tests: [], error: timeout("bun test") }, command };
    const big = tooBig(r);
    if (big) return { output: { tests: [], error: big }, command };
    const xml = existsSync(xmlPath) ? readFileSync(xmlPath, "utf8") : undefined;
    if (xml !== undefined && opts.junit[0]) atomicWrite(opts.junit[0], xml);
    return { output: judgeBunRun(r, xml, "bun JUnit report"), command };
  } finally {
    removeTemp(dir);
  }
}

/**
 * meld's approach, reproduced for side-by-side comparison (tests and bench-ls-gate.ts): one
 * `cargo test --no-fail-fast -- --test-threads=1 <prefix>` per approved ID, summing its `test result:`
 * lines; matched 0 → missing, failed > 0 → failed, else passed. Exit statuses are not looked at.
 * `libtestArgs` replaces upstream's `--test-threads=1` (the benchmark also times it with libtest's default).
 */
export async function upstreamPerId(
  ids: string[],
  opts: {
    project: string;
    package?: string;
    cargoArgs?: string[];
    libtestArgs?: string[];
    timeoutMs?: number;
    env?: Record<string, string | undefined>;
  },
): Promise<{ passed: string[]; failed: string[]; missing: string[]; runs: number; ms: number }> {
  const started = performance.now();
  const out = { passed: [] as string[], failed: [] as string[], missing: [] as string[] };
  for (const id of ids) {
    const argv = [
      process.env.CARGO || "cargo",
      "test",
      ...(opts.package ? ["-p", opts.package] : []),
      "--no-fail-fast",
      ...(opts.cargoArgs ?? []),
      "--",
      ...(opts.libtestArgs ?? ["--test-threads=1"]),
      prefixOf(id),
    ];
    const r = await runProcess(argv, {
      cwd: opts.project,
      env: opts.env,
      timeoutMs: opts.timeoutMs ?? 1_800_000,
      maxCapture: CAPTURE,
    });
    let passed = 0;
    let failed = 0;
    let ignored = 0;
    for (const m of r.stdout.matchAll(/^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;/gm)) {
      passed += Number(m[1]);
      failed += Number(m[2]);
      ignored += Number(m[3]);
    }
    (passed + failed + ignored === 0 ? out.missing : failed > 0 ? out.failed : out.passed).push(id);
  }
  return { ...out, runs: ids.length, ms: Math.round(performance.now() - started) };
}

export interface LsGateOptions extends Partial<Omit<RunSuiteOptions, "runner" | "project">> {
  /** Where the runner runs; default seam's root (the CLI defaults to the crate the working folder is in for cargo). */
  project?: string;
  /** Default cargo, as upstream. */
  runner?: RunnerKind;
  /** Default findScenarios(project): PROJECT/safety/stpa/loss-scenarios.yaml, else the nearest one above. */
  scenariosPath?: string;
  compat?: boolean;
  /** Written atomically when given (checked writable before the suite runs), with the markdown beside it. */
  resultsJson?: string;
  /** Default: ls-gate.md beside resultsJson. */
  markdown?: string;
  /** A file the markdown is appended to ($GITHUB_STEP_SUMMARY). */
  stepSummary?: string;
  runUrl?: string;
}

export const DEFAULT_TIMEOUT_MS = 1_800_000;

/**
 * Loads the scenarios, runs the suite once, builds the report and writes the requested files.
 * Never prints (runner output goes to onProgress), never exits; throws SeamError for bad input.
 */
export async function runLsGate(
  opts: LsGateOptions,
): Promise<{ report: LsGateReport; scenarios: ScenarioSet; markdown: string }> {
  const project = opts.project ?? ROOT;
  const runner = opts.runner ?? "cargo";
  const scenariosPath = opts.scenariosPath ?? findScenarios(project);
  const markdownPath = opts.markdown ?? (opts.resultsJson ? join(dirname(opts.resultsJson), "ls-gate.md") : undefined);
  const suite: RunSuiteOptions = {
    ...opts,
    runner,
    project,
    passthrough: opts.passthrough ?? [],
    junit: opts.junit ?? [],
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  // Every input first, then every output, then the run: bad input never leaves a folder or a file behind.
  checkSuiteInputs(suite);
  if (!existsSync(scenariosPath)) {
    throw usageError(
      `scenarios file not found: ${scenariosPath}`,
      "pass --scenarios FILE or --project DIR holding safety/stpa/loss-scenarios.yaml",
    );
  }
  const scenarios = parseScenarios(readText(scenariosPath, "scenarios file"), scenariosPath);
  const inputs: [string, string][] = [
    ["the scenarios file", scenariosPath],
    ...(runner === "junit" ? suite.junit.map((p): [string, string] => ["a --junit report", p]) : []),
  ];
  checkOutputs(inputs, [
    ["--results-json", opts.resultsJson],
    ["--markdown", markdownPath],
    ["--junit", runner === "bun" ? suite.junit[0] : undefined],
    ["GITHUB_STEP_SUMMARY", opts.stepSummary, "append"],
  ]);
  if (runner === "cargo") await checkCargoVar();
  opts.onProgress?.(
    `ls-gate: running ${runner === "junit" ? "nothing (reading JUnit reports)" : `${runner} test`} in ${project}`,
  );
  const { output, command } = await runSuite(suite);
  const report = buildReport({ scenarios, runner, compat: opts.compat ?? false, command }, output);
  const markdown = renderLsGateMarkdown(report, { runUrl: opts.runUrl });
  if (opts.resultsJson) atomicWriteJson(opts.resultsJson, report);
  if (markdownPath) atomicWrite(markdownPath, markdown);
  if (opts.stepSummary) {
    try {
      appendFileSync(opts.stepSummary, markdown + "\n");
    } catch (err) {
      throw usageError(
        `cannot append to GITHUB_STEP_SUMMARY ${opts.stepSummary}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        "the results files were written; point GITHUB_STEP_SUMMARY at a writable file or unset it",
      );
    }
  }
  return { report, scenarios, markdown };
}

// ---------------------------------------------------------------------------------------------------------
// CLI

const HELP = `ls-gate — loss-scenario verification gate, one test run, fails closed

Usage: bun scripts/ls-gate.ts [options] [-- runner args [-- libtest args]]

  --project DIR         where the runner runs. Default for cargo, as cargo does: the crate the
                        working folder is in (the nearest Cargo.toml upward); for bun and junit:
                        seam's root
  --scenarios FILE      loss-scenarios.yaml (default: DIR/safety/stpa/loss-scenarios.yaml, else the
                        nearest one above DIR in its repository, e.g. a workspace member's workspace)
  --runner KIND         cargo (default) | bun | junit
  --package NAME        cargo: test only this package (-p NAME)
  --junit FILE          junit: a JUnit XML report to read (repeatable; delete it before the test
                        command runs, or a stale report is read; one that is not there fails the gate,
                        exit 1: the test command did not write it); bun: where to keep bun's report
  --runner-status N     junit: exit status of the command that wrote the reports
  --results-json FILE   results (superset of meld's verification-results.json;
                        default: out/ls-gate/verification-results.json under seam's root)
  --markdown FILE       the comment body (default: ls-gate.md beside the results)
  --compat              upstream's bucket rules (ignored-only = passed, substring match)
  --json                print the results JSON on stdout (the console list goes to stderr)
  --timeout SECONDS     kill the runner after this long (default 1800)
  --quiet               do not echo the runner's own output to stderr
  --run-url URL         link to this CI run in the markdown (default: from GITHUB_* variables)
  --help                this text

Scenarios: only \`status: approved\` entries are gated, as upstream does. A status is absent or one of
  ${KNOWN_STATUSES.join(", ")}
(rivet's lifecycle, which meld's files follow); any other value (\`Approved\`, \`[approved]\`) is an
error naming file:line:col, exit 2.

Examples:
  bun scripts/ls-gate.ts --runner bun                      # seam's own suite (npm test)
  cd ../meld/meld-core && bun ../../seam/scripts/ls-gate.ts   # this crate, meld's scenarios file
  bun scripts/ls-gate.ts --project ../meld --package meld-core
  bun scripts/ls-gate.ts --runner junit --junit target/nextest/ci/junit.xml --runner-status $?

Exit: 0 every approved ID verified; 1 an ID or any test failed, or the runner did not build, crashed,
hung or left unreadable output; 2 bad input, or only gaps (missing, ignored-only, orphan tests; with
--compat only missing); 3 cargo not installed.
The last stdout line is "N passed, N failed, N skipped" for every test read.
`;

function runUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

/** Like cargo: the working folder with --manifest-path (relative to it), else the crate it is in (nearest Cargo.toml upward). */
function cargoProject(passthrough: string[]): string {
  const cwd = process.cwd();
  if (passthrough.some((a) => a.startsWith("--manifest-path"))) return cwd;
  const crate = findCrate(cwd);
  if (crate) return crate;
  throw usageError(
    `no Cargo.toml in ${cwd} or any folder above it`,
    "run it inside a crate, or pass --project CRATE_DIR (or `-- --manifest-path PATH`); seam's own suite is --runner bun",
  );
}

async function main(argv: string[]): Promise<number> {
  const [own, passthrough] = splitPassthrough(argv);
  const { values: v, positionals } = parseCli(own, {
    project: { type: "string" },
    scenarios: { type: "string" },
    runner: { type: "string", default: "cargo" },
    package: { type: "string" },
    junit: { type: "string", multiple: true, default: [] },
    "runner-status": { type: "string" },
    "results-json": { type: "string" },
    markdown: { type: "string" },
    compat: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    timeout: { type: "string", default: "1800" },
    quiet: { type: "boolean", default: false },
    "run-url": { type: "string" },
    help: { type: "boolean", default: false },
  });
  if (v.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw usageError(`unexpected argument ${positionals[0]}`, "runner arguments go after `--`");
  const runner = enumValue("--runner", v.runner as string, ["cargo", "bun", "junit"] as const);
  if (v.package && runner !== "cargo")
    throw usageError("--package applies to --runner cargo only", "drop --package, or use --runner cargo");
  if (v["runner-status"] !== undefined && runner !== "junit")
    throw usageError("--runner-status applies to --runner junit only");
  if (runner === "junit" && passthrough.length)
    throw usageError("--runner junit runs nothing: it takes no runner args");
  const timeoutS = positiveSeconds("--timeout", v.timeout as string);
  const status = v["runner-status"] === undefined ? undefined : wholeNumber("--runner-status", v["runner-status"]);

  noDuplicates("--junit", v.junit as string[], (p) => resolve(p));
  if ((v.junit as string[]).length && runner === "cargo")
    throw usageError(
      "--junit applies to --runner junit (reports to read) and --runner bun (where to keep its report)",
      "cargo's own output is read; for nextest's JUnit XML use --runner junit",
    );

  const project = v.project ? resolve(v.project) : runner === "cargo" ? cargoProject(passthrough) : ROOT;
  const resultsPath = resolve(v["results-json"] ?? join(ROOT, "out", "ls-gate", "verification-results.json"));
  const { report, scenarios } = await runLsGate({
    runner,
    project,
    scenariosPath: v.scenarios ? resolve(v.scenarios) : undefined,
    package: v.package,
    passthrough,
    junit: (v.junit as string[]).map((p) => resolve(p)),
    runnerStatus: status,
    timeoutMs: timeoutS * 1000,
    compat: v.compat as boolean,
    resultsJson: resultsPath,
    markdown: v.markdown ? resolve(v.markdown) : undefined,
    stepSummary: process.env.GITHUB_STEP_SUMMARY || undefined,
    runUrl: v["run-url"] ?? runUrlFromEnv(process.env),
    onProgress: v.quiet ? undefined : progress,
  });

  const shown = relative(ROOT, scenarios.path);
  const consoleText = renderConsole(
    report,
    { ...scenarios, path: shown.startsWith("..") ? scenarios.path : shown },
    resultsPath,
  );
  if (v.json) {
    process.stderr.write(consoleText);
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    process.stdout.write(consoleText);
  }
  return report.exit_code;
}

if (import.meta.main) process.exitCode = await runCli("ls-gate", main);
