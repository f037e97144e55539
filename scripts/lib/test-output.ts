/**
 * test-output — pure readers of what a test runner left behind: `cargo test` (libtest) output, JUnit XML
 * (bun, nextest, pytest, …) and bun test's stderr summary. Each returns the tests it read, each with its
 * own outcome, plus a runner error when the output does not add up (a build error, a crash, a missing or
 * malformed report, counts that disagree): never an empty result. They know nothing about what the tests
 * are for. Used by scripts/ls-gate.ts.
 */
import type { ProcResult } from "./proc.ts";

/** One test as the runner reported it; `match` is the text a name filter is looked for in. */
export interface ReadTest {
  /** The test's full path as the runner names it (`tests::reads_empty`, `outer > inner > reads empty`). */
  name: string;
  /** The test binary or file it ran in (`src/lib.rs`, `tests/integration.rs`, `doctests NAME`, a JUnit suite). */
  binary?: string;
  outcome: "passed" | "failed" | "ignored";
  ms?: number;
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
  tests: { name: string; outcome: ReadTest["outcome"] }[];
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
  const fail = (message: string, detail: string[] = firstErrorLines(stderr)): RunnerOutput => ({
    tests,
    error: { message, detail },
  });

  if (r.signal) return fail(`cargo test was killed by ${r.signal}`);
  if (blocks.length === 0 && r.code !== 0) {
    const detail = firstErrorLines(stderr);
    const why = detail[0]?.replace(/^error(\[E\d+\])?:\s*/, "") ?? `exit status ${r.code}`;
    return fail(`cargo test did not build or run: ${why}`, detail);
  }
  if (blocks.length !== binaries.length) {
    return fail(
      `cannot tell which test binary printed which results (${binaries.length} binaries started, ${blocks.length} libtest reports; a \`harness = false\` target?)`,
    );
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
      if (!m || !top || top.name !== m[1])
        throw bad(lt, `unexpected closing tag ${m ? `</${m[1]}>` : ""}${top ? ` (open: <${top.name}>)` : ""}`);
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
 * name (`outer > inner > reads_empty`); its binary is its `file` or its outermost suite. `<failure>` and
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
        const outcome =
          kinds.has("failure") || kinds.has("error") ? "failed" : kinds.has("skipped") ? "ignored" : "passed";
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
export function judgeBunRun(
  r: Pick<ProcResult, "code" | "signal" | "stderr">,
  xml: string | undefined,
  source: string,
): RunnerOutput {
  const detail = () => lastLines(r.stderr, 12);
  if (r.signal) return { tests: [], error: { message: `bun test was killed by ${r.signal}`, detail: detail() } };
  if (xml === undefined) {
    return {
      tests: [],
      error: {
        message: `bun test (exit status ${r.code}) wrote no JUnit report: it did not finish (a test called process.exit, or bun crashed)`,
        detail: detail(),
      },
    };
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
    return error(
      `bun test reported ${n} unhandled error${n === 1 ? "" : "s"} outside any test${where.length ? ` in ${where.join(", ")}` : ""}`,
      unhandledDetail(r.stderr),
    );
  }
  if (summary.ran === undefined)
    return error(`bun test (exit status ${r.code}) ended without its summary line: the run did not finish`);
  if (summary.fail !== undefined && summary.fail > failed) {
    return error(`bun test counted ${summary.fail} failures but its JUnit report holds ${failed}`);
  }
  if (r.code !== 0 && failed === 0) return error(`bun test exited with status ${r.code} but no test failed`);
  if (tests.length === 0) return error("bun test ran no tests");
  return { tests };
}

function lastLines(text: string, n: number): string[] {
  return stripAnsi(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(-n);
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
    if (f.text === undefined)
      return {
        tests,
        error: { message: `cannot read JUnit report ${f.path}: the test command did not write it`, detail: [] },
      };
    try {
      tests.push(...parseJUnit(f.text, f.path));
    } catch (err) {
      return { tests, error: { message: (err as Error).message, detail: [] } };
    }
  }
  if (tests.length === 0)
    return { tests, error: { message: `no test cases in ${files.map((f) => f.path).join(", ")}`, detail: [] } };
  if (status !== undefined && status !== 0 && !tests.some((t) => t.outcome === "failed")) {
    return {
      tests,
      error: {
        message: `the test command exited with status ${status} but its JUnit report holds no failure (a file that failed to load is not in the report)`,
        detail: [],
      },
    };
  }
  return { tests };
}
