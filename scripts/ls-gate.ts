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
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, relative } from "node:path";
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from "yaml";
import { child, parseYaml } from "./lib/yamlx.ts";
import { EXIT, SeamError, usageError } from "./lib/errors.ts";
import { color, parseCli, progress, runCli, splitPassthrough } from "./lib/cli.ts";
import { runProcess, shellLine, type ProcResult } from "./lib/proc.ts";
import { atomicWrite, atomicWriteJson, requireWritableDir } from "./lib/fsx.ts";
import { ROOT } from "./lib/tools.ts";
import {
  LS_GATE_SCHEMA,
  prefixOf,
  renderLsGateMarkdown,
  type LsBucket,
  type LsGateReport,
  type LsIdResult,
  type LsTest,
} from "./lib/ls-report.ts";

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
  /** Entries present but not `status: approved` (draft, proposed, …). */
  others: Scenario[];
}

/** One test as the runner reported it; `match` is the text an ID prefix is looked for in. */
export interface ReadTest extends LsTest {
  match: string;
}

export interface RunnerError {
  message: string;
  detail: string[];
}

export interface RunnerOutput {
  tests: ReadTest[];
  error?: RunnerError;
}

export interface GateOptions {
  scenarios: ScenarioSet;
  runner: RunnerKind;
  compat: boolean;
  command: string;
}

/** Upper-case segments after `LS-`: `LS-A-11`, `LS-CP-2`, `LS-B-1-2`. Anything else derives a prefix no test name can carry. */
export const ID_PATTERN = /^LS(?:-[A-Z0-9]+)+$/;

// ---------------------------------------------------------------------------------------------------------
// Scenarios YAML

/** Parses loss-scenarios.yaml; every problem is one `file:line:col: …` line in a SeamError (exit 2). */
export function parseScenarios(text: string, path: string): ScenarioSet {
  const y = parseYaml(text, path, "fix the scenarios file (upstream schema: a top-level `loss-scenarios:` list of mappings with `id`, `title`, `status`, …)");
  const fail = (node: YamlNode | null | undefined, message: string): never => {
    y.problem(node, message);
    y.check();
    throw new Error("unreachable");
  };
  const root = y.root;
  if (!isMap(root)) fail(root, "expected a mapping with a top-level `loss-scenarios:` list");
  if (!(root as YAMLMap).has("loss-scenarios")) fail(root, "no top-level `loss-scenarios:` key");
  const list = child(root, "loss-scenarios");
  const items = list == null || (isScalar(list) && list.value == null) ? [] : isSeq(list) ? (list.items as YamlNode[]) : null;
  if (items === null) return fail(list, "`loss-scenarios:` must be a list");

  const problems: string[] = [];
  const seen = new Map<string, string>();
  const set: ScenarioSet = { path, approved: [], others: [] };
  items.forEach((item, n) => {
    const node = item as YamlNode;
    const where = y.at(node);
    if (!isMap(node)) return void problems.push(`${where}: entry ${n + 1} is not a mapping`);
    const idNode = node.get("id", true) as YamlNode | undefined;
    const id = isScalar(idNode) ? idNode.value : undefined;
    if (idNode === undefined) return void problems.push(`${where}: entry ${n + 1} has no \`id\``);
    const idWhere = y.at(idNode);
    if (typeof id !== "string" || !ID_PATTERN.test(id)) {
      return void problems.push(`${idWhere}: malformed id ${JSON.stringify(id)} (expected LS-<SEGMENT>-…, upper-case, e.g. LS-A-11)`);
    }
    const first = seen.get(id);
    if (first) return void problems.push(`${idWhere}: duplicate id ${id} (first at ${first})`);
    seen.set(id, idWhere);
    const title = node.get("title");
    const status = node.get("status");
    const scenario: Scenario = {
      id,
      title: typeof title === "string" ? title.trim() : "",
      status: typeof status === "string" ? status : status == null ? "" : String(status),
      prefix: prefixOf(id),
      line: y.line(node),
    };
    (scenario.status === "approved" ? set.approved : set.others).push(scenario);
  });
  for (const p of problems) y.problem(p);
  y.check();
  if (set.approved.length === 0) {
    // A gate that verifies nothing must not read green (LS-G-4).
    throw new SeamError(`${path}: no \`status: approved\` entries among ${items.length}: the gate would verify nothing`, {
      hint: "approve at least one loss scenario, or point --scenarios at the right file",
      exitCode: EXIT.fail,
    });
  }
  return set;
}

// ---------------------------------------------------------------------------------------------------------
// Runner output readers (pure)

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

/** The first error block of a tool's stderr, for the one-line-plus-detail report. */
export function firstErrorLines(text: string, max = 12): string[] {
  const lines = stripAnsi(text).split(/\r?\n/);
  const at = lines.findIndex((l) => /^(error(\[E\d+\])?:|error\b)/.test(l.trim()));
  const from = at < 0 ? Math.max(0, lines.length - max) : at;
  return lines.slice(from, from + max).filter((l) => l.trim() !== "");
}

interface LibtestBlock {
  expected: number;
  tests: { name: string; outcome: LsTest["outcome"] }[];
  result?: { passed: number; failed: number; ignored: number };
}

/**
 * Reads `cargo test` output: libtest's per-test lines on stdout, grouped by `running N tests` blocks,
 * paired in order with cargo's `Running …` / `Doc-tests …` lines on stderr. Anything that does not add
 * up (a build error, a binary that died before its `test result:` line, counts that disagree, a non-zero
 * exit no failed test explains) is a runner error, never an empty result.
 */
export function parseCargoTest(r: Pick<ProcResult, "stdout" | "stderr" | "code" | "signal">): RunnerOutput {
  const stdout = stripAnsi(r.stdout).split(/\r?\n/);
  const stderr = stripAnsi(r.stderr);
  const binaries: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const run = line.match(/^\s+Running (?:unittests )?(\S+)(?: \(.*\))?\s*$/);
    const doc = line.match(/^\s+Doc-tests (\S+)\s*$/);
    if (run) binaries.push(run[1]!);
    else if (doc) binaries.push(`doctests ${doc[1]}`);
  }
  const blocks: LibtestBlock[] = [];
  let open: LibtestBlock | undefined;
  let inFailures = false;
  for (const line of stdout) {
    const start = line.match(/^running (\d+) tests?$/);
    if (start) {
      open = { expected: Number(start[1]), tests: [] };
      blocks.push(open);
      inFailures = false;
      continue;
    }
    if (!open) continue;
    const result = line.match(/^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;/);
    if (result) {
      open.result = { passed: Number(result[1]), failed: Number(result[2]), ignored: Number(result[3]) };
      open = undefined;
      continue;
    }
    if (line === "failures:" || line === "successes:") inFailures = true;
    if (inFailures) continue; // captured test output lives here and may imitate result lines
    const t = line.match(/^test (.+) \.\.\. (ok|FAILED|ignored)(?:, .*)?$/);
    if (t) {
      const outcome = t[2] === "ok" ? "passed" : t[2] === "FAILED" ? "failed" : "ignored";
      open.tests.push({ name: t[1]!.replace(/ - should panic$/, ""), outcome });
    }
  }

  const tests: ReadTest[] = [];
  blocks.forEach((b, i) => {
    for (const t of b.tests) tests.push({ name: t.name, binary: binaries[i], outcome: t.outcome, match: t.name });
  });
  const fail = (message: string, detail: string[] = firstErrorLines(stderr)): RunnerOutput => ({ tests, error: { message, detail } });

  if (r.signal) return fail(`cargo test was killed by ${r.signal}`);
  if (blocks.length === 0 && r.code !== 0) {
    const detail = firstErrorLines(stderr);
    const why = detail[0]?.replace(/^error(\[E\d+\])?:\s*/, "") ?? `exit status ${r.code}`;
    return fail(`cargo test did not build or run: ${why}`, detail);
  }
  if (blocks.length !== binaries.length) {
    return fail(`cannot tell which test binary printed which results (${binaries.length} binaries started, ${blocks.length} libtest reports; a \`harness = false\` target?)`);
  }
  for (const [i, b] of blocks.entries()) {
    const name = binaries[i]!;
    if (!b.result) {
      const how = stderr.match(/process didn't exit successfully: .*(\((?:signal|exit status):[^)]*\))\s*$/m)?.[1];
      return fail(`test binary ${name} died before reporting its results${how ? ` ${how}` : ""}`);
    }
    const read = { passed: 0, failed: 0, ignored: 0 };
    for (const t of b.tests) read[t.outcome]++;
    const { passed, failed, ignored } = b.result;
    if (read.passed !== passed || read.failed !== failed || read.ignored !== ignored || b.tests.length !== b.expected) {
      return fail(
        `libtest output of ${name} does not add up: it reported ${passed} passed, ${failed} failed, ${ignored} ignored of ${b.expected}; ` +
          `the gate read ${read.passed}/${read.failed}/${read.ignored}`,
        [],
      );
    }
  }
  if (r.code !== 0 && !tests.some((t) => t.outcome === "failed")) {
    return fail(`cargo test exited with status ${r.code} but no test failed`);
  }
  return { tests };
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

/** A small well-formedness-checking XML reader: elements and attributes only (text is not needed). */
export function parseXml(text: string, source: string): XmlElement {
  const where = (i: number) => {
    const before = text.slice(0, i).split("\n");
    return `${source}:${before.length}:${before[before.length - 1]!.length + 1}`;
  };
  const bad = (i: number, what: string) => new Error(`${where(i)}: not well-formed XML: ${what}`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    const skipTo = (end: string, what: string) => {
      const j = text.indexOf(end, lt);
      if (j < 0) throw bad(lt, `unterminated ${what}`);
      return j + end.length;
    };
    if (text.startsWith("<?", lt)) i = skipTo("?>", "processing instruction");
    else if (text.startsWith("<!--", lt)) i = skipTo("-->", "comment");
    else if (text.startsWith("<![CDATA[", lt)) i = skipTo("]]>", "CDATA section");
    else if (text.startsWith("<!", lt)) i = skipTo(">", "declaration");
    else if (text.startsWith("</", lt)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(lt, lt + 300));
      const top = stack.pop();
      if (!m || !top || top.name !== m[1]) throw bad(lt, `unexpected closing tag ${m ? `</${m[1]}>` : ""}${top ? ` (open: <${top.name}>)` : ""}`);
      i = lt + m[0].length;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(lt));
      if (!tag) throw bad(lt, "malformed start tag");
      const el: XmlElement = { name: tag[1]!, attrs: {}, children: [] };
      for (const a of tag[2]!.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        el.attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? "");
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw bad(lt, "more than one root element");
      else root = el;
      if (!tag[3]) stack.push(el);
      i = lt + tag[0].length;
    }
  }
  if (stack.length) throw bad(text.length, `unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw bad(0, "no root element");
  return root;
}

/**
 * Reads JUnit XML (bun, nextest, pytest, …). A test's name is its nested describe suites plus its own
 * name (`outer > inner > ls_x_1_y`); its binary is its `file` or its outermost suite. `<failure>` and
 * `<error>` are failures, `<skipped>` is ignored (bun's todo included), anything else passed.
 */
export function parseJUnit(text: string, source: string): ReadTest[] {
  const root = parseXml(text, source);
  if (root.name !== "testsuites" && root.name !== "testsuite") {
    throw new Error(`${source}: not a JUnit report (root element <${root.name}>)`);
  }
  const tests: ReadTest[] = [];
  const walk = (el: XmlElement, suites: string[]) => {
    for (const child of el.children) {
      if (child.name === "testsuite") walk(child, [...suites, child.attrs.name ?? ""]);
      else if (child.name === "testcase") {
        const kinds = new Set(child.children.map((c) => c.name));
        const outcome = kinds.has("failure") || kinds.has("error") ? "failed" : kinds.has("skipped") ? "ignored" : "passed";
        const describe = suites.slice(1).filter(Boolean);
        const name = [...describe, child.attrs.name ?? ""].join(" > ");
        const seconds = Number.parseFloat(child.attrs.time ?? "");
        tests.push({
          name,
          binary: child.attrs.file ?? suites[0] ?? source,
          outcome,
          ...(Number.isFinite(seconds) ? { ms: Math.round(seconds * 1e6) / 1e3 } : {}),
          match: [child.attrs.classname ?? "", ...describe, child.attrs.name ?? ""].join(" "),
        });
      }
    }
  };
  walk(root, root.name === "testsuite" ? [root.attrs.name ?? ""] : []);
  return tests;
}

export interface BunSummary {
  ran?: number;
  fail?: number;
  errors: number;
  unhandled: boolean;
  /** For each `# Unhandled error between tests`, the test file bun was in (its `path:` header line). */
  unhandledIn: string[];
}

/** The summary bun test prints on stderr (` 3 pass`, ` 1 fail`, ` 2 errors`, `Ran 9 tests across 4 files.`). */
export function parseBunSummary(stderr: string): BunSummary {
  const text = stripAnsi(stderr);
  // The summary is the run's last output: take the last match, so a test's own output cannot pose as it.
  const num = (re: RegExp) => {
    const all = [...text.matchAll(re)];
    const m = all[all.length - 1];
    return m ? Number(m[1]) : undefined;
  };
  return {
    ran: num(/^Ran (\d+) tests? across \d+ files?\b/gm),
    fail: num(/^\s*(\d+) fail\s*$/gm),
    errors: num(/^\s*(\d+) errors?\s*$/gm) ?? 0,
    unhandled: /^# Unhandled error between tests\s*$/m.test(text),
    unhandledIn: unhandledFiles(text),
  };
}

function unhandledFiles(text: string): string[] {
  const files: string[] = [];
  let file = "";
  for (const line of text.split(/\r?\n/)) {
    const header = line.match(/^(\S.*\.[cm]?[jt]sx?):$/);
    if (header) file = header[1]!;
    else if (/^# Unhandled error between tests\s*$/.test(line)) files.push(file || "(unknown file)");
  }
  return files;
}

/**
 * Judges one `bun test --reporter=junit` run. bun 1.4.5 leaves a test file that fails to load out of its
 * JUnit report (it only prints `# Unhandled error between tests`), and a test that calls process.exit(0)
 * ends the run with status 0, no summary and no report: both must fail the gate.
 */
export function judgeBunRun(r: Pick<ProcResult, "code" | "signal" | "stderr">, xml: string | undefined, source: string): RunnerOutput {
  const detail = () => lastLines(r.stderr, 12);
  if (r.signal) return { tests: [], error: { message: `bun test was killed by ${r.signal}`, detail: detail() } };
  if (xml === undefined) {
    return { tests: [], error: { message: `bun test (exit status ${r.code}) wrote no JUnit report: it did not finish (a test called process.exit, or bun crashed)`, detail: detail() } };
  }
  let tests: ReadTest[];
  try {
    tests = parseJUnit(xml, source);
  } catch (err) {
    return { tests: [], error: { message: (err as Error).message, detail: [] } };
  }
  const summary = parseBunSummary(r.stderr);
  const failed = tests.filter((t) => t.outcome === "failed").length;
  const error = (message: string, lines = detail()): RunnerOutput => ({ tests, error: { message, detail: lines } });
  if (summary.errors > 0 || summary.unhandled) {
    // Either a file failed to load (its tests are absent from the report) or an error escaped a test that
    // had already finished or timed out (it may belong to a test reported as passed): no result is safe.
    const ran = new Set(tests.map((t) => t.binary));
    const where = [...new Set(summary.unhandledIn)].map((f) => `${f}${ran.has(f) ? "" : " (did not load)"}`);
    const n = summary.errors || summary.unhandledIn.length;
    return error(`bun test reported ${n} unhandled error${n === 1 ? "" : "s"} outside any test${where.length ? ` in ${where.join(", ")}` : ""}`, unhandledDetail(r.stderr));
  }
  if (summary.ran === undefined) return error(`bun test (exit status ${r.code}) ended without its summary line: the run did not finish`);
  if (summary.fail !== undefined && summary.fail > failed) {
    return error(`bun test counted ${summary.fail} failures but its JUnit report holds ${failed}`);
  }
  if (r.code !== 0 && failed === 0) return error(`bun test exited with status ${r.code} but no test failed`);
  if (tests.length === 0) return error("bun test ran no tests");
  return { tests };
}

function lastLines(text: string, n: number): string[] {
  return stripAnsi(text).split(/\r?\n/).filter((l) => l.trim() !== "").slice(-n);
}

function unhandledDetail(stderr: string): string[] {
  const lines = stripAnsi(stderr).split(/\r?\n/);
  const at = lines.findIndex((l) => /^# Unhandled error between tests/.test(l));
  return (at < 0 ? lastLines(stderr, 12) : lines.slice(Math.max(0, at - 2), at + 10)).filter((l) => l.trim() !== "");
}

/** Reads JUnit files written by some other command; `status` is that command's exit status when known. */
export function readJUnitFiles(files: { path: string; text?: string }[], status?: number): RunnerOutput {
  const tests: ReadTest[] = [];
  for (const f of files) {
    if (f.text === undefined) return { tests, error: { message: `cannot read JUnit report ${f.path}: the test command did not write it`, detail: [] } };
    try {
      tests.push(...parseJUnit(f.text, f.path));
    } catch (err) {
      return { tests, error: { message: (err as Error).message, detail: [] } };
    }
  }
  if (tests.length === 0) return { tests, error: { message: `no test cases in ${files.map((f) => f.path).join(", ")}`, detail: [] } };
  if (status !== undefined && status !== 0 && !tests.some((t) => t.outcome === "failed")) {
    return {
      tests,
      error: { message: `the test command exited with status ${status} but its JUnit report holds no failure (a file that failed to load is not in the report)`, detail: [] },
    };
  }
  return { tests };
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
  return hits.filter((s) => !hits.some((o) => o !== s && o.prefix.length > s.prefix.length && o.prefix.startsWith(s.prefix)));
}

/** Approved IDs whose prefix is contained in another ID's prefix: upstream counts the other's tests for them too. */
export function findCollisions(set: ScenarioSet): { id: string; shadowedBy: string }[] {
  const all = [...set.approved, ...set.others];
  return set.approved.flatMap((a) => all.filter((b) => b !== a && b.prefix.includes(a.prefix)).map((b) => ({ id: a.id, shadowedBy: b.id })));
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
    const test: LsTest = { name: t.name, ...(t.binary ? { binary: t.binary } : {}), outcome: t.outcome, ...(t.ms !== undefined ? { ms: t.ms } : {}) };
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
    else if (i.bucket === "failed") out.push(`${color.red("[FAIL]")} ${i.id} (${n.passed} pass, ${n.failed} fail${ign})`);
    else if (i.bucket === "ignored") out.push(`${color.yellow("[IGN ]")} ${i.id} (${n.ignored} ignored, none ran: not verified)`);
    else out.push(`${color.yellow("[MISS]")} ${i.id} (no \`${i.prefix}*\` test found)`);
  }
  const section = (title: string, lines: string[]) => (lines.length ? ["", title, ...lines.map((l) => `  ${l}`)] : []);
  out.push(
    ...section(
      "failing tests:",
      r.ids.flatMap((i) => i.tests.filter((t) => t.outcome === "failed").map((t) => `${i.id}: ${t.name}${t.binary ? ` (${t.binary})` : ""}`)),
    ),
    ...section("orphan LS tests (match no ID in the file — a typo?):", r.orphans),
    ...section("tests for non-approved IDs:", r.non_approved_tests.map((n) => `${n.id}: ${n.tests.join(", ")}`)),
    ...section(
      "prefix collisions:",
      r.collisions.map((c) => `${c.id} (${prefixOf(c.id)}) is a substring of ${c.shadowedBy} (${prefixOf(c.shadowedBy)})${r.compat ? ": its tests count for both" : ""}`),
    ),
  );
  if (r.runner_error) out.push("", color.red(`runner error: ${r.runner_error.message}`), ...r.runner_error.detail.map((l) => `  | ${l}`));
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
  if (r.stdoutTruncated || r.stderrTruncated) return { message: `runner output exceeded ${CAPTURE >> 20} MiB and could not be read whole`, detail: [] };
}

/** Runs (or, for junit, reads) the suite once. Throws SeamError only for a runner that is not installed. */
export async function runSuite(opts: RunSuiteOptions): Promise<{ output: RunnerOutput; command: string }> {
  const sink = lineSink(opts.onProgress);
  const onStderr = opts.onProgress ? (c: Buffer) => sink.push(c.toString("utf8")) : undefined;
  const timeout = (what: string) => ({ message: `${what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was killed (a hung test?)`, detail: [] });

  if (opts.runner === "junit") {
    if (opts.junit.length === 0) throw usageError("--runner junit needs at least one --junit FILE");
    const files = opts.junit.map((path) => ({ path, text: existsSync(path) ? readFileSync(path, "utf8") : undefined }));
    return { output: readJUnitFiles(files, opts.runnerStatus), command: `read JUnit ${opts.junit.map((p) => relative(process.cwd(), p) || p).join(" ")}` };
  }

  if (opts.runner === "cargo") {
    const argv = cargoArgv(opts);
    if (!existsSync(join(opts.project, "Cargo.toml")) && !opts.passthrough.some((a) => a.startsWith("--manifest-path"))) {
      throw usageError(`no Cargo.toml in ${opts.project}`, "pass --project CRATE_DIR (or `-- --manifest-path PATH`); seam's own suite is --runner bun");
    }
    const r = await runProcess(argv, { cwd: opts.project, env: { ...process.env, CARGO_TERM_COLOR: "never" }, timeoutMs: opts.timeoutMs, maxCapture: CAPTURE, onStderr });
    const command = shellLine(argv.map((a, i) => (i === 0 ? "cargo" : a)));
    if (r.spawnError) {
      throw new SeamError(`cargo not found (${r.spawnError})`, { hint: "install Rust (https://rustup.rs) or set CARGO=/path/to/cargo", exitCode: EXIT.missingTool });
    }
    sink.flush();
    sink.push(r.stdout); // libtest's lines and failure output, after cargo's own progress
    sink.flush();
    if (r.timedOut) return { output: { tests: [], error: timeout("cargo test") }, command };
    const big = tooBig(r);
    return { output: big ? { tests: [], error: big } : parseCargoTest(r), command };
  }

  const dir = mkdtempSync(join(tmpdir(), "seam-ls-gate-"));
  try {
    const xmlPath = join(dir, "bun-junit.xml");
    // The gate bounds the whole run (timeoutMs, then the process tree is killed: fail closed), so bun's
    // 5 s per-test default would only fail slow real-tool tests; pass --timeout yourself to keep one.
    const extra = opts.passthrough.some((a) => a.startsWith("--timeout")) ? opts.passthrough : ["--timeout=0", ...opts.passthrough];
    const argv = [process.execPath, "test", "--reporter=junit", `--reporter-outfile=${xmlPath}`, ...extra];
    const command = ["bun test --reporter=junit --reporter-outfile=$TMP/bun-junit.xml", ...extra.map((a) => shellLine([a]))].join(" ");
    const r = await runProcess(argv, { cwd: opts.project, timeoutMs: opts.timeoutMs, maxCapture: CAPTURE, onStderr });
    sink.flush();
    if (r.timedOut) return { output: { tests: [], error: timeout("bun test") }, command };
    const big = tooBig(r);
    if (big) return { output: { tests: [], error: big }, command };
    const xml = existsSync(xmlPath) ? readFileSync(xmlPath, "utf8") : undefined;
    if (xml !== undefined && opts.junit[0]) copyFileSync(xmlPath, opts.junit[0]);
    return { output: judgeBunRun(r, xml, "bun JUnit report"), command };
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
  opts: { project: string; package?: string; cargoArgs?: string[]; libtestArgs?: string[]; timeoutMs?: number; env?: Record<string, string | undefined> },
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
    const r = await runProcess(argv, { cwd: opts.project, env: opts.env, timeoutMs: opts.timeoutMs ?? 1_800_000, maxCapture: CAPTURE });
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
  /** Where the runner runs; default seam's root. */
  project?: string;
  /** Default cargo, as upstream. */
  runner?: RunnerKind;
  /** Default PROJECT/safety/stpa/loss-scenarios.yaml. */
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
export async function runLsGate(opts: LsGateOptions): Promise<{ report: LsGateReport; scenarios: ScenarioSet; markdown: string }> {
  const project = opts.project ?? ROOT;
  const runner = opts.runner ?? "cargo";
  const scenariosPath = opts.scenariosPath ?? join(project, "safety", "stpa", "loss-scenarios.yaml");
  const markdownPath = opts.markdown ?? (opts.resultsJson ? join(dirname(opts.resultsJson), "ls-gate.md") : undefined);
  if (!existsSync(scenariosPath)) {
    throw usageError(`scenarios file not found: ${scenariosPath}`, "pass --scenarios FILE or --project DIR holding safety/stpa/loss-scenarios.yaml");
  }
  const scenarios = parseScenarios(readFileSync(scenariosPath, "utf8"), scenariosPath);
  for (const path of [opts.resultsJson, markdownPath]) if (path) requireWritableDir(path); // before a long run, not after
  const { output, command } = await runSuite({
    ...opts,
    runner,
    project,
    passthrough: opts.passthrough ?? [],
    junit: opts.junit ?? [],
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const report = buildReport({ scenarios, runner, compat: opts.compat ?? false, command }, output);
  const markdown = renderLsGateMarkdown(report, { runUrl: opts.runUrl });
  if (opts.resultsJson) atomicWriteJson(opts.resultsJson, report);
  if (markdownPath) atomicWrite(markdownPath, markdown);
  if (opts.stepSummary) appendFileSync(opts.stepSummary, markdown + "\n");
  return { report, scenarios, markdown };
}

// ---------------------------------------------------------------------------------------------------------
// CLI

const HELP = `ls-gate — loss-scenario verification gate, one test run, fails closed

Usage: bun scripts/ls-gate.ts [options] [-- runner args [-- libtest args]]

  --project DIR         where the runner runs (default: seam's root)
  --scenarios FILE      loss-scenarios.yaml (default: DIR/safety/stpa/loss-scenarios.yaml)
  --runner KIND         cargo (default) | bun | junit
  --package NAME        cargo: test only this package (-p NAME)
  --junit FILE          junit: a JUnit XML report to read (repeatable; delete it before the test
                        command runs, or a stale report is read); bun: where to keep bun's report
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

Examples:
  bun scripts/ls-gate.ts --runner bun                      # seam's own suite (npm test)
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
  const runner = v.runner as string;
  if (runner !== "cargo" && runner !== "bun" && runner !== "junit") throw usageError(`unknown runner ${JSON.stringify(runner)}`, "use --runner cargo, bun or junit");
  if (v.package && runner !== "cargo") throw usageError("--package applies to --runner cargo only");
  if (v["runner-status"] !== undefined && runner !== "junit") throw usageError("--runner-status applies to --runner junit only");
  if (runner === "junit" && passthrough.length) throw usageError("--runner junit runs nothing: it takes no runner args");
  const timeoutS = Number(v.timeout);
  if (!(timeoutS > 0)) throw usageError(`--timeout must be a positive number of seconds, got ${v.timeout}`);
  const status = v["runner-status"] === undefined ? undefined : Number(v["runner-status"]);
  if (status !== undefined && !Number.isInteger(status)) throw usageError(`--runner-status must be an integer, got ${v["runner-status"]}`);

  const project = v.project ? resolve(v.project) : ROOT;
  const resultsPath = resolve(v["results-json"] ?? join(ROOT, "out", "ls-gate", "verification-results.json"));
  if (!v.quiet) progress(`ls-gate: running ${runner === "junit" ? "nothing (reading JUnit reports)" : `${runner} test`} in ${project}`);
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
  const consoleText = renderConsole(report, { ...scenarios, path: shown.startsWith("..") ? scenarios.path : shown }, resultsPath);
  if (v.json) {
    process.stderr.write(consoleText);
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    process.stdout.write(consoleText);
  }
  return report.exit_code;
}

if (import.meta.main) process.exitCode = await runCli("ls-gate", main);
